import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadOutcomeFile } from './load-outcome-file.ts';
import { modelQualities } from './outcome-set.ts';
import {
  averagePerformanceGapRecovered,
  callPerformanceThreshold,
  optimalCallPerformanceThreshold,
  optimalQuality,
  quantileThresholds,
  routingCurve,
} from './routing-metrics.ts';

const tiny = loadOutcomeFile(fileURLToPath(new URL('./fixtures/tiny-outcomes.jsonl', import.meta.url)));
// Router scores for items a..e (higher = strong). Hand computation in the comments below.
const scores = [0.9, 0.1, 0.5, 0.3, 0.7];

describe('RouteLLM metrics on a tiny outcome file', () => {
  it('loads the file: weak 2/5, strong 3/5', () => {
    expect(tiny.items.map((item) => item.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(tiny.qualityKind).toBe('accuracy');
    expect(modelQualities(tiny)).toEqual({ weak: 0.4, strong: 0.6 });
  });

  it('cuts thresholds at pandas.qcut deciles (linear interpolation)', () => {
    // sorted 0.1 0.3 0.5 0.7 0.9; decile q sits at position 4q: q=0.1 -> 0.1 + 0.4 * 0.2 = 0.18
    const edges = quantileThresholds(scores);
    const expected = [0.1, 0.18, 0.26, 0.34, 0.42, 0.5, 0.58, 0.66, 0.74, 0.82, 0.9];
    expect(edges).toHaveLength(11);
    for (const [index, value] of expected.entries()) expect(edges[index]).toBeCloseTo(value, 12);
  });

  it('builds the quality-vs-strong-share curve', () => {
    const curve = routingCurve(tiny.items, scores);
    // >= 0.1: all strong (0.6); >= 0.18 and 0.26: b weak (0.6 at 80 %); >= 0.34..0.5: b, d weak
    // (0.8 at 60 %); >= 0.58, 0.66: c weak too (0.8 at 40 %); >= 0.74, 0.82: only a strong (0.6 at
    // 20 %); > 0.9: none (0.4 at 0 %).
    expect(curve.map((point) => [point.strongShare, point.quality])).toEqual([
      [0, 0.4],
      [0.2, 0.6],
      [0.2, 0.6],
      [0.4, 0.8],
      [0.4, 0.8],
      [0.6, 0.8],
      [0.6, 0.8],
      [0.6, 0.8],
      [0.8, 0.6],
      [0.8, 0.6],
      [1, 0.6],
    ]);
  });

  it('computes CPT(50 %), CPT(80 %) and APGR by hand', () => {
    const curve = routingCurve(tiny.items, scores);
    const range = modelQualities(tiny);
    // target 0.4 + 0.5 * 0.2 = 0.5, between (0, 0.4) and (0.2, 0.6): 0.1
    expect(callPerformanceThreshold(curve, range, 0.5)).toBeCloseTo(0.1, 12);
    // target 0.56: 0.2 * 0.16 / 0.2 = 0.16
    expect(callPerformanceThreshold(curve, range, 0.8)).toBeCloseTo(0.16, 12);
    // AUC = 0.1 + 0.14 + 0.16 + 0.14 + 0.12 = 0.66; APGR = (0.66 - 0.4) / (0.6 - 0.4) = 1.3
    expect(averagePerformanceGapRecovered(curve, range)).toBeCloseTo(1.3, 12);
  });

  it('gives the all-weak router CPT of 100 % and APGR 0.5 for a constant score', () => {
    const curve = routingCurve(tiny.items, [0, 0, 0, 0, 0]);
    // every edge is 0: >= 0 sends all strong; > 0 sends none: a straight line from weak to strong
    expect(curve.map((point) => point.strongShare)).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(averagePerformanceGapRecovered(curve, modelQualities(tiny))).toBeCloseTo(0.5, 12);
    expect(callPerformanceThreshold(curve, modelQualities(tiny), 0.5)).toBeCloseTo(0.5, 12);
  });

  it('computes the optimal (oracle) quality and CPT as RouteLLM does', () => {
    // strong-only wins: a and e. 20 % strong calls = 1 prompt -> 0.4 + 1/5
    expect(optimalQuality(tiny.items, 0.2)).toBeCloseTo(0.6, 12);
    expect(optimalQuality(tiny.items, 0.1)).toBeCloseTo(0.5, 12);
    expect(optimalQuality(tiny.items, 1)).toBeCloseTo(0.8, 12);
    const range = modelQualities(tiny);
    expect(optimalCallPerformanceThreshold(tiny.items, range, 0.5)).toBeCloseTo(0.1, 12);
    expect(optimalCallPerformanceThreshold(tiny.items, range, 0.8)).toBeCloseTo(0.16, 12);
  });

  it('charges a cascade the weak call on every prompt', () => {
    const costs = tiny.items.map(() => ({ weakUsd: 1, strongUsd: 10 }));
    const pre = routingCurve(tiny.items, scores, { costs, costMode: 'pre' });
    const cascade = routingCurve(tiny.items, scores, { costs, costMode: 'cascade' });
    // at 20 % strong: pre = (4 * 1 + 10) / 5 = 2.8; cascade = (5 * 1 + 10) / 5 = 3
    expect(pre[1]?.costUsd).toBeCloseTo(2.8, 12);
    expect(cascade[1]?.costUsd).toBeCloseTo(3, 12);
    // when an escalation has only paid a first weak turn (0.5), the strong conversation pays the rest
    const turns = tiny.items.map(() => ({ weakUsd: 1, strongUsd: 10, cascadeWeakUsd: 0.5 }));
    const partial = routingCurve(tiny.items, scores, { costs: turns, costMode: 'cascade' });
    // at 20 % strong: (4 * 1 + 10 + 0.5) / 5 = 2.9
    expect(partial[1]?.costUsd).toBeCloseTo(2.9, 12);
  });
});
