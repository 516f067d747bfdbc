import { describe, expect, it } from 'vitest';
import { seededRandom } from '../split-train-valid.ts';
import { calibrateThreshold, empiricalThreshold, type ScoredItem } from './calibrate-threshold.ts';
import { clopperPearsonLowerBound } from './clopper-pearson.ts';

/** Items whose chance of being right equals their confidence (a perfectly calibrated model). */
function calibratedItems(count: number, seed: number): ScoredItem[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const confidence = 0.5 + 0.5 * random() ** 0.5;
    return { confidence, correct: random() < confidence };
  });
}

describe('calibrateThreshold', () => {
  it('returns a threshold whose accepted items clear the target at the corrected confidence', () => {
    const items = calibratedItems(4000, 1);
    const choice = calibrateThreshold(items, { targetAccuracy: 0.95, confidence: 0.95 });
    expect(choice.threshold).toBeDefined();
    const accepted = items.filter((item) => item.confidence >= (choice.threshold ?? 2));
    const correct = accepted.filter((item) => item.correct).length;
    expect(choice.acceptedItems).toBe(accepted.length);
    expect(choice.selectiveAccuracy).toBeCloseTo(correct / accepted.length, 12);
    expect(choice.steps).toBe(Math.ceil(Math.log2(items.length)));
    const level = 1 - 0.05 / choice.steps;
    expect(choice.accuracyLowerBound).toBeCloseTo(clopperPearsonLowerBound(correct, accepted.length, level), 12);
    expect(choice.accuracyLowerBound).toBeGreaterThanOrEqual(0.95);
    expect(choice.coverage).toBeGreaterThan(0.1);
    expect(choice.coverage).toBeLessThan(0.9);
  });

  it('keeps its promise on fresh data from the same model (repeated trials)', () => {
    let failures = 0;
    const trials = 40;
    for (let trial = 0; trial < trials; trial++) {
      const choice = calibrateThreshold(calibratedItems(1000, 100 + trial), { targetAccuracy: 0.9, confidence: 0.9 });
      if (choice.threshold === undefined) continue;
      const fresh = calibratedItems(20000, 10_000 + trial).filter((item) => item.confidence >= (choice.threshold ?? 2));
      const accuracy = fresh.filter((item) => item.correct).length / fresh.length;
      if (accuracy < 0.9) failures++;
    }
    // The guarantee allows 10 % of calibrations to miss; SGR's union bound is conservative.
    expect(failures / trials).toBeLessThanOrEqual(0.1);
  });

  it('accepts more when the target is lower, and finds nothing for an impossible target', () => {
    const items = calibratedItems(3000, 7);
    const strict = calibrateThreshold(items, { targetAccuracy: 0.97, confidence: 0.95 });
    const loose = calibrateThreshold(items, { targetAccuracy: 0.85, confidence: 0.95 });
    expect(loose.coverage).toBeGreaterThan(strict.coverage);
    const wrong = items.map((item) => ({ ...item, correct: false }));
    const none = calibrateThreshold(wrong, { targetAccuracy: 0.5, confidence: 0.95 });
    expect(none.threshold).toBeUndefined();
    expect(none.coverage).toBe(0);
  });

  it('rejects targets outside (0, 1)', () => {
    expect(() => calibrateThreshold([], { targetAccuracy: 1, confidence: 0.95 })).toThrow(RangeError);
    expect(() => calibrateThreshold([], { targetAccuracy: 0.9, confidence: 0 })).toThrow(RangeError);
  });
});

describe('empiricalThreshold', () => {
  it('takes the most coverage whose measured accuracy reaches the target, cutting only between distinct confidences', () => {
    const items: ScoredItem[] = [
      { confidence: 0.99, correct: true },
      { confidence: 0.9, correct: true },
      { confidence: 0.8, correct: false },
      { confidence: 0.8, correct: true },
      { confidence: 0.7, correct: true },
      { confidence: 0.6, correct: false },
    ];
    expect(empiricalThreshold(items, { targetAccuracy: 0.8 })).toMatchObject({ threshold: 0.7, acceptedItems: 5 });
    expect(empiricalThreshold(items, { targetAccuracy: 0.95 })).toMatchObject({ threshold: 0.9, coverage: 2 / 6 });
    const guaranteed = calibrateThreshold(calibratedItems(3000, 3), { targetAccuracy: 0.95, confidence: 0.95 });
    const point = empiricalThreshold(calibratedItems(3000, 3), { targetAccuracy: 0.95 });
    expect(point.coverage).toBeGreaterThan(guaranteed.coverage);
  });
});
