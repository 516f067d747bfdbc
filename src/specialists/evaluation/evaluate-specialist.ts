import { RightsizeError } from '../../errors/rightsize-error.ts';
import { hashRows, readLabelledData } from '../read-labelled-data.ts';
import { loadSpecialist, readSpecialistMetadata } from '../registry/load-specialist.ts';
import { learnedBy } from '../registry/training-texts.ts';
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
  /** Leave out the rows whose text this says to (e.g. rows the specialist was trained on). */
  skipText?: (text: string) => boolean;
}

/**
 * Loads a specialist, predicts every row of a labelled file in batches, and scores it
 * (see {@link evaluatePredictions}), at the specialist's calibrated threshold when it has one.
 * Rows whose label the specialist was never trained on are scored (they can only be wrong) and
 * counted in `unknownLabels`.
 * @throws RightsizeError `invalid_input` (bad data, or no row's label is one of the specialist's:
 *   a wrong label column or another task's file) or `model_not_found` (unknown specialist).
 */
export async function evaluateSpecialist(options: EvaluateSpecialistOptions): Promise<{
  metadata: SpecialistMetadata;
  predictions: SpecialistPrediction[];
  actual: string[];
  report: EvaluationReport;
  /** Labels of the file the specialist does not know, most frequent first, and the rows holding them. */
  unknownLabels: { labels: string[]; rows: number };
  /** Rows left out by `skipText`. */
  skippedRows: number;
  /**
   * Rows scored that the specialist learned from (its `training-texts.bin` record; every row when
   * the file is its training file): figures on them overstate what it does on new text.
   */
  trainedRows: number;
}> {
  const read = readLabelledData({
    path: options.dataPath,
    textColumn: options.textColumn ?? 'text',
    labelColumn: options.labelColumn ?? 'label',
    requireTwoLabels: false,
  });
  const skip = options.skipText;
  const data = skip ? { ...read, rows: read.rows.filter((row) => !skip(row.text)) } : read;
  const skippedRows = read.rows.length - data.rows.length;
  const metadata = readSpecialistMetadata(options.registryDir, options.name);
  const known = new Set(metadata.labels);
  const learned = learnedBy(options.registryDir, [options.name]);
  const trainedRows =
    hashRows(read.rows) === metadata.training.dataHash
      ? data.rows.length
      : learned
        ? data.rows.filter((row) => learned(row.text)).length
        : 0;
  const unknownCounts = new Map<string, number>();
  for (const row of data.rows) {
    if (!known.has(row.label)) unknownCounts.set(row.label, (unknownCounts.get(row.label) ?? 0) + 1);
  }
  const unknownRows = [...unknownCounts.values()].reduce((sum, count) => sum + count, 0);
  if (data.rows.length > 0 && unknownRows === data.rows.length) {
    throw new RightsizeError(
      'invalid_input',
      `None of the ${unknownCounts.size} labels in ${options.dataPath} (column ${options.labelColumn ?? 'label'}, e.g. ` +
        `${[...unknownCounts.keys()].slice(0, 3).join(', ')}) is a label of specialist/${options.name} (e.g. ` +
        `${[...known].slice(0, 3).join(', ')}): name the right --label-column, or evaluate on data of its task`,
    );
  }
  const unknownLabels = {
    labels: [...unknownCounts.entries()].sort((a, b) => b[1] - a[1]).map(([label]) => label),
    rows: unknownRows,
  };
  const specialist = await loadSpecialist(options.registryDir, options.name, {
    useVectorCache: options.useVectorCache ?? true,
  });
  try {
    const predictions = await specialist.predictBatch(data.rows.map((row) => row.text));
    const actual = data.rows.map((row) => row.label);
    const report = evaluatePredictions({ predictions, actual, threshold: specialist.threshold });
    return { metadata: specialist.metadata, predictions, actual, report, unknownLabels, skippedRows, trainedRows };
  } finally {
    specialist.close();
  }
}
