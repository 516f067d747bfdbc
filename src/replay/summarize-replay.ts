import { HUMAN_MODEL_ID } from '../catalog/catalog.ts';
import { priceUsage } from '../routing/price-usage.ts';
import type {
  ReplayAnswer,
  ReplayBaseline,
  ReplayBaselineSummary,
  ReplayGroupSummary,
  ReplayOutcome,
  ReplaySummary,
  ReplayTierSummary,
} from './replay.ts';

/**
 * The scenario table of a replay, from its outcomes: per tier (index and model) the share of all
 * requests it settled, accuracy on the labelled ones whose answer is final (pending reviews are
 * counted apart, never as right or wrong), mean cost and p50 latency; the same for the automated
 * tiers together and for every answered request; the errors; and the answered requests priced as
 * if each had gone to `baseline`'s model, with the saving in percent; apart, the pending reviews a
 * person resolved by the end of the replay, their decisions judged against the labels.
 *
 * An answer is right when it equals the label after trimming, case-insensitively.
 */
export function summarizeReplay(options: {
  route: string;
  outcomes: readonly ReplayOutcome[];
  baseline: ReplayBaseline;
}): ReplaySummary {
  const { outcomes } = options;
  const requests = outcomes.length;
  const answers = outcomes.filter((outcome): outcome is ReplayAnswer => outcome.kind === 'answer');
  const failures = outcomes.filter((outcome) => outcome.kind === 'error');

  const byTier = new Map<string, { tier: number; model: string; answers: ReplayAnswer[] }>();
  for (const answer of answers) {
    const key = `${answer.tier}\u0000${answer.model}`;
    let group = byTier.get(key);
    if (!group) {
      group = { tier: answer.tier, model: answer.model, answers: [] };
      byTier.set(key, group);
    }
    group.answers.push(answer);
  }
  const tiers: ReplayTierSummary[] = [...byTier.values()]
    .sort((a, b) => a.tier - b.tier || a.model.localeCompare(b.model))
    .map((group) => ({
      tier: group.tier,
      model: group.model,
      human: group.model === HUMAN_MODEL_ID,
      ...summarizeGroup(group.answers, requests),
    }));

  const automatedAnswers = answers.filter((answer) => answer.model !== HUMAN_MODEL_ID);
  const messages = new Map<string, number>();
  for (const failure of failures) {
    const message = `${failure.status ?? 'no response'}: ${failure.message}`;
    messages.set(message, (messages.get(message) ?? 0) + 1);
  }
  const skipped = new Map<string, number>();
  for (const answer of answers) for (const model of answer.skipped) skipped.set(model, (skipped.get(model) ?? 0) + 1);

  return {
    route: options.route,
    requests,
    tiers,
    automated: automatedAnswers.length < answers.length ? summarizeGroup(automatedAnswers, requests) : null,
    errors: {
      requests: failures.length,
      share: ratio(failures.length, requests) ?? 0,
      messages: [...messages]
        .map(([message, count]) => ({ message, count }))
        .sort((a, b) => b.count - a.count || a.message.localeCompare(b.message)),
    },
    total: summarizeGroup(answers, requests),
    skipped: [...skipped].map(([model, count]) => ({ model, requests: count })),
    resolvedLater: summarizeResolvedLater(answers),
    baseline: summarizeBaseline(options.baseline, answers, automatedAnswers),
  };
}

/** The pending answers a reviewer decided by the end of the replay, judged against their labels. */
function summarizeResolvedLater(answers: readonly ReplayAnswer[]): ReplaySummary['resolvedLater'] {
  let requests = 0;
  let judged = 0;
  let correct = 0;
  for (const answer of answers) {
    if (answer.resolvedLater === null) continue;
    requests++;
    if (answer.label === undefined) continue;
    judged++;
    if (sameLabel(answer.resolvedLater, answer.label)) correct++;
  }
  return { requests, judged, correct, accuracy: ratio(correct, judged) };
}

function summarizeGroup(answers: readonly ReplayAnswer[], allRequests: number): ReplayGroupSummary {
  let judged = 0;
  let correct = 0;
  let pending = 0;
  let notAccepted = 0;
  let unpriced = 0;
  let totalCostUsd = 0;
  for (const answer of answers) {
    if (answer.review === 'pending') pending++;
    else if (answer.label !== undefined) {
      judged++;
      if (sameLabel(answer.answer, answer.label)) correct++;
    }
    if (answer.accepted === false) notAccepted++;
    if (answer.costUsd === null) unpriced++;
    else totalCostUsd += answer.costUsd;
  }
  const priced = answers.length - unpriced;
  return {
    requests: answers.length,
    share: ratio(answers.length, allRequests) ?? 0,
    judged,
    correct,
    accuracy: ratio(correct, judged),
    pending,
    notAccepted,
    costPerRequestUsd: ratio(totalCostUsd, priced),
    totalCostUsd,
    unpriced,
    p50LatencyMs: median(answers.map((answer) => answer.latencyMs)),
  };
}

function summarizeBaseline(
  baseline: ReplayBaseline,
  answers: readonly ReplayAnswer[],
  automatedAnswers: readonly ReplayAnswer[],
): ReplayBaselineSummary {
  const none = (model: string | null, unavailable: string): ReplayBaselineSummary => ({
    model,
    unavailable,
    requests: answers.length,
    perRequestUsd: null,
    totalUsd: null,
    rightsizeTotalUsd: null,
    savingPercent: null,
    automated: null,
  });
  if ('unavailable' in baseline) return none(baseline.model, baseline.unavailable);
  const costOf = (answer: ReplayAnswer): number | null =>
    priceUsage(baseline.prices, {
      inputTokens: answer.baselineTokens.input,
      cachedInputTokens: 0,
      outputTokens: answer.baselineTokens.output,
      reasoningTokens: 0,
      source: 'tokenizer',
    });
  let totalUsd = 0;
  for (const answer of answers) {
    const cost = costOf(answer);
    if (cost === null) return none(baseline.model, `${baseline.model} has no per-token price in the catalog`);
    totalUsd += cost;
  }
  const rightsizeTotal = sumCosts(answers);
  let automatedBaseline = 0;
  for (const answer of automatedAnswers) automatedBaseline += costOf(answer) ?? 0;
  const automatedRightsize = sumCosts(automatedAnswers);
  return {
    model: baseline.model,
    requests: answers.length,
    perRequestUsd: ratio(totalUsd, answers.length),
    totalUsd,
    rightsizeTotalUsd: rightsizeTotal,
    savingPercent: rightsizeTotal === null ? null : saving(totalUsd, rightsizeTotal),
    automated:
      automatedRightsize === null || automatedAnswers.length === 0
        ? null
        : {
            requests: automatedAnswers.length,
            baselineTotalUsd: automatedBaseline,
            rightsizeTotalUsd: automatedRightsize,
            savingPercent: saving(automatedBaseline, automatedRightsize),
          },
  };
}

/** Sum of the answers' costs; null when any is unpriced (the sum would understate it). */
function sumCosts(answers: readonly ReplayAnswer[]): number | null {
  let total = 0;
  for (const answer of answers) {
    if (answer.costUsd === null) return null;
    total += answer.costUsd;
  }
  return total;
}

function saving(baselineUsd: number, rightsizeUsd: number): number | null {
  return baselineUsd > 0 ? ((baselineUsd - rightsizeUsd) / baselineUsd) * 100 : null;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/** Whether an answer names the label (trimmed, case-insensitive). */
function sameLabel(answer: string | null, label: string): boolean {
  return answer !== null && answer.trim().toLowerCase() === label.trim().toLowerCase();
}

/** The median, interpolating between the middle two of an even count; null for none. */
function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  const low = sorted[Math.floor(middle)] as number;
  const high = sorted[Math.ceil(middle)] as number;
  return (low + high) / 2;
}
