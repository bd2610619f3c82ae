import type { HyperparameterRule } from './handlers/request-rules';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_. -]{0,63}$/;

/**
 * A hyperparameter a request may set, with the bounds it must stay within. Hyperparameters not
 * declared are refused; declared ones a request leaves out take the service's default.
 */
export class Hyperparameter {
  /** A whole number from `min` to `max`, e.g. `Hyperparameter.integer('epochCount', 1, 5)`. */
  public static integer(name: string, min: number, max: number): Hyperparameter {
    if (!Number.isInteger(min) || !Number.isInteger(max)) {
      throw new Error(`Hyperparameter.integer('${name}'): bounds must be integers, got ${min} and ${max}.`);
    }
    return new Hyperparameter(name, true, min, max);
  }

  /** Any number from `min` to `max`, e.g. `Hyperparameter.number('learningRate', 1e-6, 1e-4)`. */
  public static number(name: string, min: number, max: number): Hyperparameter {
    return new Hyperparameter(name, false, min, max);
  }

  private constructor(
    public readonly name: string,
    /** Whether only whole numbers are accepted. */
    public readonly isInteger: boolean,
    public readonly min: number,
    public readonly max: number,
  ) {
    if (!NAME.test(name)) {
      throw new Error(
        `Hyperparameter: '${name}' is not a hyperparameter name (1-64 letters, digits, '_', '.', '-' or spaces).`,
      );
    }
    if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
      throw new Error(
        `Hyperparameter '${name}': min (${min}) must be a number no greater than max (${max}).`,
      );
    }
  }

  /** @internal the rule the request handler applies */
  public _rule(): HyperparameterRule {
    return { name: this.name, integer: this.isInteger, min: this.min, max: this.max };
  }
}
