import { RightsizeError } from '../../errors/rightsize-error.ts';
import { hashRows, type LabelledRow, readLabelledData } from '../read-labelled-data.ts';
import { loadSpecialist, readSpecialistMetadata, saveThresholdCalibration } from '../registry/load-specialist.ts';
import { learnedBy } from '../registry/training-texts.ts';
import type { ThresholdCalibration } from '../specialist.ts';
import { splitTrainValid } from '../split-train-valid.ts';
import { type CascadeChoice, type CascadeOperatingPoint, calibrateCascade } from './calibrate-cascade.ts';
import { checkCalibrationOptions } from './check-calibration-options.ts';

/** Options of {@link calibrateRoute}. */
export interface CalibrateRouteOptions {
  registryDir: string;
  /** The route's name, recorded with each stored threshold. */
  route: string;
  /** The route's specialist tiers, in order (names without `specialist/`). */
  specialists: readonly string[];
  /** Labelled CSV or JSONL: held-out rows, or (with `split: 'validation'`) the training file. */
  dataPath: string;
  textColumn?: string;
  labelColumn?: string;
  /**
   * `validation`: `dataPath` is the file the specialists were trained on, and the calibration uses
   * only the rows they all held out (their shared validation split, rebuilt from the seed and the
   * fraction in their metadata). @default the whole file, which must not be their training data
   */
  split?: 'validation' | undefined;
  /** Accuracy required on everything the specialist tiers accept together, in (0, 1). */
  targetAccuracy: number;
  /** Probability that the guarantee holds. @default 0.95 */
  confidence?: number;
  /** Store each tier's threshold in its specialist's metadata. @default true */
  save?: boolean;
}

/** What {@link calibrateRoute} found, and what it stored. */
export interface CalibrateRouteResult {
  choice: CascadeChoice;
  /** Per specialist, the stored calibration (empty when no guaranteed point was found). */
  stored: Array<{ name: string; calibration: ThresholdCalibration }>;
  /** A label for where the calibration rows came from. */
  source: string;
  /**
   * Rows of a held-out file that one of the tiers was trained on (their `training-texts.bin`
   * records), left out of the calibration; 0 with `split: 'validation'`.
   */
  trainedRowsLeftOut: number;
}

/** Prefix of `ThresholdCalibration.source` for thresholds chosen by a route calibration. */
export function routeCalibrationSource(route: string): string {
  return `route ${route}`;
}

/**
 * Calibrates a route's specialist tiers together (see {@link calibrateCascade}) on held-out rows:
 * each specialist predicts every row, and the thresholds are chosen so that the accuracy on all the
 * specialists accept, each item judged by the first tier that accepts it, is at least the target
 * with the stated confidence. Stores each tier's threshold with its specialist (the guarantee is
 * about the route, as `source` says), unless `save` is false or no point is guaranteed.
 * Rows of a held-out file that any tier was trained on are left out and counted.
 * @throws RightsizeError `invalid_input` for a target or confidence outside (0, 1), bad data,
 *   training rows given as held-out data (the training file itself, or a file of nothing but rows
 *   the tiers learned from), or specialists that do not share one validation split;
 *   `model_not_found` for an unknown specialist.
 */
export async function calibrateRoute(options: CalibrateRouteOptions): Promise<CalibrateRouteResult> {
  const confidence = options.confidence ?? 0.95;
  checkCalibrationOptions(options.targetAccuracy, confidence);
  if (options.specialists.length === 0) {
    throw new RightsizeError(
      'invalid_input',
      `route ${options.route} has no specialist tiers to calibrate: list specialist/NAME tiers first in its tiers`,
    );
  }
  const data = readLabelledData({
    path: options.dataPath,
    textColumn: options.textColumn ?? 'text',
    labelColumn: options.labelColumn ?? 'label',
    requireTwoLabels: false,
  });
  const metadata = options.specialists.map((name) => readSpecialistMetadata(options.registryDir, name));
  const dataHash = hashRows(data.rows);
  let rows: LabelledRow[];
  let source: string;
  let trainedRowsLeftOut = 0;
  if (options.split === 'validation') {
    const first = metadata[0]!.training;
    for (const entry of metadata) {
      const training = entry.training;
      if (
        training.dataHash !== dataHash ||
        training.validFraction !== first.validFraction ||
        training.seed !== first.seed
      ) {
        throw new RightsizeError(
          'invalid_input',
          `specialist/${entry.name} was not trained on ${options.dataPath} with the same validation split as ` +
            `specialist/${metadata[0]!.name} (data hash, validFraction and seed must match): retrain them from one file ` +
            'with one --valid-fraction and --seed, or calibrate on a held-out file without --split',
        );
      }
    }
    rows = splitTrainValid(data.rows, { validFraction: first.validFraction, seed: first.seed }).valid;
    source = `${routeCalibrationSource(options.route)}: validation split of ${options.dataPath}`;
  } else {
    const trainedOn = metadata.find((entry) => entry.training.dataHash === dataHash);
    if (trainedOn !== undefined) {
      throw new RightsizeError(
        'invalid_input',
        `${options.dataPath} is the training data of specialist/${trainedOn.name}: calibrate on held-out rows, ` +
          'or add --split validation to use only the rows it held out',
      );
    }
    // Rows any tier learned from, in whatever file they come: left out, as `calibrate --specialist` does.
    const learned = learnedBy(options.registryDir, options.specialists);
    rows = learned ? data.rows.filter((row) => !learned(row.text)) : data.rows;
    trainedRowsLeftOut = data.rows.length - rows.length;
    if (rows.length === 0 && trainedRowsLeftOut > 0) {
      throw new RightsizeError(
        'invalid_input',
        `every row of ${options.dataPath} is one the tiers of route ${options.route} were trained on: a threshold ` +
          'chosen on them guarantees nothing; calibrate on rows held out from their training, or use ' +
          '--split validation with their training file. Nothing stored.',
      );
    }
    source = `${routeCalibrationSource(options.route)}: ${options.dataPath}`;
  }
  const texts = rows.map((row) => row.text);
  const scored: Array<Array<{ confidence: number; correct: boolean }>> = rows.map(() => []);
  for (const name of options.specialists) {
    const specialist = await loadSpecialist(options.registryDir, name, { useVectorCache: true });
    try {
      const predictions = await specialist.predictBatch(texts);
      predictions.forEach((prediction, index) => {
        scored[index]!.push({ confidence: prediction.probability, correct: prediction.label === rows[index]!.label });
      });
    } finally {
      specialist.close();
    }
  }
  const choice = calibrateCascade(scored, { targetAccuracy: options.targetAccuracy, confidence });
  const stored: CalibrateRouteResult['stored'] = [];
  const point = choice.guaranteed;
  if (point !== undefined) {
    const calibratedAt = new Date().toISOString();
    options.specialists.forEach((name, tier) => {
      const calibration = tierCalibration(point, tier, {
        targetAccuracy: options.targetAccuracy,
        confidence,
        items: rows.length,
        source: `${source} (tier ${tier + 1} of ${options.specialists.length}; the bound is the route's)`,
        ...(options.split === 'validation' ? {} : { dataHash: data.fileHash }),
        calibratedAt,
      });
      if (options.save ?? true) saveThresholdCalibration(options.registryDir, name, calibration);
      stored.push({ name, calibration });
    });
  }
  return { choice, stored, source, trainedRowsLeftOut };
}

/** One tier's share of a route's operating point, in the stored threshold format. */
function tierCalibration(
  point: CascadeOperatingPoint,
  tier: number,
  context: Pick<ThresholdCalibration, 'targetAccuracy' | 'confidence' | 'items' | 'source' | 'calibratedAt'> & {
    dataHash?: string;
  },
): ThresholdCalibration {
  const accepted = point.tierAccepted[tier] ?? 0;
  return {
    threshold: point.thresholds[tier] ?? 1,
    targetAccuracy: context.targetAccuracy,
    confidence: context.confidence,
    coverage: context.items === 0 ? 0 : accepted / context.items,
    selectiveAccuracy: accepted === 0 ? 0 : (point.tierCorrect[tier] ?? 0) / accepted,
    accuracyLowerBound: point.accuracyLowerBound,
    items: context.items,
    acceptedItems: accepted,
    source: context.source,
    ...(context.dataHash === undefined ? {} : { dataHash: context.dataHash }),
    calibratedAt: context.calibratedAt,
  };
}
