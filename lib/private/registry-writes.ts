/**
 * Changes to the objects of the registry's weights and training data, which its bucket policies
 * and the capability boundaries both deny to everyone not granted them: one list for both layers.
 */

/** Putting objects or changing their tags: only principals granted writes through the registry. */
export const GUARDED_WRITE_ACTIONS = [
  's3:PutObject',
  's3:PutObjectTagging',
  's3:DeleteObjectTagging',
  's3:RestoreObject',
];

/** Deleting objects or versions: nobody is granted this; versions go by lifecycle or break-glass roles. */
export const GUARDED_DELETE_ACTIONS = ['s3:DeleteObject', 's3:DeleteObjectVersion'];
