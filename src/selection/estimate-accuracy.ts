import type { ModelClass, ModelEntry } from '../catalog/catalog.ts';
import type { AccuracyFigure } from './selection.ts';

/**
 * Accuracy priors by class when the catalog has no figure for a model, in [0, 1]. Assumptions, not
 * measurements, and shown as estimated: a reviewer is the most accurate tier (DESIGN.md); reasoning
 * models sit at about o1's published MMLU (0.918); small models by size follow the MMLU of the
 * open-weight models in the built-in catalog (0.5B about 0.47, 1-2B 0.5-0.6, 3-4B 0.6-0.69, 7-9B 0.6-0.74).
 */
const CLASS_PRIORS: Readonly<Record<Exclude<ModelClass, 'slm'>, number>> = {
  human: 0.99,
  reasoning: 0.92,
  llm: 0.85,
  multimodal: 0.8,
};

function smallModelPrior(parameters: number | undefined): number {
  if (parameters === undefined) return 0.6;
  if (parameters < 1e9) return 0.45;
  if (parameters < 2e9) return 0.55;
  if (parameters < 5e9) return 0.62;
  return 0.7;
}

/**
 * Expected accuracy of `entry` on `taskFamily`: the catalog's measurement for that family when it
 * has one (`estimated: false`); else its MMLU score as a general proxy; else, for a single-task model,
 * its best measured family (it must be trained on the user's data to match it); else a class prior.
 */
export function estimateAccuracy(
  entry: Pick<ModelEntry, 'quality' | 'parameters' | 'scope'>,
  modelClass: ModelClass,
  taskFamily?: string,
): AccuracyFigure {
  const quality = entry.quality;
  if (taskFamily !== undefined) {
    const measured = quality?.[taskFamily];
    if (measured) {
      return { accuracy: measured.accuracy, estimated: false, basis: `measured on ${taskFamily} (${measured.source})` };
    }
  }
  if (entry.scope === 'single-task' && quality) {
    let best: [string, number] | undefined;
    for (const [family, figure] of Object.entries(quality)) {
      if (!best || figure.accuracy > best[1]) best = [family, figure.accuracy];
    }
    if (best) {
      return {
        accuracy: best[1],
        estimated: true,
        basis: `estimated: ${best[1]} measured on ${best[0]}; train and evaluate it on your data`,
      };
    }
  }
  const mmlu = quality?.['mmlu'];
  if (mmlu)
    return { accuracy: mmlu.accuracy, estimated: true, basis: `estimated: MMLU ${mmlu.accuracy} as a general proxy` };
  const prior = modelClass === 'slm' ? smallModelPrior(entry.parameters) : CLASS_PRIORS[modelClass];
  return { accuracy: prior, estimated: true, basis: `estimated: prior for class ${modelClass}` };
}
