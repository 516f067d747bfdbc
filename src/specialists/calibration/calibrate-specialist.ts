import { RightsizeError } from '../../errors/rightsize-error.ts';
import { evaluateSpecialist } from '../evaluation/evaluate-specialist.ts';
import { hashRows, readLabelledData } from '../read-labelled-data.ts';
import { readSpecialistMetadata, saveThresholdCalibration } from '../registry/load-specialist.ts';
import { learnedBy } from '../registry/training-texts.ts';
import type { ThresholdCalibration } from '../specialist.ts';
import { calibrateThreshold, type ThresholdChoice, toThresholdCalibration } from './calibrate-threshold.ts';
import { checkCalibrationOptions } from './check-calibration-options.ts';

/** Options of {@link calibrateSpecialist}. */
export interface CalibrateSpecialistOptions {
  registryDir: string;
  name: string;
  /**
   * Held-out labelled data, CSV or JSONL. The specialist's training file (its rows hash to the
   * specialist's `training.dataHash`) is refused.
   */
  dataPath: string;
  textColumn?: string;
  labelColumn?: string;
  /** Accuracy required on accepted items, in (0, 1), e.g. 0.98. */
  targetAccuracy: number;
  /** Probability that the guarantee holds, in (0, 1). @default 0.95 */
  confidence?: number;
  /** Store the threshold in the specialist's metadata. @default true */
  save?: boolean;
}

/**
 * Chooses a specialist's acceptance threshold on held-out data (see {@link calibrateThreshold}:
 * fixed-sequence testing with a one-sided Clopper-Pearson bound) and stores it with the specialist.
 * Nothing is stored when `save` is false or no threshold is found.
 * Rows of the data the specialist was trained on (its `training-texts.bin` record; specialists
 * trained before it existed have none) are left out and counted in `trainedRowsLeftOut`.
 * @returns the search result, and the calibration (stored unless `save` is false) when a threshold
 *   was found, else undefined.
 * @throws RightsizeError `invalid_input` for a target or confidence outside (0, 1), bad data, or
 *   the specialist's own training rows given as held-out data, or only rows it was trained on (checked
 *   before any prediction, dry run or not); `model_not_found` for an unknown specialist.
 */
export async function calibrateSpecialist(
  options: CalibrateSpecialistOptions,
): Promise<{ choice: ThresholdChoice; calibration: ThresholdCalibration | undefined; trainedRowsLeftOut: number }> {
  const confidence = options.confidence ?? 0.95;
  checkCalibrationOptions(options.targetAccuracy, confidence);
  const data = readLabelledData({
    path: options.dataPath,
    textColumn: options.textColumn ?? 'text',
    labelColumn: options.labelColumn ?? 'label',
    requireTwoLabels: false,
  });
  const training = readSpecialistMetadata(options.registryDir, options.name).training;
  if (hashRows(data.rows) === training.dataHash) {
    throw new RightsizeError(
      'invalid_input',
      `${options.dataPath} is the training data of specialist/${options.name} (its rows match the training.dataHash ` +
        'in its metadata), and a threshold chosen on rows it learned from guarantees nothing: calibrate on a held-out ' +
        `file (the training run already chose a threshold on the ${training.validRows} of ${training.rows} rows it ` +
        'held out), or, for a route it is a tier of, use only those rows: `rightsize calibrate --route NAME --split validation`. ' +
        'Nothing stored.',
    );
  }
  // Rows it learned from, in whatever file they come (a subset of the training file, a copy of some):
  // left out, so that the threshold is chosen on held-out rows only.
  const learned = learnedBy(options.registryDir, [options.name]);
  if (learned && data.rows.length > 0 && data.rows.every((row) => learned(row.text))) {
    throw new RightsizeError(
      'invalid_input',
      `every row of ${options.dataPath} is one specialist/${options.name} was trained on: a threshold chosen on them guarantees nothing; calibrate on rows held out from its training. Nothing stored.`,
    );
  }
  const { predictions, actual, skippedRows } = await evaluateSpecialist({
    ...options,
    ...(learned ? { skipText: learned } : {}),
  });
  const choice = calibrateThreshold(
    predictions.map((prediction, index) => ({
      confidence: prediction.probability,
      correct: prediction.label === actual[index],
    })),
    { targetAccuracy: options.targetAccuracy, confidence },
  );
  if (choice.threshold === undefined) return { choice, calibration: undefined, trainedRowsLeftOut: skippedRows };
  const calibration = toThresholdCalibration(choice, {
    targetAccuracy: options.targetAccuracy,
    confidence,
    source: options.dataPath,
    dataHash: data.fileHash,
  });
  if (!calibration) return { choice, calibration: undefined, trainedRowsLeftOut: skippedRows };
  if (options.save ?? true) saveThresholdCalibration(options.registryDir, options.name, calibration);
  return { choice, calibration, trainedRowsLeftOut: skippedRows };
}
