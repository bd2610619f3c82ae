import { Token } from 'aws-cdk-lib';

/** The share of requests captured: a whole percentage, at least one. */
export function checkCapturePercentage(where: string, percentage: number): number {
  if (
    !Token.isUnresolved(percentage) &&
    !(Number.isInteger(percentage) && percentage >= 1 && percentage <= 100)
  ) {
    throw new Error(`${where} must be a whole number from 1 to 100, got ${percentage}.`);
  }
  return percentage;
}
