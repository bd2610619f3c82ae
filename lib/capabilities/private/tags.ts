import { TAG_CAPABILITY, TAG_COMPONENT, TAG_DATA_CLASS } from '../capability';

/** AWS tag rules, shared by every part that takes a tag key or value from the user. */
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** 1-128 letters, digits, spaces and `_.:/=+-@`, not starting with the reserved `aws:`. */
export function isValidTagKey(key: string): boolean {
  return TAG_KEY.test(key) && !key.toLowerCase().startsWith('aws:');
}

export function isValidTagValue(value: string): boolean {
  return TAG_VALUE.test(value);
}

/** The prefix of the library's own tag keys, which declare what a principal or resource is. */
export const LIBRARY_TAG_PREFIX = 'model-access:';

/** The library's tag keys that tools rely on. */
export const LIBRARY_TAG_KEYS: readonly string[] = [TAG_CAPABILITY, TAG_DATA_CLASS, TAG_COMPONENT];
