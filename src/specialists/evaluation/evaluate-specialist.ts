import { readLabelledData } from '../read-labelled-data.ts';
import { loadSpecialist } from '../registry/load-specialist.ts';
import type { SpecialistMetadata, SpecialistPrediction } from '../specialist.ts';
import { type EvaluationReport, evaluatePredictions } from './evaluate-predictions.ts';

/** Options of {@link evaluateSpecialist}. */
export interface EvaluateSpecialistOptions {
  registryDir: string;
  name: string;
  /** Labelled CSV or JSONL file. */
  dataPath: string;
  /** @default 'text' */
  textColumn?: string;
  /** @default 'label' */
  labelColumn?: string;
  /** Reuse the registry's sentence-vector cache. @default true */
  useVectorCache?: boolean;
}

/**
 * Loads a specialist, predicts every row of a labelled file in batches, and scores it
 * (see {@link evaluatePredictions}), at the specialist's calibrated threshold when it has one.
 * @throws RightsizeError `invalid_input` (bad data) or `model_not_found` (unknown specialist).
 */
export async function evaluateSpecialist(options: EvaluateSpecialistOptions): Promise<{
  metadata: SpecialistMetadata;
  predictions: SpecialistPrediction[];
  actual: string[];
  report: EvaluationReport;
}> {
  const data = readLabelledData({
    path: options.dataPath,
    textColumn: options.textColumn ?? 'text',
    labelColumn: options.labelColumn ?? 'label',
    requireTwoLabels: false,
  });
  const specialist = await loadSpecialist(options.registryDir, options.name, {
    useVectorCache: options.useVectorCache ?? true,
  });
  try {
    const predictions = await specialist.predictBatch(data.rows.map((row) => row.text));
    const actual = data.rows.map((row) => row.label);
    const report = evaluatePredictions({ predictions, actual, threshold: specialist.threshold });
    return { metadata: specialist.metadata, predictions, actual, report };
  } finally {
    specialist.close();
  }
}
