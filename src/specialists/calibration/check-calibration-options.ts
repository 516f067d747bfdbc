import { RightsizeError } from '../../errors/rightsize-error.ts';

/**
 * Checks a calibration's `--target-accuracy` and `--confidence`, both probabilities in (0, 1).
 * @throws RightsizeError `invalid_input` naming the flag, the value and an example.
 */
export function checkCalibrationOptions(targetAccuracy: number, confidence: number): void {
  for (const [flag, value, example] of [
    ['--target-accuracy', targetAccuracy, '0.97'],
    ['--confidence', confidence, '0.95'],
  ] as const) {
    if (!(value > 0 && value < 1)) {
      throw new RightsizeError(
        'invalid_input',
        `${flag} ${value} is out of range: give a value in (0, 1), e.g. ${example}`,
      );
    }
  }
}
