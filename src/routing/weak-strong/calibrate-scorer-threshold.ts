import { RightsizeError } from '../../errors/rightsize-error.ts';
import type { RoutedOutcome } from './routing-metrics.ts';

/** Input of {@link calibrateScorerThreshold}. */
export interface CalibrateScorerThresholdOptions {
  /** P(weak answer acceptable) per item, from a scorer that never trained on the item (cross-validated). */
  acceptProbabilities: readonly number[];
  /** The items' recorded outcomes, aligned with `acceptProbabilities`. */
  outcomes: readonly RoutedOutcome[];
  /** Target quality as a share of the strong model's mean quality, in (0, 1], e.g. 0.95. */
  targetShareOfStrong: number;
}

/** The chosen threshold and what it gave on the calibration items. */
export interface ScorerThreshold {
  /** Accept the weak answer when the scorer's probability is >= this; `Infinity` escalates everything. */
  threshold: number;
  /** Mean quality of the cascade at this threshold (accuracy in [0, 1] or mean judge score). */
  quality: number;
  /** The target quality (`targetShareOfStrong` x the strong model's mean quality). */
  targetQuality: number;
  /** Share of items whose weak answer is accepted. */
  acceptShare: number;
  /** Share of items escalated to the strong model (`1 - acceptShare`). */
  strongShare: number;
}

/**
 * Chooses the acceptance threshold of a cascade tier: the lowest threshold (the most weak answers
 * accepted, the cheapest) whose cascade quality on the calibration items reaches
 * `targetShareOfStrong` of the strong model's quality. A cascade accepts the weak answer when
 * `score >= threshold` and otherwise pays for the strong model. Candidates are every distinct score
 * and `Infinity` (escalate everything, which always reaches the target when it is at most 1).
 * @throws RightsizeError `invalid_input` when the arrays differ in length, are empty, or the target is out of (0, 1].
 */
export function calibrateScorerThreshold(options: CalibrateScorerThresholdOptions): ScorerThreshold {
  const { acceptProbabilities: scores, outcomes, targetShareOfStrong } = options;
  if (scores.length !== outcomes.length || scores.length === 0) {
    throw new RightsizeError('invalid_input', 'calibration needs one probability per outcome, and at least one');
  }
  if (!(targetShareOfStrong > 0 && targetShareOfStrong <= 1)) {
    throw new RightsizeError('invalid_input', 'targetShareOfStrong must be in (0, 1], e.g. 0.95');
  }
  const count = outcomes.length;
  const strongMean = outcomes.reduce((sum, outcome) => sum + outcome.strongQuality, 0) / count;
  const targetQuality = targetShareOfStrong * strongMean;
  // Sweep thresholds from low to high: items are accepted while their score >= threshold, so
  // raising the threshold past a score moves that item from weak to strong.
  const order = scores.map((_, index) => index).sort((a, b) => scores[a]! - scores[b]!);
  let total = outcomes.reduce((sum, outcome) => sum + outcome.weakQuality, 0);
  let position = 0;
  while (position <= count) {
    const threshold = position < count ? scores[order[position]!]! : Number.POSITIVE_INFINITY;
    if (total / count >= targetQuality - 1e-12) {
      const accepted = count - position;
      return {
        threshold,
        quality: total / count,
        targetQuality,
        acceptShare: accepted / count,
        strongShare: position / count,
      };
    }
    if (position === count) break;
    // Move every item with this exact score to the strong model, then try the next threshold.
    const score = scores[order[position]!]!;
    while (position < count && scores[order[position]!]! === score) {
      const outcome = outcomes[order[position]!]!;
      total += outcome.strongQuality - outcome.weakQuality;
      position++;
    }
  }
  return { threshold: Number.POSITIVE_INFINITY, quality: total / count, targetQuality, acceptShare: 0, strongShare: 1 };
}
