import type { Deployment, Modality, ModelClass } from '../../catalog/catalog.ts';
import { estimateAccuracy } from '../estimate-accuracy.ts';
import type {
  AccuracyFigure,
  ConstraintName,
  DeploymentTarget,
  Favour,
  MatrixStep,
  RequirementChange,
} from '../selection.ts';
import type { ModelFigures } from './model-figures.ts';

/** Everything one selection needs, resolved and flat (built once per selection or per request). */
export interface SelectionQuery {
  task: 'repetitive' | 'varied';
  domainSpecific: boolean;
  highStakes: boolean;
  modalities: readonly Modality[];
  modalityMask: number;
  taskFamily: string | undefined;
  tools: boolean;
  /** Input tokens used for cost. */
  tokensIn: number;
  /** Input tokens checked against context windows (may include a safety margin). */
  contextTokensIn: number;
  tokensOut: number;
  maxLatencyMs: number | undefined;
  minAccuracy: number | undefined;
  maxCostUsd: number | undefined;
  target: DeploymentTarget;
  sensitiveData: boolean;
  /**
   * Serve real requests: a single-task model qualifies only when trained for the named task family
   * (an untrained architecture is fine to recommend, never to call).
   */
  requireTrained: boolean;
}

/** A failed constraint, as data; `describeFailure` turns it into words only when they are needed. */
export interface Failure {
  constraint: ConstraintName;
  step: MatrixStep;
  /** The model's figure (ms, accuracy, USD, tokens). */
  value?: number;
  /** The limit it breaks. */
  limit?: number;
}

export interface Evaluation {
  figures: ModelFigures;
  /** Undefined when the model fits. */
  failures: Failure[] | undefined;
  costUsd: number | undefined;
  latencyMs: number | undefined;
  accuracy: AccuracyFigure;
  deployment: Deployment;
}

/** Whether a model that runs at `deployments` may serve a request under `target`. */
export function deploymentAllows(
  deployments: readonly Deployment[],
  target: DeploymentTarget,
  sensitiveData: boolean,
): boolean {
  if (target === 'cloud' || (target === 'hybrid' && !sensitiveData)) return deployments.length > 0;
  if (target === 'edge') return deployments.includes('edge');
  // on-prem, and hybrid with sensitive data: no cloud provider ever sees the data.
  return deployments.includes('on-prem') || deployments.includes('edge');
}

function whereItRuns(deployments: readonly Deployment[], target: DeploymentTarget, sensitiveData: boolean): Deployment {
  if (target === 'edge') return 'edge';
  if (target === 'on-prem' || (target === 'hybrid' && sensitiveData)) {
    return deployments.includes('on-prem') ? 'on-prem' : 'edge';
  }
  return deployments[0] ?? 'cloud';
}

/** Projected cost of one request in USD; undefined when unpriced. */
export function projectCost(figures: ModelFigures, tokensIn: number, tokensOut: number): number | undefined {
  const prices = figures.prices;
  if (!prices) return undefined;
  return prices.perCall + tokensIn * prices.input + (tokensOut + figures.hiddenReasoningTokens) * prices.output;
}

/** Expected time to the last token in ms; undefined without a latency profile. */
export function projectLatency(figures: ModelFigures, tokensOut: number): number | undefined {
  if (figures.ttftMs === undefined || figures.outputTokensPerSecond === undefined) return undefined;
  return figures.ttftMs + ((tokensOut + figures.hiddenReasoningTokens) / figures.outputTokensPerSecond) * 1000;
}

function addFailure(failures: Failure[] | undefined, failure: Failure): Failure[] {
  if (!failures) return [failure];
  failures.push(failure);
  return failures;
}

/**
 * Checks one model against every constraint of the matrix, in step order: modality and tools
 * (step 1), versatility, context, latency, accuracy and cost (step 2), deployment (step 3).
 */
export function evaluateModel(figures: ModelFigures, query: SelectionQuery): Evaluation {
  // A module-level helper, not a closure: a closure per call costs more than the checks themselves.
  let failures: Failure[] | undefined;
  if ((figures.inputMask & query.modalityMask) !== query.modalityMask)
    failures = addFailure(failures, { constraint: 'modality', step: 1 });
  if (query.tools && !figures.tools) failures = addFailure(failures, { constraint: 'tools', step: 1 });
  if (figures.singleTask) {
    const family = query.taskFamily;
    const trainedForIt = family !== undefined && figures.taskFamilies.includes(family);
    const trainedElsewhere = family !== undefined && figures.taskFamilies.length > 0 && !trainedForIt;
    if (query.task === 'varied' || trainedElsewhere || (query.requireTrained && !trainedForIt)) {
      failures = addFailure(failures, { constraint: 'versatility', step: 2 });
    }
  }
  const contextTokens = query.contextTokensIn + query.tokensOut;
  if (figures.contextWindow !== undefined && contextTokens > figures.contextWindow) {
    failures = addFailure(failures, {
      constraint: 'context',
      step: 2,
      value: contextTokens,
      limit: figures.contextWindow,
    });
  }
  const latencyMs = projectLatency(figures, query.tokensOut);
  if (query.maxLatencyMs !== undefined) {
    if (latencyMs === undefined) failures = addFailure(failures, { constraint: 'latency-unknown', step: 2 });
    else if (latencyMs > query.maxLatencyMs)
      failures = addFailure(failures, { constraint: 'latency', step: 2, value: latencyMs, limit: query.maxLatencyMs });
  }
  const accuracy =
    query.taskFamily === undefined
      ? figures.generalAccuracy
      : estimateAccuracy(figures.entry, figures.modelClass, query.taskFamily);
  if (query.minAccuracy !== undefined && accuracy.accuracy < query.minAccuracy) {
    failures = addFailure(failures, {
      constraint: 'accuracy',
      step: 2,
      value: accuracy.accuracy,
      limit: query.minAccuracy,
    });
  }
  const costUsd = projectCost(figures, query.tokensIn, query.tokensOut);
  if (query.maxCostUsd !== undefined) {
    if (costUsd === undefined) failures = addFailure(failures, { constraint: 'unpriced', step: 2 });
    else if (costUsd > query.maxCostUsd)
      failures = addFailure(failures, { constraint: 'cost', step: 2, value: costUsd, limit: query.maxCostUsd });
  }
  if (!deploymentAllows(figures.deployments, query.target, query.sensitiveData)) {
    failures = addFailure(failures, { constraint: 'deployment', step: 3 });
  }
  return {
    figures,
    failures,
    costUsd,
    latencyMs,
    accuracy,
    deployment: whereItRuns(figures.deployments, query.target, query.sensitiveData),
  };
}

/** Formats USD with enough digits to tell small costs apart (`0.0000022`, `0.0042`, `5`). */
export function formatUsd(value: number): string {
  if (value === 0) return '0';
  if (value >= 1) return String(Number(value.toFixed(2)));
  return String(Number(value.toPrecision(2)));
}

/** The failure in words: the figure, the limit, and which step of the matrix it is. */
export function describeFailure(failure: Failure, figures: ModelFigures, query: SelectionQuery): string {
  const entry = figures.entry;
  switch (failure.constraint) {
    case 'modality': {
      const missing = query.modalities.filter((modality) => !entry.inputModalities.includes(modality));
      return `step 1: the input has ${missing.join(', ')} but ${entry.id} accepts only ${entry.inputModalities.join(', ')}`;
    }
    case 'tools':
      return `step 1: the requests need tool calls and ${entry.id} has none`;
    case 'versatility':
      if (query.task === 'varied') return `step 2 versatility: ${entry.id} does one task and the task is varied`;
      if (figures.taskFamilies.length === 0) {
        return `step 2 versatility: ${entry.id} is an untrained specialist architecture (train it with rightsize train)`;
      }
      return `step 2 versatility: ${entry.id} is trained for ${figures.taskFamilies.join(', ')}, not ${query.taskFamily ?? 'an unnamed task (send x-rightsize-task with the family)'}`;
    case 'context':
      return `step 2: ${failure.value} tokens (in + out) exceed the ${failure.limit}-token context window`;
    case 'latency':
      return `step 2: expected ${Math.round(failure.value ?? 0)} ms exceeds the ${failure.limit} ms budget`;
    case 'latency-unknown':
      return `step 2: no latency profile in the catalog, so the ${query.maxLatencyMs} ms budget cannot be checked`;
    case 'accuracy':
      return `step 2: expected accuracy ${failure.value} is below the ${failure.limit} floor`;
    case 'cost':
      return `step 2: projected $${formatUsd(failure.value ?? 0)} per request exceeds the $${failure.limit} ceiling`;
    case 'unpriced':
      return `step 2: no price in the catalog, so the $${query.maxCostUsd} ceiling cannot be checked (add prices in the config)`;
    case 'deployment': {
      const runs = `${entry.id} runs ${figures.deployments.join('/') || 'nowhere'} (provider ${entry.provider})`;
      if (query.target === 'edge') return `step 3: edge deployment needs a model in process or on device; ${runs}`;
      if (query.target === 'cloud' || (query.target === 'hybrid' && !query.sensitiveData)) return `step 3: ${runs}`;
      const why = query.target === 'hybrid' ? 'sensitive data under hybrid deployment' : 'on-prem deployment';
      return `step 3: ${why}: ${runs}; no cloud provider may see the data`;
    }
  }
}

/** The classes each step of the matrix favours for this query (DESIGN.md, "The decision matrix"). */
export function favoursFor(query: SelectionQuery): Favour[] {
  const favours: Favour[] = [];
  const rich = query.modalities.filter((modality) => modality !== 'text');
  if (rich.length > 0) {
    favours.push({
      step: 1,
      classes: ['multimodal'],
      label: `${rich.join('+')} input`,
      reason: `step 1: ${rich.join(' and ')} input favours multimodal`,
    });
  }
  if (query.highStakes) {
    favours.push({
      step: 1,
      classes: ['reasoning'],
      label: 'high-stakes task',
      reason: 'step 1: high-stakes task favours reasoning',
    });
  } else if (query.task === 'repetitive' && query.domainSpecific) {
    favours.push({
      step: 1,
      classes: ['slm'],
      label: 'repetitive domain-specific task',
      reason: 'step 1: repetitive, domain-specific task favours slm',
    });
  } else {
    const what = query.task === 'varied' ? 'varied' : 'repetitive, general';
    favours.push({ step: 1, classes: ['llm'], label: `${what} task`, reason: `step 1: ${what} task favours llm` });
  }
  if (query.maxLatencyMs !== undefined && query.maxLatencyMs <= 100) {
    favours.push({
      step: 2,
      classes: ['slm'],
      label: 'latency budget',
      reason: `step 2: ${query.maxLatencyMs} ms budget favours slm`,
    });
  }
  if (query.minAccuracy !== undefined && query.minAccuracy > 0.95) {
    favours.push({
      step: 2,
      classes: ['llm', 'reasoning'],
      label: 'accuracy floor',
      reason: `step 2: accuracy floor ${query.minAccuracy} favours llm and reasoning`,
    });
  }
  if (query.maxCostUsd !== undefined && query.maxCostUsd < 0.01) {
    favours.push({
      step: 2,
      classes: ['slm'],
      label: 'cost ceiling',
      reason: `step 2: cost ceiling $${query.maxCostUsd} favours slm`,
    });
  }
  if (query.target === 'edge') {
    favours.push({
      step: 3,
      classes: ['slm'],
      label: 'edge deployment',
      reason: 'step 3: edge deployment favours slm',
    });
  }
  return favours;
}

/** A sort key: step-1 favour first, then the count of other favours, then cost, latency, accuracy. */
export interface RankKey {
  step1: boolean;
  otherFavours: number;
  costUsd: number | undefined;
  latencyMs: number | undefined;
  accuracy: number;
  id: string;
}

export function rankKey(evaluation: Evaluation, favours: readonly Favour[]): RankKey {
  const modelClass: ModelClass = evaluation.figures.modelClass;
  let step1 = false;
  let otherFavours = 0;
  for (const favour of favours) {
    if (!favour.classes.includes(modelClass)) continue;
    if (favour.step === 1) step1 = true;
    else otherFavours++;
  }
  return {
    step1,
    otherFavours,
    costUsd: evaluation.costUsd,
    latencyMs: evaluation.latencyMs,
    accuracy: evaluation.accuracy.accuracy,
    id: evaluation.figures.entry.id,
  };
}

/** Best first: favoured by step 1, more favours, cheaper, faster, more accurate, then by id. */
export function compareRankKeys(a: RankKey, b: RankKey): number {
  if (a.step1 !== b.step1) return a.step1 ? -1 : 1;
  if (a.otherFavours !== b.otherFavours) return b.otherFavours - a.otherFavours;
  const cost = (a.costUsd ?? Number.POSITIVE_INFINITY) - (b.costUsd ?? Number.POSITIVE_INFINITY);
  if (cost !== 0 && !Number.isNaN(cost)) return cost;
  const latency = (a.latencyMs ?? Number.POSITIVE_INFINITY) - (b.latencyMs ?? Number.POSITIVE_INFINITY);
  if (latency !== 0 && !Number.isNaN(latency)) return latency;
  if (a.accuracy !== b.accuracy) return b.accuracy - a.accuracy;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The requirement change that would lift a relaxable failure, or undefined for hard constraints. */
export function changeFor(failure: Failure): RequirementChange | undefined {
  const value = failure.value;
  const limit = failure.limit;
  if (value === undefined || limit === undefined) return undefined;
  switch (failure.constraint) {
    case 'latency':
      return {
        requirement: 'maxLatencyMs',
        flag: '--max-latency-ms',
        header: 'x-rightsize-max-latency-ms',
        from: limit,
        to: Math.ceil(value),
      };
    case 'accuracy':
      return {
        requirement: 'minAccuracy',
        flag: '--min-accuracy',
        header: 'x-rightsize-min-accuracy',
        from: limit,
        to: Math.floor(value * 1000) / 1000,
      };
    case 'cost':
      return {
        requirement: 'maxCostUsd',
        flag: '--max-cost-usd',
        header: 'x-rightsize-max-cost-usd',
        from: limit,
        to: roundUpSignificant(value, 2),
      };
    default:
      return undefined;
  }
}

/** Rounds up to `digits` significant digits, so that the suggested ceiling admits the model. */
export function roundUpSignificant(value: number, digits: number): number {
  if (value <= 0) return 0;
  const scale = 10 ** (digits - 1 - Math.floor(Math.log10(value)));
  const rounded = Math.ceil(value * scale) / scale;
  // Floating-point products can land a hair below `value`; step up one unit so the model is admitted.
  return rounded >= value ? rounded : (Math.ceil(value * scale) + 1) / scale;
}
