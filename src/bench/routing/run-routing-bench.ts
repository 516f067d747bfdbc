import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { oracleRouterScores, randomRouterScores } from '../../routing/weak-strong/baseline-routers.ts';
import { scoreAnswer, trainCascadeScorer } from '../../routing/weak-strong/cascade-scorer.ts';
import { crossValidatedScores, kFoldSplit } from '../../routing/weak-strong/cross-validation.ts';
import { modelQualities, type OutcomeItem, type OutcomeSet } from '../../routing/weak-strong/outcome-set.ts';
import { scorePrompt, trainPreRouter } from '../../routing/weak-strong/pre-router.ts';
import { isRouteLLMSet, resolveOutcomeSet } from '../../routing/weak-strong/resolve-outcome-set.ts';
import {
  averagePerformanceGapRecovered,
  callPerformanceThreshold,
  optimalCallPerformanceThreshold,
  optimalQuality,
  type RoutedCost,
  type RoutingPoint,
  routingCurve,
} from '../../routing/weak-strong/routing-metrics.ts';
import { callCostUsd, ROUTELLM_PRICES } from './list-prices.ts';
import { type PublishedFigures, ROUTELLM_PUBLISHED } from './published-figures.ts';

/** Options of {@link runRoutingBench}. */
export interface RoutingBenchOptions {
  /** `gsm8k`, `mmlu`, `mtbench`, or a path to an outcome file (JSONL or CSV). */
  data: string;
  /** Folder of the RouteLLM data. @default `../shared/data` */
  dataRoot?: string;
  /**
   * Number of cross-validation folds, split by prompt; `loo` for leave-one-prompt-out.
   * @default 5, and `loo` for MT-Bench (72 items)
   */
  folds?: number | 'loo';
  /** Seed of the folds and of the random router. @default 0 */
  seed?: number;
  /** Called with a short message as each router finishes. */
  onProgress?: (message: string) => void;
}

/** One router's results. Shares in [0, 1]; costs in USD per 1,000 requests. */
export interface RouterBenchResult {
  name: string;
  /** `baseline` (random), `bound` (oracle: reads the outcomes), `pre` (prompt only), `cascade` (prompt and weak answer). */
  kind: 'baseline' | 'bound' | 'pre' | 'cascade';
  cpt50: number;
  cpt80: number;
  apgr: number;
  /** USD per 1,000 requests at the CPT(50 %) operating point (cascades pay the weak call on every request). */
  usdPer1kAtCpt50: number | undefined;
  /** USD per 1,000 requests at the CPT(80 %) operating point. */
  usdPer1kAtCpt80: number | undefined;
  /** The 11-point quality-vs-cost curve (RouteLLM's decile thresholds). */
  curve: RoutingPoint[];
}

/** The bench report, as `--json` prints it. */
export interface RoutingBenchReport {
  data: string;
  items: number;
  folds: number;
  seed: number;
  qualityKind: OutcomeSet['qualityKind'];
  weakModel: string;
  strongModel: string;
  /** Mean weak-only and strong-only quality. */
  weakQuality: number;
  strongQuality: number;
  /** USD per 1,000 requests when every request goes to the weak (strong) model. */
  weakOnlyUsdPer1k: number;
  strongOnlyUsdPer1k: number;
  /** How costs were estimated. */
  costNote: string;
  routers: RouterBenchResult[];
  /** The exact optimal router (RouteLLM's "oracle" figures), computed on the same items. */
  optimal: { cpt50: number; cpt80: number; apgr: number };
  /** RouteLLM's published figures for this set, when it is one of theirs. */
  published: PublishedFigures | undefined;
  /** Wall time of the bench, ms. */
  durationMs: number;
}

/**
 * Per-item costs in USD: tokens counted with gpt-tokenizer's cl100k_base (GPT-4's tokenizer; used
 * for Mixtral too, as an estimate) from the recorded prompt and each model's recorded answer. Sets
 * without answer text (MMLU) count 1 output token (a letter). A recorded second turn (MT-Bench) is
 * sent with the conversation so far to the same model: its input is the first prompt, that model's
 * first answer and the second prompt; a cascade that escalates has paid the weak first turn only.
 * Prices: {@link ROUTELLM_PRICES}.
 */
export function estimateCosts(items: readonly OutcomeItem[]): RoutedCost[] {
  return items.map((item) => {
    const input = countTokens(item.prompt);
    const weakOutput = item.weakAnswer === undefined ? 1 : countTokens(item.weakAnswer);
    const strongOutput = item.strongAnswer === undefined ? 1 : countTokens(item.strongAnswer);
    const weakFirst = callCostUsd(ROUTELLM_PRICES.weak, input, weakOutput);
    const strongFirst = callCostUsd(ROUTELLM_PRICES.strong, input, strongOutput);
    const followUp = item.followUp;
    if (!followUp) return { weakUsd: weakFirst, strongUsd: strongFirst };
    const next = countTokens(followUp.prompt);
    const weakSecond = callCostUsd(
      ROUTELLM_PRICES.weak,
      input + weakOutput + next,
      followUp.weakAnswer === undefined ? 1 : countTokens(followUp.weakAnswer),
    );
    const strongSecond = callCostUsd(
      ROUTELLM_PRICES.strong,
      input + strongOutput + next,
      followUp.strongAnswer === undefined ? 1 : countTokens(followUp.strongAnswer),
    );
    return { weakUsd: weakFirst + weakSecond, strongUsd: strongFirst + strongSecond, cascadeWeakUsd: weakFirst };
  });
}

/** Cost at a strong share, interpolated along the curve (first segment that contains the share). */
export function costAtShare(curve: readonly RoutingPoint[], share: number): number | undefined {
  for (let index = 1; index < curve.length; index++) {
    const previous = curve[index - 1]!;
    const point = curve[index]!;
    if (previous.costUsd === undefined || point.costUsd === undefined) return undefined;
    if (share >= previous.strongShare && share <= point.strongShare) {
      const span = point.strongShare - previous.strongShare;
      const t = span === 0 ? 0 : (share - previous.strongShare) / span;
      return previous.costUsd + t * (point.costUsd - previous.costUsd);
    }
  }
  return curve[curve.length - 1]?.costUsd;
}

/**
 * Runs RouteLLM's evaluation procedure on one outcome set for the random and oracle baselines, the
 * pre-router and (when the weak answers are recorded) the cascade scorer, cross-validated by prompt:
 * each learned router scores only prompts of a fold it was not trained on.
 */
export function runRoutingBench(options: RoutingBenchOptions): RoutingBenchReport {
  const started = Date.now();
  const set = resolveOutcomeSet(options.data, options.dataRoot === undefined ? {} : { dataRoot: options.dataRoot });
  const items = set.items;
  const seed = options.seed ?? 0;
  const foldOption = options.folds ?? (set.name === 'mtbench' ? 'loo' : 5);
  const folds = kFoldSplit(items, { folds: foldOption === 'loo' ? items.length : foldOption, seed });
  const range = modelQualities(set);
  const costs = estimateCosts(items);
  const progress = options.onProgress ?? (() => {});

  const evaluate = (name: string, kind: RouterBenchResult['kind'], scores: number[]): RouterBenchResult => {
    const curve = routingCurve(items, scores, { costs, costMode: kind === 'cascade' ? 'cascade' : 'pre' });
    const cpt50 = callPerformanceThreshold(curve, range, 0.5);
    const cpt80 = callPerformanceThreshold(curve, range, 0.8);
    const at50 = costAtShare(curve, cpt50);
    const at80 = costAtShare(curve, cpt80);
    progress(`${name}: CPT(50%) ${(cpt50 * 100).toFixed(1)} %`);
    return {
      name,
      kind,
      cpt50,
      cpt80,
      apgr: averagePerformanceGapRecovered(curve, range),
      usdPer1kAtCpt50: at50 === undefined ? undefined : at50 * 1000,
      usdPer1kAtCpt80: at80 === undefined ? undefined : at80 * 1000,
      curve,
    };
  };

  const routers: RouterBenchResult[] = [];
  routers.push(evaluate('random', 'baseline', randomRouterScores(items.length, seed)));
  routers.push(evaluate('oracle', 'bound', oracleRouterScores(items, seed)));
  const preScores = crossValidatedScores(items, folds, (train) => {
    const router = trainPreRouter(train, { data: set.name, seed });
    return (item) => scorePrompt(router, item.prompt);
  });
  routers.push(evaluate('pre-router', 'pre', preScores));
  if (items.every((item) => item.weakAnswer !== undefined)) {
    const acceptScores = crossValidatedScores(items, folds, (train) => {
      const scorer = trainCascadeScorer(train, { data: set.name, seed });
      return (item) => scoreAnswer(scorer, item.prompt, item.weakAnswer!);
    });
    routers.push(
      evaluate(
        'cascade',
        'cascade',
        acceptScores.map((probability) => 1 - probability),
      ),
    );
  }

  const optimalCurve: RoutingPoint[] = Array.from({ length: 101 }, (_, index) => ({
    threshold: index,
    strongShare: index / 100,
    quality: optimalQuality(items, index / 100),
  }));
  const weakOnly = costs.reduce((sum, cost) => sum + cost.weakUsd, 0) / items.length;
  const strongOnly = costs.reduce((sum, cost) => sum + cost.strongUsd, 0) / items.length;
  return {
    data: set.name,
    items: items.length,
    folds: folds.length,
    seed,
    qualityKind: set.qualityKind,
    weakModel: set.weakModel,
    strongModel: set.strongModel,
    weakQuality: range.weak,
    strongQuality: range.strong,
    weakOnlyUsdPer1k: weakOnly * 1000,
    strongOnlyUsdPer1k: strongOnly * 1000,
    costNote:
      'cl100k_base token counts of the recorded prompt and answers; Mixtral $0.60/1M in+out (Together AI), ' +
      'GPT-4-1106-preview $10/1M in, $30/1M out (OpenAI, Nov 2023); cascades pay the weak call on every request' +
      (items.some((item) => item.weakAnswer === undefined) ? '; no answer text recorded: 1 output token' : '') +
      (items.some((item) => item.followUp) ? '; second turns sent with the conversation to the routed model' : ''),
    routers,
    optimal: {
      cpt50: optimalCallPerformanceThreshold(items, range, 0.5),
      cpt80: optimalCallPerformanceThreshold(items, range, 0.8),
      apgr: averagePerformanceGapRecovered(optimalCurve, range),
    },
    published: isRouteLLMSet(set.name) ? ROUTELLM_PUBLISHED[set.name] : undefined,
    durationMs: Date.now() - started,
  };
}
