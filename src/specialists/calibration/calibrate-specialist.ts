import { evaluateSpecialist } from '../evaluation/evaluate-specialist.ts';
import { readLabelledData } from '../read-labelled-data.ts';
import { saveThresholdCalibration } from '../registry/load-specialist.ts';
import type { ThresholdCalibration } from '../specialist.ts';
import { calibrateThreshold, type ThresholdChoice, toThresholdCalibration } from './calibrate-threshold.ts';
import { checkCalibrationOptions } from './check-calibration-options.ts';

/** Options of {@link calibrateSpecialist}. */
export interface CalibrateSpecialistOptions {
  registryDir: string;
  name: string;
  /** Held-out labelled data (not the training rows), CSV or JSONL. */
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
 * @returns the search result, and the stored calibration when a threshold was found.
 * @throws RightsizeError `invalid_input` for a target or confidence outside (0, 1), or bad data.
 */
export async function calibrateSpecialist(
  options: CalibrateSpecialistOptions,
): Promise<{ choice: ThresholdChoice; calibration: ThresholdCalibration | undefined }> {
  const confidence = options.confidence ?? 0.95;
  checkCalibrationOptions(options.targetAccuracy, confidence);
  const { predictions, actual } = await evaluateSpecialist(options);
  const choice = calibrateThreshold(
    predictions.map((prediction, index) => ({
      confidence: prediction.probability,
      correct: prediction.label === actual[index],
    })),
    { targetAccuracy: options.targetAccuracy, confidence },
  );
  if (choice.threshold === undefined) return { choice, calibration: undefined };
  const calibration = toThresholdCalibration(choice, {
    targetAccuracy: options.targetAccuracy,
    confidence,
    source: options.dataPath,
    dataHash: readLabelledData({
      path: options.dataPath,
      textColumn: options.textColumn ?? 'text',
      labelColumn: options.labelColumn ?? 'label',
      requireTwoLabels: false,
    }).fileHash,
  });
  if (!calibration) return { choice, calibration: undefined };
  if (options.save ?? true) saveThresholdCalibration(options.registryDir, options.name, calibration);
  return { choice, calibration };
}
