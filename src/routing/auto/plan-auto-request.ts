import type { Deployment, ModelEntry } from '../../catalog/catalog.ts';
import type { Catalog } from '../../catalog/create-catalog.ts';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import type { ChatCompletionRequest } from '../../providers/chat-completion.ts';
import {
  compareRankKeys,
  describeFailure,
  type Evaluation,
  evaluateModel,
  favoursFor,
  formatUsd,
  type RankKey,
  rankKey,
  type SelectionQuery,
} from '../../selection/internal/evaluate-model.ts';
import { catalogFigures, MODALITY_BITS, type ModelFigures } from '../../selection/internal/model-figures.ts';
import { suggestRelaxations } from '../../selection/internal/suggest-relaxations.ts';
import type { ConstraintName, DeploymentTarget } from '../../selection/selection.ts';
import type { AutoRequirements } from '../../selection/selection-config.ts';
import { inspectRequest, type RequestInspection } from './inspect-request.ts';
import { type RequestHeaders, readRequirementHeaders } from './read-requirement-headers.ts';

/**
 * Output tokens assumed for cost, latency and context when the client sets no `max_tokens`.
 * @default 256
 */
export const DEFAULT_OUTPUT_TOKENS = 256;
/**
 * Margin on an exact o200k token count before it is checked against a context window, since other
 * vendors' tokenizers (Llama, Gemma, Qwen, Claude) can count about 10 % more on the same text.
 */
export const CONTEXT_TOKEN_MARGIN = 1.1;
/** Context window assumed for a catalog model that states none, in tokens: small, so never overrun. */
export const UNKNOWN_CONTEXT_TOKENS = 4_096;

/** A provider of the config, as the planner needs it. */
export interface ConfiguredProvider {
  /** Where the provider runs: models served by it run there, whatever the catalog says. */
  deployment: Deployment;
}

export interface PlanAutoRequestInput {
  request: ChatCompletionRequest;
  headers: RequestHeaders;
  catalog: Catalog;
  /**
   * Provider id -> where it runs. Only models of these providers are candidates. Pass the same Map
   * instance on every request: the per-catalog, per-providers index is cached on it.
   */
  configuredProviders: ReadonlyMap<string, ConfiguredProvider>;
  /** Requirements when a header is absent (the config's `selection`, per client key). */
  defaults?: AutoRequirements;
}

export interface AutoPlan {
  /** Models to try, best first: only configured providers, none breaking a hard constraint. */
  candidates: ModelEntry[];
  /** Short reasons for the `x-rightsize-decision` header and the log (ASCII, no prompt text). */
  reasons: string[];
  /** What the router saw (modalities, tokens, tools, kinds of sensitive data; never text). */
  inspection: RequestInspection;
}

interface AutoIndex {
  figures: readonly ModelFigures[];
  minContext: number;
  maxContext: number;
}

const indexes = new WeakMap<Catalog, WeakMap<ReadonlyMap<string, ConfiguredProvider>, AutoIndex>>();

/** Built once per catalog and providers map: the configured models, with where they really run. */
function autoIndex(catalog: Catalog, providers: ReadonlyMap<string, ConfiguredProvider>): AutoIndex {
  let byProviders = indexes.get(catalog);
  if (!byProviders) {
    byProviders = new WeakMap();
    indexes.set(catalog, byProviders);
  }
  let index = byProviders.get(providers);
  if (index) return index;
  const figures: ModelFigures[] = [];
  let minContext = Number.POSITIVE_INFINITY;
  let maxContext = 0;
  for (const base of catalogFigures(catalog)) {
    const provider = providers.get(base.entry.provider);
    if (!provider) continue;
    const contextWindow = base.contextWindow ?? UNKNOWN_CONTEXT_TOKENS;
    figures.push({ ...base, deployments: [provider.deployment], contextWindow });
    minContext = Math.min(minContext, contextWindow);
    maxContext = Math.max(maxContext, contextWindow);
  }
  index = { figures, minContext: figures.length > 0 ? minContext : 0, maxContext };
  byProviders.set(providers, index);
  return index;
}

/** Strictness of a deployment target: a header may tighten the configured one, never loosen it. */
const STRICTNESS: Readonly<Record<DeploymentTarget, number>> = { edge: 0, 'on-prem': 1, hybrid: 2, cloud: 3 };

const CONSTRAINT_ORDER: readonly ConstraintName[] = [
  'modality',
  'tools',
  'versatility',
  'context',
  'latency',
  'latency-unknown',
  'accuracy',
  'cost',
  'unpriced',
  'deployment',
];

/**
 * Plans a `model: "auto"` request: inspects it (modalities, tokens, tools, sensitive data), reads
 * the `x-rightsize-*` headers over `defaults`, and ranks the configured models through the decision
 * matrix. Hard constraints are never broken: an on-prem (or hybrid, sensitive) request never gets a
 * cloud provider, an image or audio never a model without that input, a prompt never a context
 * window it overruns (counted with a {@link CONTEXT_TOKEN_MARGIN} margin), tools never a model
 * without tool calling.
 * @throws RightsizeError `invalid_request` for a bad header (named); `no_model_qualifies` (422) when
 * nothing fits, saying which constraint failed and what to relax.
 */
export function planAutoRequest(input: PlanAutoRequestInput): AutoPlan {
  const { request, catalog, configuredProviders } = input;
  const defaults = input.defaults ?? {};
  const fromHeaders = readRequirementHeaders(input.headers);
  const index = autoIndex(catalog, configuredProviders);
  const reasons: string[] = [];

  let target: DeploymentTarget = defaults.deployment ?? 'cloud';
  if (fromHeaders.deployment !== undefined) {
    if (STRICTNESS[fromHeaders.deployment] <= STRICTNESS[target]) target = fromHeaders.deployment;
    else reasons.push(`x-rightsize-deployment ${fromHeaders.deployment} ignored: policy is ${target}`);
  }
  const requirements = { ...defaults, ...fromHeaders };
  const taskFamily = requirements.taskFamily;
  const task = requirements.task ?? (taskFamily !== undefined ? 'repetitive' : 'varied');
  const domainSpecific = requirements.domainSpecific ?? taskFamily !== undefined;
  const tokensOut = request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_OUTPUT_TOKENS;

  const inspection = inspectRequest(request, {
    exactAbove: index.minContext - tokensOut,
    tokenLimit: index.maxContext,
    detectSensitiveData: target === 'hybrid',
  });
  const contextTokensIn =
    inspection.tokenCount === 'estimate'
      ? inspection.inputTokensUpperBound
      : Math.min(inspection.inputTokensUpperBound, Math.ceil(inspection.inputTokens * CONTEXT_TOKEN_MARGIN));
  let modalityMask = MODALITY_BITS.text;
  if (inspection.imageParts > 0) modalityMask |= MODALITY_BITS.image;
  if (inspection.audioParts > 0) modalityMask |= MODALITY_BITS.audio;
  const sensitiveData = inspection.sensitiveData.length > 0;

  const query: SelectionQuery = {
    task,
    domainSpecific,
    highStakes: requirements.highStakes ?? false,
    modalities: inspection.modalities,
    modalityMask,
    taskFamily,
    tools: inspection.toolsRequested,
    tokensIn: inspection.inputTokens,
    contextTokensIn,
    tokensOut,
    maxLatencyMs: requirements.maxLatencyMs,
    minAccuracy: requirements.minAccuracy,
    maxCostUsd: requirements.maxCostUsd,
    target,
    sensitiveData,
    requireTrained: true,
  };

  const favours = favoursFor(query);
  const feasible: Array<{ evaluation: Evaluation; key: RankKey }> = [];
  const failed: Evaluation[] = [];
  for (const figures of index.figures) {
    const evaluation = evaluateModel(figures, query);
    if (evaluation.failures) failed.push(evaluation);
    else feasible.push({ evaluation, key: rankKey(evaluation, favours) });
  }

  const tokens = `${inspection.tokenCount === 'estimate' ? '~' : inspection.tokenCount === 'over-limit' ? '>' : ''}${inspection.inputTokens} tokens`;
  reasons.push(`input ${inspection.modalities.join('+')}, ${tokens}${inspection.toolsRequested ? ', tools' : ''}`);
  reasons.push(
    target === 'hybrid'
      ? sensitiveData
        ? `deployment hybrid, sensitive data (${inspection.sensitiveData.join(', ')}): local models only`
        : 'deployment hybrid, no sensitive data found'
      : `deployment ${target}`,
  );

  if (feasible.length === 0) throw noModelQualifies(index, failed, query);

  feasible.sort((a, b) => compareRankKeys(a.key, b.key));
  const best = feasible[0]!.evaluation;
  const bestFavour = favours.find((favour) => favour.classes.includes(best.figures.modelClass));
  const cost = best.costUsd === undefined ? 'unpriced' : `$${formatUsd(best.costUsd)}`;
  const latency = best.latencyMs === undefined ? '? ms' : `~${Math.round(best.latencyMs)} ms`;
  reasons.push(
    `chose ${best.figures.entry.id} (${best.figures.modelClass}${bestFavour ? `, ${bestFavour.reason}` : ''}, ${cost}, ${latency}, accuracy ${best.accuracy.accuracy}${best.accuracy.estimated ? ' est.' : ''})`,
  );
  reasons.push(`${feasible.length} of ${index.figures.length} configured models qualify${excludedCounts(failed)}`);
  return { candidates: feasible.map(({ evaluation }) => evaluation.figures.entry), reasons, inspection };
}

function countFirstFailures(failed: readonly Evaluation[]): Map<ConstraintName, Evaluation[]> {
  const groups = new Map<ConstraintName, Evaluation[]>();
  for (const evaluation of failed) {
    const first = evaluation.failures?.[0];
    if (!first) continue;
    const group = groups.get(first.constraint);
    if (group) group.push(evaluation);
    else groups.set(first.constraint, [evaluation]);
  }
  return new Map(CONSTRAINT_ORDER.filter((name) => groups.has(name)).map((name) => [name, groups.get(name)!]));
}

function excludedCounts(failed: readonly Evaluation[]): string {
  if (failed.length === 0) return '';
  const parts = [...countFirstFailures(failed)].map(([name, group]) => `${name} ${group.length}`);
  return `; excluded by ${parts.join(', ')}`;
}

function noModelQualifies(index: AutoIndex, failed: readonly Evaluation[], query: SelectionQuery): RightsizeError {
  if (index.figures.length === 0) {
    return new RightsizeError(
      'no_model_qualifies',
      '"auto" has nothing to choose from: no catalog model\'s provider is available here (a provider whose key variable, e.g. OPENAI_API_KEY, is unset is not). Set the key, configure a provider whose id matches catalog models (openai, anthropic, google, together, local), or add models for your provider in the config. Specialists are called by name (specialist/NAME) or through a route.',
      { param: 'model' },
    );
  }
  const groups = [...countFirstFailures(failed)].map(([name, group]) => {
    const first = group[0]!;
    const example = describeFailure(first.failures![0]!, first.figures, query);
    return `${name} excluded ${group.length} (e.g. ${example})`;
  });
  const relaxations = suggestRelaxations(failed, 'header', 3, 1);
  const relax =
    relaxations.length > 0
      ? ` To admit a model: ${relaxations.map((relaxation) => relaxation.message).join('; or ')}.`
      : ' These are hard constraints: change the request (modalities, size, tools, deployment) or configure a model that meets them.';
  return new RightsizeError(
    'no_model_qualifies',
    `No configured model qualifies for "auto": ${groups.join('; ')}.${relax}`,
    { param: 'model' },
  );
}
