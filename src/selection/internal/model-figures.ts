import type { Deployment, Modality, ModelClass, ModelEntry } from '../../catalog/catalog.ts';
import type { Catalog } from '../../catalog/create-catalog.ts';
import { inferModelClass } from '../../catalog/infer-model-class.ts';
import { modelDeployments } from '../../catalog/model-deployments.ts';
import { estimateAccuracy } from '../estimate-accuracy.ts';
import type { AccuracyFigure } from '../selection.ts';

/** Bit per modality, so that a modality check is one `&`. */
export const MODALITY_BITS: Readonly<Record<Modality, number>> = { text: 1, image: 2, audio: 4 };

/** The bit mask of a list of modalities. */
export function modalityMask(modalities: readonly Modality[]): number {
  let mask = 0;
  for (const modality of modalities) mask |= MODALITY_BITS[modality];
  return mask;
}

/** What the engine reads of a model, computed once per catalog. */
export interface ModelFigures {
  entry: ModelEntry;
  modelClass: ModelClass;
  deployments: readonly Deployment[];
  inputMask: number;
  contextWindow: number | undefined;
  tools: boolean;
  singleTask: boolean;
  taskFamilies: readonly string[];
  /** USD per token and per call; undefined when the entry has no prices. */
  prices: { input: number; output: number; perCall: number } | undefined;
  ttftMs: number | undefined;
  outputTokensPerSecond: number | undefined;
  hiddenReasoningTokens: number;
  /** Accuracy when no task family is named (a proxy or a prior). */
  generalAccuracy: AccuracyFigure;
}

/** The figures of one entry; `deployments` overrides where it runs (the configured provider's deployment). */
export function computeModelFigures(entry: ModelEntry, deployments?: readonly Deployment[]): ModelFigures {
  const modelClass = inferModelClass(entry);
  const prices = entry.prices;
  return {
    entry,
    modelClass,
    deployments: deployments ?? modelDeployments(entry),
    inputMask: modalityMask(entry.inputModalities),
    contextWindow: entry.contextWindow,
    tools: entry.capabilities?.tools === true,
    singleTask: entry.scope === 'single-task',
    taskFamilies: entry.taskFamilies ?? [],
    prices: prices
      ? {
          input: (prices.inputPerMillionUsd ?? 0) / 1e6,
          output: (prices.outputPerMillionUsd ?? 0) / 1e6,
          perCall: prices.perCallUsd ?? 0,
        }
      : undefined,
    ttftMs: entry.latency?.ttftMs,
    outputTokensPerSecond: entry.latency?.outputTokensPerSecond,
    hiddenReasoningTokens: entry.hiddenReasoningTokens ?? 0,
    generalAccuracy: estimateAccuracy(entry, modelClass),
  };
}

const byCatalog = new WeakMap<Catalog, readonly ModelFigures[]>();

/** The figures of every model of `catalog`, computed on first use and kept while the catalog lives. */
export function catalogFigures(catalog: Catalog): readonly ModelFigures[] {
  let figures = byCatalog.get(catalog);
  if (!figures) {
    figures = Object.freeze(catalog.list().map((entry) => computeModelFigures(entry)));
    byCatalog.set(catalog, figures);
  }
  return figures;
}
