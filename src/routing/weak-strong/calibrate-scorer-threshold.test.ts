import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isRightsizeError } from '../../errors/rightsize-error.ts';
import { calibrateScorerThreshold } from './calibrate-scorer-threshold.ts';
import { loadOutcomeFile } from './load-outcome-file.ts';

const tiny = loadOutcomeFile(fileURLToPath(new URL('./fixtures/tiny-outcomes.jsonl', import.meta.url)));
// P(weak acceptable) for a..e; a and e are the strong model's wins.
const probabilities = [0.1, 0.9, 0.5, 0.7, 0.3];

describe('calibrateScorerThreshold', () => {
  it('picks the lowest threshold that reaches the target share of strong quality', () => {
    // strong mean 0.6. Accept all (threshold 0.1): 0.4. Escalate a: 0.6 -> threshold 0.3.
    const result = calibrateScorerThreshold({
      acceptProbabilities: probabilities,
      outcomes: tiny.items,
      targetShareOfStrong: 1,
    });
    expect(result.threshold).toBe(0.3);
    expect(result.quality).toBeCloseTo(0.6, 12);
    expect(result.targetQuality).toBeCloseTo(0.6, 12);
    expect(result.acceptShare).toBeCloseTo(0.8, 12);
    expect(result.strongShare).toBeCloseTo(0.2, 12);
  });

  it('accepts everything when the weak model already reaches the target', () => {
    // target 0.6 x 0.6 = 0.36 <= weak 0.4
    const result = calibrateScorerThreshold({
      acceptProbabilities: probabilities,
      outcomes: tiny.items,
      targetShareOfStrong: 0.6,
    });
    expect(result.threshold).toBe(0.1);
    expect(result.acceptShare).toBe(1);
  });

  it('escalates a whole group of tied scores at once', () => {
    // a and c tie at 0.2: escalating both gives 0.4 + 1/5 - 0 = 0.6 at threshold 0.3 (e's score)
    const result = calibrateScorerThreshold({
      acceptProbabilities: [0.2, 0.9, 0.2, 0.7, 0.3],
      outcomes: tiny.items,
      targetShareOfStrong: 1,
    });
    expect(result.threshold).toBe(0.3);
    expect(result.strongShare).toBeCloseTo(0.4, 12);
  });

  it('rejects a target outside (0, 1]', () => {
    expect(() =>
      calibrateScorerThreshold({ acceptProbabilities: probabilities, outcomes: tiny.items, targetShareOfStrong: 1.2 }),
    ).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    try {
      calibrateScorerThreshold({ acceptProbabilities: [0.1], outcomes: tiny.items, targetShareOfStrong: 0.9 });
    } catch (error) {
      expect(isRightsizeError(error, 'invalid_input')).toBe(true);
    }
  });
});
