import { describe, expect, it } from 'vitest';
import { seededRandom } from '../split-train-valid.ts';
import { CASCADE_PATH_STRICTNESS, type CascadeOperatingPoint, calibrateCascade } from './calibrate-cascade.ts';
import type { ScoredItem } from './calibrate-threshold.ts';
import { clopperPearsonLowerBound } from './clopper-pearson.ts';

/**
 * Rows of a two-tier cascade: a cheap tier whose confidence overstates its accuracy
 * (right with probability confidence^3) and a calibrated one (right with probability confidence).
 */
function cascadeRows(count: number, seed: number): ScoredItem[][] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const cheap = 0.3 + 0.7 * random() ** 0.3;
    const strong = 0.3 + 0.7 * random() ** 0.3;
    return [
      { confidence: cheap, correct: random() < cheap ** 3 },
      { confidence: strong, correct: random() < strong },
    ];
  });
}

/** Accuracy and coverage of a cascade at the given thresholds, counted directly. */
function replay(rows: ScoredItem[][], thresholds: number[]): { accepted: number; correct: number; first: number } {
  let accepted = 0;
  let correct = 0;
  let first = 0;
  for (const row of rows) {
    const tier = row.findIndex((item, index) => item.confidence >= (thresholds[index] ?? 2));
    if (tier < 0) continue;
    accepted++;
    if (tier === 0) first++;
    if (row[tier]?.correct) correct++;
  }
  return { accepted, correct, first };
}

describe('calibrateCascade', () => {
  it('returns thresholds whose accepted rows clear the target at the per-path level, with the counts right', () => {
    const rows = cascadeRows(5000, 1);
    const choice = calibrateCascade(rows, { targetAccuracy: 0.93, confidence: 0.95 });
    const point = choice.guaranteed as CascadeOperatingPoint;
    expect(point).toBeDefined();
    expect(choice.paths).toBe(CASCADE_PATH_STRICTNESS.length);
    expect(choice.level).toBeCloseTo(1 - 0.05 / CASCADE_PATH_STRICTNESS.length, 12);
    const counted = replay(rows, point.thresholds);
    expect(point.acceptedItems).toBe(counted.accepted);
    expect(point.tierAccepted[0]).toBe(counted.first);
    expect(point.tierAccepted.reduce((sum, value) => sum + value, 0)).toBe(counted.accepted);
    expect(point.coverage).toBeCloseTo(counted.accepted / rows.length, 12);
    expect(point.selectiveAccuracy).toBeCloseTo(counted.correct / counted.accepted, 12);
    expect(point.accuracyLowerBound).toBeCloseTo(
      clopperPearsonLowerBound(counted.correct, counted.accepted, choice.level),
      12,
    );
    expect(point.accuracyLowerBound).toBeGreaterThanOrEqual(0.93);
    // The overconfident first tier is held to a stricter threshold than the second.
    expect(point.thresholds[0]).toBeGreaterThan(point.thresholds[1] ?? 1);
    expect(point.coverage).toBeGreaterThan(0.2);
    expect(point.coverage).toBeLessThan(0.95);
  });

  it('keeps its promise on fresh rows from the same models (repeated trials)', () => {
    let failures = 0;
    let found = 0;
    const trials = 30;
    for (let trial = 0; trial < trials; trial++) {
      const choice = calibrateCascade(cascadeRows(1000, 100 + trial), { targetAccuracy: 0.9, confidence: 0.9 });
      if (choice.guaranteed === undefined) continue;
      found++;
      const fresh = replay(cascadeRows(20_000, 10_000 + trial), choice.guaranteed.thresholds);
      if (fresh.correct / fresh.accepted < 0.9) failures++;
    }
    expect(found).toBeGreaterThan(trials / 2);
    // At confidence 0.9, at most about 10 % of trials may miss; in practice the bound is conservative.
    expect(failures).toBeLessThanOrEqual(3);
  });

  it('gives the point estimate more coverage than the guarantee, and no bound', () => {
    const choice = calibrateCascade(cascadeRows(2000, 5), { targetAccuracy: 0.93, confidence: 0.95 });
    expect(choice.pointEstimate?.coverage).toBeGreaterThan(choice.guaranteed?.coverage ?? 1);
    expect(choice.pointEstimate?.selectiveAccuracy).toBeGreaterThanOrEqual(0.93);
    expect(choice.pointEstimate?.accuracyLowerBound).toBe(0);
  });

  it('guarantees nothing when too few rows could prove the target, and says so', () => {
    const rows = cascadeRows(40, 9);
    const choice = calibrateCascade(rows, { targetAccuracy: 0.97, confidence: 0.95 });
    expect(choice.guaranteed).toBeUndefined();
    expect(choice.items).toBe(40);
    expect(choice.tiers).toBe(2);
  });

  it('stops a path at its first failed test (fixed-sequence testing)', () => {
    // Right at high confidence, wrong in a band below, right again further down: the band stops
    // every path, so the lenient thresholds that would pass again are never reached.
    const rows: ScoredItem[][] = Array.from({ length: 3000 }, (_, index) => {
      const confidence = 1 - index / 3000;
      const correct = !(confidence < 0.6 && confidence > 0.55);
      return [{ confidence, correct }];
    });
    const choice = calibrateCascade(rows, { targetAccuracy: 0.9, confidence: 0.95 });
    expect(choice.guaranteed?.thresholds[0]).toBeGreaterThan(0.55);
    const lenient = replay(rows, [0.01]);
    expect(lenient.correct / lenient.accepted).toBeGreaterThan(0.9);
  });

  it('rejects targets outside (0, 1) and rows with different tier counts', () => {
    expect(() => calibrateCascade([], { targetAccuracy: 1, confidence: 0.9 })).toThrow(RangeError);
    expect(() => calibrateCascade([], { targetAccuracy: 0.9, confidence: 0 })).toThrow(RangeError);
    expect(() =>
      calibrateCascade(
        [
          [{ confidence: 0.9, correct: true }],
          [
            { confidence: 0.9, correct: true },
            { confidence: 0.9, correct: true },
          ],
        ],
        { targetAccuracy: 0.9, confidence: 0.9 },
      ),
    ).toThrow(RangeError);
  });
});
