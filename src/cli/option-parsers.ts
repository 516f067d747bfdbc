import { InvalidArgumentError } from 'commander';
import { SPECIALIST_NAME_PATTERN } from '../specialists/registry/specialist-paths.ts';

/**
 * Commander argument parsers for numeric and name options: a bad value is a usage error
 * (`rightsize: option '--x <n>' argument 'abc' is invalid. ...`, exit 2) before any work starts.
 */

/** A number for which `check` holds; `expected` completes "--flag must be ...". */
export function numberOption(flag: string, expected: string, check: (value: number) => boolean) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || !check(value))
      throw new InvalidArgumentError(`${flag} must be ${expected}, got "${text}"`);
    return value;
  };
}

/** A whole number in [minimum, maximum]. */
export function wholeNumber(flag: string, minimum: number, maximum = Number.POSITIVE_INFINITY) {
  return numberOption(
    flag,
    maximum === Number.POSITIVE_INFINITY
      ? `a whole number of at least ${minimum}`
      : `a whole number from ${minimum} to ${maximum}`,
    (value) => Number.isInteger(value) && value >= minimum && value <= maximum,
  );
}

/** A number in [0, 1] (a confidence threshold). */
export function unitInterval(flag: string) {
  return numberOption(flag, 'a number from 0 to 1', (value) => value >= 0 && value <= 1);
}

/** A number strictly between 0 and 1 (a probability of a guarantee, an accuracy target, a share). */
export function openUnitInterval(flag: string) {
  return numberOption(flag, 'a number between 0 and 1 (both excluded)', (value) => value > 0 && value < 1);
}

/** A specialist name: lowercase letters, digits and dashes (it becomes a folder and a model id). */
export function specialistName(flag: string) {
  return (text: string): string => {
    if (!SPECIALIST_NAME_PATTERN.test(text))
      throw new InvalidArgumentError(
        `${flag} must be lowercase letters, digits and dashes, starting with a letter or digit (e.g. support-triage), got "${text}"`,
      );
    return text;
  };
}
