import { RightsizeError } from '../../errors/rightsize-error.ts';

/**
 * RouteLLM's evaluation of a router, re-implemented from lm-sys/RouteLLM `routellm/evals/benchmarks.py`
 * and `routellm/evals/evaluate.py` (commit 0b64fdaf) and Ong et al. 2024, "RouteLLM: Learning to
 * Route LLMs with Preference Data" (arXiv:2406.18665), section 5.
 *
 * A router gives every prompt a score (higher = send to the strong model). The thresholds are the
 * 11 edges of `pandas.qcut(scores, 10)`: the minimum, the 9 inner deciles (linear interpolation,
 * pandas' default) and the maximum. At every edge but the last a prompt goes to the strong model
 * when its score is >= the edge; at the last (the maximum) when it is > the edge. So the first
 * point sends everything to the strong model and the last sends everything to the weak one.
 */

/** The outcome of one prompt, as the metrics read it. */
export interface RoutedOutcome {
  weakQuality: number;
  strongQuality: number;
}

/** One point of a quality-vs-cost curve. */
export interface RoutingPoint {
  /** The score threshold of this point. */
  threshold: number;
  /** Share of prompts sent to the strong model, in [0, 1]. */
  strongShare: number;
  /** Mean quality over all prompts (accuracy in [0, 1], or mean judge score). */
  quality: number;
  /** Mean cost per prompt in USD, when per-prompt costs were given. */
  costUsd?: number;
}

/** Per-prompt prices of a routed pair, in USD. */
export interface RoutedCost {
  /** Cost of answering this prompt with the weak model, USD. */
  weakUsd: number;
  /** Cost of answering this prompt with the strong model, USD. */
  strongUsd: number;
  /**
   * What a cascade has spent on the weak model when it escalates (e.g. the first turn only, when
   * the strong model then takes the whole conversation), USD. @default weakUsd
   */
  cascadeWeakUsd?: number;
}

/** Options of {@link routingCurve}. */
export interface RoutingCurveOptions {
  /** Number of quantile bins; the curve has `bins + 1` points. @default 10 (RouteLLM's `--num-results`) */
  bins?: number;
  /** Per-prompt costs, aligned with the outcomes; enables `costUsd`. */
  costs?: readonly RoutedCost[];
  /**
   * `pre`: a pre-router pays one model per prompt. `cascade`: the weak model runs on every prompt
   * and an escalated prompt pays the strong model too. @default 'pre'
   */
  costMode?: 'pre' | 'cascade';
}

/**
 * Quantile `q` of already sorted values, with linear interpolation between order statistics
 * (`numpy.quantile`'s and `pandas.Series.quantile`'s default).
 */
export function linearQuantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RightsizeError('invalid_input', 'cannot take a quantile of no scores');
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(sorted.length - 1, low + 1);
  const lowValue = sorted[low]!;
  return lowValue + (sorted[high]! - lowValue) * (position - low);
}

/** The `bins + 1` threshold edges of `pandas.qcut(scores, bins, retbins=True)`, duplicates kept. */
export function quantileThresholds(scores: readonly number[], bins = 10): number[] {
  const sorted = [...scores].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let index = 0; index <= bins; index++) edges.push(linearQuantile(sorted, index / bins));
  return edges;
}

/**
 * The quality-vs-strong-share curve of a router over an outcome set, one point per threshold
 * (see the module comment), sorted by strong share (ties keep threshold order).
 * @throws RightsizeError `invalid_input` when scores and outcomes differ in length or are empty.
 */
export function routingCurve(
  outcomes: readonly RoutedOutcome[],
  scores: readonly number[],
  options: RoutingCurveOptions = {},
): RoutingPoint[] {
  if (outcomes.length !== scores.length || outcomes.length === 0) {
    throw new RightsizeError('invalid_input', `need one score per outcome (${scores.length} for ${outcomes.length})`);
  }
  if (options.costs && options.costs.length !== outcomes.length) {
    throw new RightsizeError('invalid_input', 'need one cost per outcome');
  }
  const thresholds = quantileThresholds(scores, options.bins ?? 10);
  const cascade = options.costMode === 'cascade';
  const points: RoutingPoint[] = thresholds.map((threshold, index) => {
    const last = index === thresholds.length - 1;
    let strongCount = 0;
    let quality = 0;
    let cost = 0;
    for (const [item, outcome] of outcomes.entries()) {
      const score = scores[item]!;
      const strong = last ? score > threshold : score >= threshold;
      const price = options.costs?.[item];
      if (strong) {
        strongCount++;
        quality += outcome.strongQuality;
        if (price) cost += price.strongUsd + (cascade ? (price.cascadeWeakUsd ?? price.weakUsd) : 0);
      } else {
        quality += outcome.weakQuality;
        if (price) cost += price.weakUsd;
      }
    }
    const point: RoutingPoint = {
      threshold,
      strongShare: strongCount / outcomes.length,
      quality: quality / outcomes.length,
    };
    if (options.costs) point.costUsd = cost / outcomes.length;
    return point;
  });
  return points
    .map((point, index) => ({ point, index }))
    .sort((a, b) => a.point.strongShare - b.point.strongShare || a.index - b.index)
    .map(({ point }) => point);
}

/** The weak-only and strong-only qualities a curve is measured against. */
export interface QualityRange {
  weak: number;
  strong: number;
}

/**
 * CPT(x), the call-performance threshold: the share of strong-model calls a router needs to reach
 * quality `weak + x * (strong - weak)`, i.e. to recover `x` of the weak-to-strong gap (Ong et al. 2024,
 * section 5.1). Like RouteLLM (`numpy.interp(target, quality, strongShare)` over the points sorted by
 * strong share), it interpolates linearly between the two curve points around the target. RouteLLM's
 * `numpy.interp` assumes quality rises with strong share; where a curve dips, this returns the first
 * crossing (the smallest share that reaches the target), which equals `numpy.interp` on rising curves.
 * @param curve points sorted by strong share (as {@link routingCurve} returns them)
 * @param fraction x in [0, 1], e.g. 0.5 for CPT(50 %)
 * @returns a share of strong calls in [0, 1]; the last point's share when the target is never reached.
 */
export function callPerformanceThreshold(
  curve: readonly RoutingPoint[],
  range: QualityRange,
  fraction: number,
): number {
  const target = range.weak + fraction * (range.strong - range.weak);
  const first = curve[0];
  if (!first) throw new RightsizeError('invalid_input', 'a routing curve needs at least one point');
  if (first.quality >= target) return first.strongShare;
  for (let index = 1; index < curve.length; index++) {
    const previous = curve[index - 1]!;
    const point = curve[index]!;
    if (point.quality >= target && previous.quality < target) {
      const t = (target - previous.quality) / (point.quality - previous.quality);
      return previous.strongShare + t * (point.strongShare - previous.strongShare);
    }
  }
  return curve[curve.length - 1]!.strongShare;
}

/** Trapezoidal area under quality over strong share (`numpy.trapz(quality, strongShare)`). */
export function areaUnderCurve(curve: readonly RoutingPoint[]): number {
  let area = 0;
  for (let index = 1; index < curve.length; index++) {
    const previous = curve[index - 1]!;
    const point = curve[index]!;
    area += ((point.strongShare - previous.strongShare) * (point.quality + previous.quality)) / 2;
  }
  return area;
}

/**
 * APGR, the average performance gap recovered (Ong et al. 2024, section 5.1; RouteLLM `evaluate.py`
 * `apgr_metric`):
 *
 *   APGR = (AUC - weak * span) / ((strong - weak) * span)
 *
 * where AUC is the trapezoidal area under the quality-vs-strong-share curve, `weak` and `strong` the
 * weak-only and strong-only qualities, and `span` the curve's strong-share range (1 for curves from
 * 0 % to 100 %). A random router scores about 0.5, the strong-only line 1; an oracle can exceed 1.
 */
export function averagePerformanceGapRecovered(curve: readonly RoutingPoint[], range: QualityRange): number {
  const first = curve[0];
  const last = curve[curve.length - 1];
  if (!first || !last) throw new RightsizeError('invalid_input', 'a routing curve needs at least one point');
  const span = last.strongShare - first.strongShare;
  const gap = range.strong - range.weak;
  if (span === 0 || gap === 0) return Number.NaN;
  return (areaUnderCurve(curve) - range.weak * span) / (gap * span);
}

/**
 * The best quality reachable with a given share of strong calls (RouteLLM `get_optimal_accuracy`):
 * send the strong model the prompts where it gains most over the weak one, most first, only while
 * it gains. Fractional shares count a fractional prompt, as RouteLLM's GSM8K and MMLU version does,
 * so on 0/1 outcomes quality rises linearly until every strong-only win is taken.
 */
export function optimalQuality(outcomes: readonly RoutedOutcome[], strongShare: number): number {
  const gains = outcomes
    .map((outcome) => outcome.strongQuality - outcome.weakQuality)
    .filter((gain) => gain > 0)
    .sort((a, b) => b - a);
  let budget = strongShare * outcomes.length;
  let total = outcomes.reduce((sum, outcome) => sum + outcome.weakQuality, 0);
  for (const gain of gains) {
    if (budget <= 0) break;
    const take = Math.min(1, budget);
    total += gain * take;
    budget -= take;
  }
  return total / outcomes.length;
}

/**
 * CPT(x) of the optimal router (RouteLLM's "oracle" figures: GSM8K 11.0 % / 17.6 %, MMLU 6.25 % /
 * 10.0 % for x = 50 % / 80 %): the smallest strong share whose {@link optimalQuality} reaches the
 * target, found exactly on the piecewise-linear optimal curve.
 */
export function optimalCallPerformanceThreshold(
  outcomes: readonly RoutedOutcome[],
  range: QualityRange,
  fraction: number,
): number {
  const target = range.weak + fraction * (range.strong - range.weak);
  const gains = outcomes
    .map((outcome) => outcome.strongQuality - outcome.weakQuality)
    .filter((gain) => gain > 0)
    .sort((a, b) => b - a);
  let quality = range.weak;
  for (const [index, gain] of gains.entries()) {
    const next = quality + gain / outcomes.length;
    if (next >= target) return (index + (target - quality) / (next - quality)) / outcomes.length;
    quality = next;
  }
  return gains.length / outcomes.length;
}
