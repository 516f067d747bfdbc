import { firstTestedCount, type ScoredItem } from './calibrate-threshold.ts';
import { clopperPearsonLowerBound } from './clopper-pearson.ts';

/**
 * Strictness of the earlier tiers along each search path: on path `p`, tier `i` of `n` accepts at
 * `1 - STRICTNESS[p] ** (n - 1 - i) * (1 - lambda)`, the last tier at `lambda`. A factor below 1
 * makes the cheap tier stricter than the one after it (fastText's top probabilities are less
 * reliable than the ensemble's on Banking77's validation split). Fixed before any data is seen,
 * as fixed-sequence testing requires.
 */
export const CASCADE_PATH_STRICTNESS: readonly number[] = [0.1, 0.2, 0.35, 0.5, 1];

/** The grid of `lambda`, from the most conservative value down: 0.990, 0.989, ..., 0.010. */
const LAMBDA_START = 0.99;
const LAMBDA_STEP = 0.001;
const LAMBDA_END = 0.01;

/** One candidate setting of the tiers' thresholds, as measured on the calibration items. */
export interface CascadeOperatingPoint {
  /** Per tier, in order: accept when its confidence is at least this. */
  thresholds: number[];
  /** Share of items some tier accepts. */
  coverage: number;
  /** Accuracy on the items accepted (each judged by the tier that accepted it). */
  selectiveAccuracy: number;
  /** One-sided Clopper-Pearson lower bound of that accuracy at level 1 - (1 - confidence) / paths; 0 for a point estimate. */
  accuracyLowerBound: number;
  acceptedItems: number;
  /** Per tier: items it settles (accepted there, not earlier) and how many of them are right. */
  tierAccepted: number[];
  tierCorrect: number[];
  /** Index into {@link CASCADE_PATH_STRICTNESS} and the `lambda` of the point. */
  path: number;
  lambda: number;
}

/** What {@link calibrateCascade} found. */
export interface CascadeChoice {
  /** The operating point with a guarantee; undefined when no point of any path passes. */
  guaranteed: CascadeOperatingPoint | undefined;
  /**
   * Without a guarantee: the most coverage at which the measured accuracy reaches the target on
   * the same paths. About half the time the accuracy on new data is below it; shown for scale.
   */
  pointEstimate: CascadeOperatingPoint | undefined;
  items: number;
  tiers: number;
  /** Search paths, the Bonferroni divisor of `1 - confidence`. */
  paths: number;
  /** Confidence level of each path's tests: 1 - (1 - confidence) / paths. */
  level: number;
}

/** Options of {@link calibrateCascade}. */
export interface CalibrateCascadeOptions {
  /** Accuracy required on everything the tiers accept together, in (0, 1), e.g. 0.97. */
  targetAccuracy: number;
  /** Probability that the guarantee holds, in (0, 1), e.g. 0.95. */
  confidence: number;
  /**
   * Among guaranteed points whose coverage is within this of the best, keep the one where the
   * first tier settles the largest share (it is the cheapest and fastest). @default 0.01
   */
  coverageSlack?: number;
}

/**
 * Chooses the acceptance thresholds of a cascade of classifiers together, so that the accuracy on
 * everything the tiers accept (each item judged by the first tier that accepts it) is at least
 * `targetAccuracy` with probability `confidence`, with as much coverage as the calibration items
 * allow. `items[row][tier]` is tier `tier`'s top probability on calibration row `row` and whether its
 * label was right; the rows must be held out from the training of every tier.
 *
 * Method: Learn-then-Test (Angelopoulos, Bates, Candes, Jordan and Lei 2021, "Learn then test:
 * calibrating predictive algorithms to achieve risk control", section 4, fixed-sequence testing).
 * Each path of {@link CASCADE_PATH_STRICTNESS} is a sequence of threshold settings fixed in advance,
 * from strict to lenient (a lambda grid from 0.99 down in steps of 0.001); along it the null
 * hypothesis "accuracy < target" is tested with the one-sided Clopper-Pearson bound (Clopper and
 * Pearson 1934) at level `(1 - confidence) / paths` (Bonferroni over paths), stopping at the first
 * point that fails. Every point passed before the stop is guaranteed simultaneously, so any of them
 * may be chosen: the most coverage, then (within `coverageSlack`) the largest first-tier share.
 * Points that accept fewer items than `firstTestedCount` are skipped, not failed (a rule that
 * reads counts, never labels). Unlike the binary search of SGR (Geifman and El-Yaniv
 * 2017), no Bonferroni factor is paid for the steps along a path.
 * @throws RangeError when targetAccuracy or confidence is outside (0, 1), or rows hold different tier counts.
 */
export function calibrateCascade(
  items: readonly (readonly ScoredItem[])[],
  options: CalibrateCascadeOptions,
): CascadeChoice {
  const { targetAccuracy, confidence } = options;
  if (!(targetAccuracy > 0 && targetAccuracy < 1)) throw new RangeError('targetAccuracy must be in (0, 1)');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('confidence must be in (0, 1)');
  const count = items.length;
  const tiers = items[0]?.length ?? 0;
  if (items.some((row) => row.length !== tiers)) throw new RangeError('every row needs one scored item per tier');
  const paths = CASCADE_PATH_STRICTNESS.length;
  const level = 1 - (1 - confidence) / paths;
  const choice: CascadeChoice = { guaranteed: undefined, pointEstimate: undefined, items: count, tiers, paths, level };
  if (count === 0 || tiers === 0) return choice;
  const fewestTested = firstTestedCount(targetAccuracy, level, count);
  const slack = options.coverageSlack ?? 0.01;
  const passed: CascadeOperatingPoint[] = [];
  const measured: CascadeOperatingPoint[] = [];
  for (const [path, strictness] of CASCADE_PATH_STRICTNESS.entries()) {
    let stopped = false;
    for (let step = 0; ; step++) {
      const lambda = Number((LAMBDA_START - step * LAMBDA_STEP).toFixed(6));
      if (lambda < LAMBDA_END) break;
      const thresholds = Array.from(
        { length: tiers },
        (_, tier) => 1 - strictness ** (tiers - 1 - tier) * (1 - lambda),
      );
      const point = measure(items, thresholds, path, lambda);
      measured.push(point);
      if (stopped || point.acceptedItems < fewestTested) continue;
      const correct = Math.round(point.selectiveAccuracy * point.acceptedItems);
      const bound = clopperPearsonLowerBound(correct, point.acceptedItems, level);
      if (bound >= targetAccuracy) passed.push({ ...point, accuracyLowerBound: bound });
      else stopped = true;
    }
  }
  choice.guaranteed = pickPoint(passed, slack);
  choice.pointEstimate = pickPoint(
    measured.filter((point) => point.acceptedItems > 0 && point.selectiveAccuracy >= targetAccuracy),
    slack,
  );
  return choice;
}

/** Accepted and correct items per tier when tier `i` accepts at `thresholds[i]`. */
function measure(
  items: readonly (readonly ScoredItem[])[],
  thresholds: number[],
  path: number,
  lambda: number,
): CascadeOperatingPoint {
  const tierAccepted = thresholds.map(() => 0);
  const tierCorrect = thresholds.map(() => 0);
  for (const row of items) {
    const tier = row.findIndex((item, index) => item.confidence >= (thresholds[index] ?? Number.POSITIVE_INFINITY));
    if (tier < 0) continue;
    tierAccepted[tier] = (tierAccepted[tier] ?? 0) + 1;
    if (row[tier]?.correct) tierCorrect[tier] = (tierCorrect[tier] ?? 0) + 1;
  }
  const acceptedItems = tierAccepted.reduce((sum, value) => sum + value, 0);
  const correct = tierCorrect.reduce((sum, value) => sum + value, 0);
  return {
    thresholds,
    coverage: items.length === 0 ? 0 : acceptedItems / items.length,
    selectiveAccuracy: acceptedItems === 0 ? 0 : correct / acceptedItems,
    accuracyLowerBound: 0,
    acceptedItems,
    tierAccepted,
    tierCorrect,
    path,
    lambda,
  };
}

/** The most coverage; within `slack` of it, the largest share settled by the first tier. */
function pickPoint(points: CascadeOperatingPoint[], slack: number): CascadeOperatingPoint | undefined {
  const best = Math.max(...points.map((point) => point.coverage));
  let chosen: CascadeOperatingPoint | undefined;
  for (const point of points) {
    if (point.coverage < best - slack - 1e-12) continue;
    const first = point.tierAccepted[0] ?? 0;
    const chosenFirst = chosen?.tierAccepted[0] ?? -1;
    if (first > chosenFirst || (first === chosenFirst && point.coverage > (chosen?.coverage ?? -1))) chosen = point;
  }
  return chosen;
}
