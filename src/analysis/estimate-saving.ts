/** Milliseconds in the 30-day month that monthly figures use. */
export const MONTH_MS = 30 * 24 * 3_600_000;

/** Inputs of {@link estimateSaving}; costs in USD. */
export interface SavingInputs {
  /** Requests of the family per 30-day month at the observed rate. */
  requestsPerMonth: number;
  /** Mean cost of one request as served today, in USD. */
  costPerRequestUsd: number;
  /** Share of requests the specialist settles (answers itself, at the target accuracy), in [0, 1]. */
  coverage: number;
  /** Cost of one specialist call, in USD (config `specialists.costPerCallUsd`). */
  specialistCostPerCallUsd: number;
}

/** What moving a family behind a specialist cascade saves. */
export interface SavingEstimate {
  /** Cost per request today, in USD. */
  currentCostPerRequestUsd: number;
  /**
   * Cost per request with the cascade: every request pays the specialist, and the requests it does
   * not settle also pay the model they are served by today.
   */
  cascadeCostPerRequestUsd: number;
  savingPerRequestUsd: number;
  /** Saving over a 30-day month at the observed rate, in USD (negative: the cascade costs more). */
  monthlySavingUsd: number;
  /** Saving as a share of today's cost, in [-inf, 1]. */
  savingShare: number;
}

/**
 * The saving arithmetic of a cascade `[specialist -> today's model]`:
 * cascade cost = specialist cost + (1 - coverage) x today's cost per request; saving per request =
 * coverage x today's cost - specialist cost; monthly saving = requests per month x saving per request.
 * Escalated requests are assumed to cost what they cost today (the same prompt, the same model).
 */
export function estimateSaving(inputs: SavingInputs): SavingEstimate {
  const coverage = Math.min(1, Math.max(0, inputs.coverage));
  const current = inputs.costPerRequestUsd;
  const cascade = inputs.specialistCostPerCallUsd + (1 - coverage) * current;
  const perRequest = current - cascade;
  return {
    currentCostPerRequestUsd: current,
    cascadeCostPerRequestUsd: cascade,
    savingPerRequestUsd: perRequest,
    monthlySavingUsd: perRequest * inputs.requestsPerMonth,
    savingShare: current > 0 ? perRequest / current : 0,
  };
}

/**
 * Coverage a distilled classifier is expected to reach before one is trained: the share of requests
 * whose answer is a label with enough examples to learn (`minExamplesPerLabel`), times the share of
 * those a calibrated specialist settles at a 97-98 % target. The prior factor is the coverage the
 * Banking77 ensemble specialist reached on its validation split at a 98 % target with 95 % confidence
 * (0.65-0.67, `rightsize bench specialist`), rounded up a little for a 97 % target; `distill`
 * replaces the estimate with the measured calibration.
 */
export function estimateCoverage(options: {
  /** Count of each distinct answer. */
  answerCounts: ReadonlyMap<string, number>;
  /** @default 10 */
  minExamplesPerLabel?: number;
  /** @default 0.7 */
  settledShareOfLearnable?: number;
}): { coverage: number; learnableShare: number } {
  const minimum = options.minExamplesPerLabel ?? 10;
  let total = 0;
  let learnable = 0;
  for (const count of options.answerCounts.values()) {
    total += count;
    if (count >= minimum) learnable += count;
  }
  const learnableShare = total > 0 ? learnable / total : 0;
  // One label alone needs no classifier, and the specialist trainer needs two.
  const labels = [...options.answerCounts.values()].filter((count) => count >= minimum).length;
  if (labels < 2) return { coverage: 0, learnableShare };
  return { coverage: learnableShare * (options.settledShareOfLearnable ?? 0.7), learnableShare };
}
