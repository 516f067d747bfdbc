import { describe, expect, it } from 'vitest';
import { seededRandom } from '../split-train-valid.ts';
import {
  calibrateThreshold,
  empiricalThreshold,
  firstTestedCount,
  type ScoredItem,
  THRESHOLD_SEQUENCE,
} from './calibrate-threshold.ts';
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
  it('returns a threshold of the fixed sequence whose accepted items clear the target at the stated confidence', () => {
    const items = calibratedItems(4000, 1);
    const choice = calibrateThreshold(items, { targetAccuracy: 0.95, confidence: 0.95 });
    expect(choice.threshold).toBeDefined();
    const accepted = items.filter((item) => item.confidence >= (choice.threshold ?? 2));
    const correct = accepted.filter((item) => item.correct).length;
    expect(choice.acceptedItems).toBe(accepted.length);
    expect(choice.selectiveAccuracy).toBeCloseTo(correct / accepted.length, 12);
    expect(THRESHOLD_SEQUENCE).toContain(choice.threshold);
    expect(choice.steps).toBeGreaterThan(1);
    expect(choice.accuracyLowerBound).toBeCloseTo(clopperPearsonLowerBound(correct, accepted.length, 0.95), 12);
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
    // The guarantee allows 10 % of calibrations to miss.
    expect(failures / trials).toBeLessThanOrEqual(0.1);
  });

  it('stops at the first threshold that fails, even when a lower one would pass again', () => {
    // 300 right at 0.99, then 40 wrong at 0.95, then 2,000 right at 0.9: accepting down to 0.9 would
    // pass (2,300 / 2,340), but the sequence fails at 0.95 first and must keep 0.99's threshold.
    const items: ScoredItem[] = [
      ...Array.from({ length: 300 }, () => ({ confidence: 0.99, correct: true })),
      ...Array.from({ length: 40 }, () => ({ confidence: 0.95, correct: false })),
      ...Array.from({ length: 2000 }, () => ({ confidence: 0.9, correct: true })),
    ];
    const choice = calibrateThreshold(items, { targetAccuracy: 0.95, confidence: 0.95 });
    expect(choice.threshold).toBeGreaterThan(0.95);
    expect(choice.threshold).toBeLessThanOrEqual(0.99);
    expect(choice.acceptedItems).toBe(300);
  });

  it('skips, without failing, thresholds that accept fewer items than the first tested count', () => {
    // One confidently wrong item on top, then a long run of right ones: a test at 1 item would stop
    // the sequence at once; counting first, the threshold reaches the bulk.
    const items: ScoredItem[] = [
      { confidence: 0.9999, correct: false },
      ...Array.from({ length: 1000 }, (_, index) => ({ confidence: 0.99 - index * 1e-5, correct: true })),
    ];
    const start = firstTestedCount(0.97, 0.95, items.length);
    expect(start).toBeGreaterThan(100);
    expect(start).toBeLessThan(400);
    const choice = calibrateThreshold(items, { targetAccuracy: 0.97, confidence: 0.95 });
    expect(choice.acceptedItems).toBeGreaterThan(900);
    expect(firstTestedCount(0.97, 0.95, 50)).toBe(51);
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
