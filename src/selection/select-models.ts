import type { z } from 'zod';
import type { Catalog } from '../catalog/create-catalog.ts';
import { describeZodIssue, issueToReport } from '../errors/describe-zod-issue.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import {
  compareRankKeys,
  describeFailure,
  type Evaluation,
  evaluateModel,
  favoursFor,
  formatUsd,
  rankKey,
  type SelectionQuery,
} from './internal/evaluate-model.ts';
import { catalogFigures, modalityMask } from './internal/model-figures.ts';
import { type RelaxationStyle, suggestRelaxations } from './internal/suggest-relaxations.ts';
import { paretoFrontier } from './pareto-frontier.ts';
import {
  type DeploymentProfileInput,
  deploymentProfileSchema,
  type ExcludedModel,
  type RankedModel,
  type RequirementsInput,
  requirementsSchema,
  type SelectionResult,
  type TaskProfileInput,
  taskProfileSchema,
} from './selection.ts';

/** Days in the month of the monthly projection. */
export const DAYS_PER_MONTH = 30;

export interface SelectModelsOptions {
  /** How relaxations name requirements: CLI flags or request headers. @default 'flag' */
  relaxationStyle?: RelaxationStyle;
}

/**
 * Parses `value`, or throws `invalid_request` naming the first bad field (e.g. `requirements.minAccuracy`)
 * and what is wrong with it, in the words of {@link describeZodIssue} (`is required`, `expected number, got string`).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = issueToReport(parsed.error.issues);
  const at = issue && issue.path.length > 0 ? `${what}.${issue.path.map(String).join('.')}` : what;
  throw new RightsizeError('invalid_request', `${at}: ${issue ? describeZodIssue(issue, value) : 'invalid'}`, {
    param: at,
  });
}

/**
 * Applies the decision matrix of DESIGN.md to every model of `catalog`.
 *
 * Step 1 (task) and step 2 (requirements) and step 3 (deployment) each favour classes and exclude
 * models; feasible models are ranked best first (favoured by step 1, then by more steps, then cheaper,
 * faster, more accurate). Cost per request = per-call price + tokens in x input price + (tokens out +
 * hidden reasoning tokens) x output price; latency = TTFT + (tokens out + hidden reasoning) / output
 * tokens per second. Accuracy is measured where the catalog has the task family, else estimated.
 *
 * @throws RightsizeError `invalid_request` when an input is out of range (the message names the field).
 */
export function selectModels(
  profile: TaskProfileInput,
  requirements: RequirementsInput,
  deployment: DeploymentProfileInput,
  catalog: Catalog,
  options: SelectModelsOptions = {},
): SelectionResult {
  const task = parseOrThrow(taskProfileSchema, profile, 'profile');
  const needs = parseOrThrow(requirementsSchema, requirements, 'requirements');
  const where = parseOrThrow(deploymentProfileSchema, deployment, 'deployment');
  const query: SelectionQuery = {
    task: task.task,
    domainSpecific: task.domainSpecific,
    highStakes: task.highStakes,
    modalities: task.modalities,
    modalityMask: modalityMask(task.modalities),
    taskFamily: task.taskFamily,
    tools: task.tools,
    tokensIn: needs.tokensIn,
    contextTokensIn: needs.tokensIn,
    tokensOut: needs.tokensOut,
    maxLatencyMs: needs.maxLatencyMs,
    minAccuracy: needs.minAccuracy,
    maxCostUsd: needs.maxCostUsd,
    target: where.target,
    sensitiveData: where.sensitiveData,
    requireTrained: false,
  };
  const favours = favoursFor(query);
  const feasible: Evaluation[] = [];
  const failed: Evaluation[] = [];
  for (const figures of catalogFigures(catalog)) {
    const evaluation = evaluateModel(figures, query);
    (evaluation.failures ? failed : feasible).push(evaluation);
  }
  const keyed = feasible.map((evaluation) => ({ evaluation, key: rankKey(evaluation, favours) }));
  keyed.sort((a, b) => compareRankKeys(a.key, b.key));

  const ranked: RankedModel[] = keyed.map(({ evaluation }, index) => {
    const { entry, modelClass } = evaluation.figures;
    const notes: string[] = [];
    if (evaluation.figures.singleTask && evaluation.figures.taskFamilies.length === 0) {
      notes.push('train it on your labelled data first (rightsize train)');
    }
    if (evaluation.costUsd === undefined) notes.push('unpriced: add prices in the config');
    return {
      rank: index + 1,
      id: entry.id,
      provider: entry.provider,
      class: modelClass,
      deployment: evaluation.deployment,
      favouredBy: favours.filter((favour) => favour.classes.includes(modelClass)).map((favour) => favour.reason),
      costPerRequestUsd: evaluation.costUsd,
      costPerMonthUsd:
        evaluation.costUsd !== undefined && task.volumePerDay !== undefined
          ? evaluation.costUsd * task.volumePerDay * DAYS_PER_MONTH
          : undefined,
      latencyMs: evaluation.latencyMs,
      accuracy: evaluation.accuracy,
      notes,
    };
  });

  const excluded: ExcludedModel[] = failed.map((evaluation) => {
    const [first, ...rest] = evaluation.failures ?? [];
    const { entry, modelClass } = evaluation.figures;
    return {
      id: entry.id,
      provider: entry.provider,
      class: modelClass,
      step: first?.step ?? 1,
      constraint: first?.constraint ?? 'modality',
      reason: first ? describeFailure(first, evaluation.figures, query) : '',
      alsoFails: rest.map((failure) => failure.constraint),
    };
  });
  excluded.sort((a, b) => a.step - b.step || a.constraint.localeCompare(b.constraint) || a.id.localeCompare(b.id));

  const relaxations = suggestRelaxations(failed, options.relaxationStyle ?? 'flag', ranked.length === 0 ? 5 : 3);
  const best = ranked[0];
  let summary: string;
  if (best) {
    const cost = best.costPerRequestUsd === undefined ? 'unpriced' : `$${formatUsd(best.costPerRequestUsd)}/request`;
    summary = `${ranked.length} of ${ranked.length + excluded.length} models fit; best: ${best.id} (${best.class}, ${cost}, ${best.favouredBy[0] ?? 'not favoured by any step'})`;
  } else {
    const first = relaxations[0];
    summary = first
      ? `no model fits; ${first.message}`
      : 'no model fits, and no numeric requirement can be relaxed to fix it: a hard constraint (modality, tools, context, deployment or versatility) excludes every model';
  }
  return {
    profile: task,
    requirements: needs,
    deployment: where,
    favours,
    ranked,
    paretoFrontier: paretoFrontier(
      ranked.map((model) => ({
        id: model.id,
        costUsd: model.costPerRequestUsd,
        latencyMs: model.latencyMs,
        accuracy: model.accuracy.accuracy,
      })),
    ),
    excluded,
    relaxations,
    summary,
  };
}
