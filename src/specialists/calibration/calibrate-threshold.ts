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
  /** Clopper-Pearson lower bound of that accuracy at confidence 1 - (1 - confidence) / steps. */
  accuracyLowerBound: number;
  items: number;
  acceptedItems: number;
  /** Thresholds tested by the binary search (the Bonferroni divisor). */
  steps: number;
}

/**
 * Chooses the lowest acceptance threshold (the highest coverage) whose accepted items have an
 * accuracy of at least `targetAccuracy` with probability `confidence`.
 *
 * The search is "selection with guaranteed risk" (SGR), Algorithm 1 of Geifman & El-Yaniv 2017,
 * "Selective classification for deep neural networks" (NeurIPS): a binary search over the sorted
 * confidences that tests ceil(log2 n) thresholds, each with the one-sided Clopper-Pearson bound
 * (Clopper & Pearson 1934) at level (1 - confidence) / ceil(log2 n), so that by the union bound the
 * guarantee holds for the threshold returned. Among the thresholds that pass, the lowest is kept.
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
  const none: ThresholdChoice = {
    threshold: undefined,
    coverage: 0,
    selectiveAccuracy: 0,
    accuracyLowerBound: 0,
    items: count,
    acceptedItems: 0,
    steps: 0,
  };
  if (count === 0) return none;
  const sorted = [...items].sort((a, b) => a.confidence - b.confidence);
  // correctFrom[i]: correct items among sorted[i..]; firstAtLeast finds where a threshold's acceptance starts.
  const correctFrom = new Int32Array(count + 1);
  for (let index = count - 1; index >= 0; index--) {
    correctFrom[index] = correctFrom[index + 1]! + (sorted[index]!.correct ? 1 : 0);
  }
  const firstAtLeast = (threshold: number): number => {
    let low = 0;
    let high = count;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (sorted[middle]!.confidence < threshold) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const steps = Math.max(1, Math.ceil(Math.log2(count)));
  const level = 1 - (1 - confidence) / steps;
  let best: ThresholdChoice = { ...none, steps };
  // Positions are 0-based into the ascending order; the paper's z runs from 1 to m.
  let low = 0;
  let high = count - 1;
  for (let step = 0; step < steps; step++) {
    const position = Math.ceil((low + high) / 2);
    const threshold = sorted[position]!.confidence;
    const start = firstAtLeast(threshold);
    const accepted = count - start;
    const correct = correctFrom[start]!;
    const bound = clopperPearsonLowerBound(correct, accepted, level);
    if (bound >= targetAccuracy) {
      if (best.threshold === undefined || threshold < best.threshold) {
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
      high = position;
    } else {
      low = position;
    }
    if (high - low <= 0) break;
  }
  return best;
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
