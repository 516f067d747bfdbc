import { describe, expect, it } from 'vitest';
import type { ReplayAnswer, ReplayOutcome } from './replay.ts';
import { summarizeReplay } from './summarize-replay.ts';

function answer(
  fields: Pick<ReplayAnswer, 'tier' | 'model' | 'answer' | 'costUsd' | 'latencyMs'> &
    Partial<ReplayAnswer> & { tokens: [number, number] },
): ReplayAnswer {
  const { tokens, ...rest } = fields;
  return {
    kind: 'answer',
    review: null,
    reviewId: null,
    resolvedLater: null,
    accepted: true,
    skipped: [],
    baselineTokens: { input: tokens[0], output: tokens[1] },
    ...rest,
  };
}

/** Eight requests: three settled by a specialist (one wrong), two by an LLM, two by a person (one still pending), one error. */
const outcomes: ReplayOutcome[] = [
  answer({ tier: 0, model: 'specialist/s', label: 'A', answer: 'A', costUsd: 0.000001, latencyMs: 1, tokens: [10, 2] }),
  answer({ tier: 0, model: 'specialist/s', label: 'B', answer: 'B', costUsd: 0.000001, latencyMs: 3, tokens: [12, 2] }),
  answer({ tier: 0, model: 'specialist/s', label: 'A', answer: 'B', costUsd: 0.000001, latencyMs: 2, tokens: [8, 2] }),
  answer({ tier: 1, model: 'big', label: 'C', answer: 'C', costUsd: 0.000021, latencyMs: 400, tokens: [20, 4] }),
  answer({ tier: 1, model: 'big', label: 'A', answer: ' a ', costUsd: 0.000031, latencyMs: 600, tokens: [30, 2] }),
  answer({
    tier: 2,
    model: 'human',
    label: 'B',
    answer: 'Awaiting human review (item rv_1).',
    costUsd: 5.000002,
    latencyMs: 20,
    review: 'pending',
    skipped: ['gpt-x'],
    tokens: [10, 2],
  }),
  answer({
    tier: 2,
    model: 'human',
    label: 'C',
    answer: 'C',
    costUsd: 5.000002,
    latencyMs: 40,
    review: 'resolved',
    skipped: ['gpt-x'],
    tokens: [10, 2],
  }),
  {
    kind: 'error',
    label: 'A',
    status: 502,
    message: 'bad gateway',
    latencyMs: 5,
    baselineTokens: { input: 10, output: 2 },
  },
];

// Baseline: $1 per 1M input tokens, $2 per 1M output tokens.
const baseline = { model: 'big', prices: { inputPerMillionUsd: 1, outputPerMillionUsd: 2 } };

describe('summarizeReplay', () => {
  const summary = summarizeReplay({ route: 'triage', outcomes, baseline });

  it('gives each tier its share of all requests, accuracy, mean cost and p50 latency', () => {
    expect(summary.requests).toBe(8);
    expect(summary.tiers.map((tier) => [tier.tier, tier.model, tier.requests])).toEqual([
      [0, 'specialist/s', 3],
      [1, 'big', 2],
      [2, 'human', 2],
    ]);
    const [specialist, llm] = summary.tiers;
    expect(specialist).toMatchObject({ share: 3 / 8, judged: 3, correct: 2, accuracy: 2 / 3, pending: 0 });
    expect(specialist?.costPerRequestUsd).toBeCloseTo(0.000001, 12);
    expect(specialist?.p50LatencyMs).toBe(2);
    // ' a ' names label A once trimmed and lower-cased.
    expect(llm).toMatchObject({ share: 2 / 8, judged: 2, correct: 2, accuracy: 1, p50LatencyMs: 500 });
    expect(llm?.costPerRequestUsd).toBeCloseTo(0.000026, 12);
  });

  it('counts pending reviews apart, neither right nor wrong', () => {
    const human = summary.tiers[2];
    expect(human).toMatchObject({ human: true, pending: 1, judged: 1, correct: 1, accuracy: 1, p50LatencyMs: 30 });
    expect(summary.total).toMatchObject({ requests: 7, share: 7 / 8, judged: 6, correct: 5, pending: 1 });
    expect(summary.total.accuracy).toBeCloseTo(5 / 6, 12);
    // Sorted latencies 1, 2, 3, 20, 40, 400, 600.
    expect(summary.total.p50LatencyMs).toBe(20);
    expect(summary.total.costPerRequestUsd).toBeCloseTo(10.000059 / 7, 10);
    expect(summary.resolvedLater).toEqual({ requests: 0, judged: 0, correct: 0, accuracy: null });
  });

  it('judges, apart, the pending reviews a person resolved by the end of the replay', () => {
    const pending = (label: string, resolvedLater: string | null) =>
      answer({
        tier: 1,
        model: 'human',
        label,
        answer: 'Awaiting human review.',
        costUsd: 5,
        latencyMs: 2,
        review: 'pending',
        reviewId: `rv_${label}`,
        resolvedLater,
        tokens: [10, 2],
      });
    const later = summarizeReplay({
      route: 'triage',
      outcomes: [pending('A', ' a'), pending('B', 'C'), pending('C', null)],
      baseline,
    });
    expect(later.resolvedLater).toEqual({ requests: 2, judged: 2, correct: 1, accuracy: 0.5 });
    // The answers the clients got stay pending in the tier's figures.
    expect(later.tiers[0]).toMatchObject({ pending: 3, judged: 0 });
  });

  it('sums the automated tiers, and shows errors and skipped tiers', () => {
    expect(summary.automated).toMatchObject({ requests: 5, share: 5 / 8, judged: 5, correct: 4, accuracy: 0.8 });
    expect(summary.automated?.costPerRequestUsd).toBeCloseTo(0.000055 / 5, 12);
    // Sorted latencies 1, 2, 3, 400, 600.
    expect(summary.automated?.p50LatencyMs).toBe(3);
    expect(summary.errors).toEqual({
      requests: 1,
      share: 1 / 8,
      messages: [{ message: '502: bad gateway', count: 1 }],
    });
    expect(summary.skipped).toEqual([{ model: 'gpt-x', requests: 2 }]);
  });

  it('prices the answered requests as if all went to the large model, with the saving', () => {
    // Per request (input x $1 + output x $2) / 1M: 14 + 16 + 12 + 28 + 34 + 14 + 14 = 132 millionths.
    expect(summary.baseline.requests).toBe(7);
    expect(summary.baseline.totalUsd).toBeCloseTo(0.000132, 12);
    expect(summary.baseline.perRequestUsd).toBeCloseTo(0.000132 / 7, 12);
    expect(summary.baseline.rightsizeTotalUsd).toBeCloseTo(10.000059, 9);
    // Two human reviews at $5 cost far more than the LLM: the saving is negative.
    expect(summary.baseline.savingPercent).toBeCloseTo(((0.000132 - 10.000059) / 0.000132) * 100, 3);
    // Automated tiers: 55 millionths against 14 + 16 + 12 + 28 + 34 = 104 millionths.
    expect(summary.baseline.automated?.requests).toBe(5);
    expect(summary.baseline.automated?.baselineTotalUsd).toBeCloseTo(0.000104, 12);
    expect(summary.baseline.automated?.savingPercent).toBeCloseTo(((104 - 55) / 104) * 100, 9);
  });

  it('says why there is no baseline, and does not total unpriced answers', () => {
    const unpriced = summarizeReplay({
      route: 'triage',
      outcomes: [
        answer({ tier: 0, model: 'x', label: 'A', answer: 'A', costUsd: null, latencyMs: 1, tokens: [10, 2] }),
        answer({ tier: 0, model: 'x', label: 'A', answer: 'A', costUsd: 0.5, latencyMs: 1, tokens: [10, 2] }),
      ],
      baseline,
    });
    expect(unpriced.total).toMatchObject({ unpriced: 1, costPerRequestUsd: 0.5, totalCostUsd: 0.5 });
    expect(unpriced.baseline.totalUsd).toBeCloseTo(0.000028, 12);
    expect(unpriced.baseline.savingPercent).toBeNull();
    expect(unpriced.automated).toBeNull();

    const none = summarizeReplay({
      route: 'triage',
      outcomes,
      baseline: { model: null, unavailable: 'no llm tier' },
    });
    expect(none.baseline).toMatchObject({
      model: null,
      unavailable: 'no llm tier',
      totalUsd: null,
      savingPercent: null,
    });
  });
});
