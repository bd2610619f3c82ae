import { Aspects } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Runs `finalize` once, when synthesis begins, after every grant and construct of the app exists.
 * For policy statements that depend on what the whole app grants (who may read weights).
 */
export function atSynthesis(construct: IConstruct, finalize: () => void): void {
  let done = false;
  Aspects.of(construct).add({
    visit(node: IConstruct) {
      if (node === construct && !done) {
        done = true;
        finalize();
      }
    },
  });
}
