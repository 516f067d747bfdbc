import type { ThresholdCalibration } from '../specialist.ts';
import { clopperPearsonLowerBound } from './clopper-pearson.ts';

/** One scored calibration item: the specialist's top probability and whether its label was right. */
export interface ScoredItem {
  confidence: number;
  correct: boolean;
}

/** What {@link calibrateThreshold} found. */
export interface ThresholdChoice {
  /** Accept when confidence >= threshold; undefined when no threshold reaches the target. */
  threshold: number | undefined;
  /** Share of items accepted at the threshold (0 when none is found). */
  coverage: number;
  /** Accuracy on the accepted items. */
  selectiveAccuracy: number;
  /** One-sided Clopper-Pearson lower bound of that accuracy at the stated confidence (no correction is needed). */
  accuracyLowerBound: number;
  items: number;
  acceptedItems: number;
  /** Thresholds tested before the sequence stopped (0 for a point estimate). */
  steps: number;
}

/**
 * The fixed sequence of candidate thresholds, strictest first: 1 - 10^-e for e from 6 down to 3 in
 * steps of 0.05 (fastText's top probabilities crowd just below 1), then 0.999, 0.998, ..., 0.
 * Fixed before any data is seen, as fixed-sequence testing requires.
 */
export const THRESHOLD_SEQUENCE: readonly number[] = (() => {
  const values = new Set<number>();
  for (let step = 0; step <= 60; step++) values.add(Number((1 - 10 ** -(6 - step * 0.05)).toFixed(9)));
  for (let step = 999; step >= 0; step--) values.add(step / 1000);
  return [...values].sort((a, b) => b - a);
})();

/**
 * The fewest accepted items at which fixed-sequence testing starts: the smallest count `m` whose
 * record with floor(m x (1 - target) / 2) errors (half the error rate the target allows) passes the
 * Clopper-Pearson bound at `confidence`. Thresholds that accept fewer items are skipped, not tested:
 * one early error among the most confident few dozen items would otherwise stop the sequence before
 * it reaches any useful coverage. The rule reads counts only, never labels, so the sequence stays fixed
 * given the confidences and the guarantee holds. Returns `items + 1` when no count up to `items` passes.
 */
export function firstTestedCount(targetAccuracy: number, confidence: number, items: number): number {
  const perfect = Math.ceil(Math.log(1 - confidence) / Math.log(targetAccuracy));
  for (let count = Math.max(1, perfect); count <= items; count++) {
    const errors = Math.floor((count * (1 - targetAccuracy)) / 2);
    if (clopperPearsonLowerBound(count - errors, count, confidence) >= targetAccuracy) return count;
  }
  return items + 1;
}

/**
 * Chooses the lowest acceptance threshold (the highest coverage) whose accepted items have an
 * accuracy of at least `targetAccuracy` with probability `confidence`.
 *
 * Method: Learn-then-Test with fixed-sequence testing (Angelopoulos, Bates, Candes, Jordan and Lei
 * 2021, "Learn then test: calibrating predictive algorithms to achieve risk control", section 4).
 * Along {@link THRESHOLD_SEQUENCE}, strictest first, the null hypothesis "accuracy of the accepted
 * items < target" is tested with the one-sided Clopper-Pearson bound (Clopper & Pearson 1934) at level
 * `confidence`; the sequence stops at the first threshold that fails, and every threshold passed
 * before it is guaranteed simultaneously, so the lowest is returned. Thresholds accepting fewer items
 * than {@link firstTestedCount} are skipped. Unlike the binary search of SGR (Geifman & El-Yaniv 2017,
 * "Selective classification for deep neural networks", Algorithm 1), which tests ceil(log2 n)
 * thresholds at level (1 - confidence) / ceil(log2 n), no Bonferroni factor is paid.
 * @throws RangeError when targetAccuracy or confidence is outside (0, 1).
 */
export function calibrateThreshold(
  items: readonly ScoredItem[],
  options: { targetAccuracy: number; confidence: number },
): ThresholdChoice {
  const { targetAccuracy, confidence } = options;
  if (!(targetAccuracy > 0 && targetAccuracy < 1)) throw new RangeError('targetAccuracy must be in (0, 1)');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('confidence must be in (0, 1)');
  const count = items.length;
  let best: ThresholdChoice = {
    threshold: undefined,
    coverage: 0,
    selectiveAccuracy: 0,
    accuracyLowerBound: 0,
    items: count,
    acceptedItems: 0,
    steps: 0,
  };
  if (count === 0) return best;
  const sorted = [...items].sort((a, b) => b.confidence - a.confidence);
  const start = firstTestedCount(targetAccuracy, confidence, count);
  let accepted = 0;
  let correct = 0;
  let steps = 0;
  for (const threshold of THRESHOLD_SEQUENCE) {
    while (accepted < count && sorted[accepted]!.confidence >= threshold) {
      if (sorted[accepted]!.correct) correct++;
      accepted++;
    }
    if (accepted < start) continue;
    steps++;
    const bound = clopperPearsonLowerBound(correct, accepted, confidence);
    if (bound < targetAccuracy) break;
    best = {
      threshold,
      coverage: accepted / count,
      selectiveAccuracy: correct / accepted,
      accuracyLowerBound: bound,
      items: count,
      acceptedItems: accepted,
      steps,
    };
  }
  return { ...best, steps };
}

/**
 * The point-estimate alternative, without a guarantee: the lowest threshold at which the accuracy
 * measured on the accepted calibration items is at least the target (the most coverage the
 * calibration data shows). About half the time the true accuracy on new data is below the
 * target; use it to see what coverage a model could buy, not to promise an accuracy.
 */
export function empiricalThreshold(items: readonly ScoredItem[], options: { targetAccuracy: number }): ThresholdChoice {
  const sorted = [...items].sort((a, b) => b.confidence - a.confidence);
  let correct = 0;
  let best: ThresholdChoice = {
    threshold: undefined,
    coverage: 0,
    selectiveAccuracy: 0,
    accuracyLowerBound: 0,
    items: items.length,
    acceptedItems: 0,
    steps: 0,
  };
  sorted.forEach((item, index) => {
    if (item.correct) correct++;
    const next = sorted[index + 1];
    // Only cut between distinct confidences: a threshold accepts every item at or above it.
    if (next !== undefined && next.confidence === item.confidence) return;
    const accepted = index + 1;
    if (correct / accepted >= options.targetAccuracy) {
      best = {
        threshold: item.confidence,
        coverage: accepted / items.length,
        selectiveAccuracy: correct / accepted,
        accuracyLowerBound: 0,
        items: items.length,
        acceptedItems: accepted,
        steps: 0,
      };
    }
  });
  return best;
}

/**
 * The record stored with a specialist for a threshold search's result, or undefined when the
 * search found no threshold. `source` says where the calibration items came from.
 */
export function toThresholdCalibration(
  choice: ThresholdChoice,
  context: { targetAccuracy: number; confidence: number; source: string; dataHash?: string },
): ThresholdCalibration | undefined {
  if (choice.threshold === undefined) return undefined;
  return {
    threshold: choice.threshold,
    targetAccuracy: context.targetAccuracy,
    confidence: context.confidence,
    coverage: choice.coverage,
    selectiveAccuracy: choice.selectiveAccuracy,
    accuracyLowerBound: choice.accuracyLowerBound,
    items: choice.items,
    acceptedItems: choice.acceptedItems,
    source: context.source,
    ...(context.dataHash === undefined ? {} : { dataHash: context.dataHash }),
    calibratedAt: new Date().toISOString(),
  };
}
