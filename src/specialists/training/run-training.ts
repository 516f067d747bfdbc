import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import { makeFolder } from '../../internal/make-folder.ts';
import { calibrateThreshold, toThresholdCalibration } from '../calibration/calibrate-threshold.ts';
import { combineProbabilities, fitCombinerWeights } from '../calibration/fit-combiner.ts';
import {
  CosineKnn,
  type CosineKnnHyperParameters,
  DEFAULT_COSINE_KNN_HYPER_PARAMETERS,
} from '../encoder/cosine-knn.ts';
import { embedTexts, SENTENCE_VECTOR_DIMENSION } from '../encoder/sentence-encoder.ts';
import {
  DEFAULT_SOFTMAX_REGRESSION_HYPER_PARAMETERS,
  SoftmaxRegression,
  type SoftmaxRegressionHyperParameters,
} from '../encoder/softmax-regression.ts';
import { VectorCache } from '../encoder/vector-cache.ts';
import { evaluatePredictions } from '../evaluation/evaluate-predictions.ts';
import {
  DEFAULT_FASTTEXT_HYPER_PARAMETERS,
  FastTextClassifier,
  type FastTextHyperParameters,
} from '../fasttext/fasttext-classifier.ts';
import { trainFastTextInWorker } from '../fasttext/train-fasttext-in-worker.ts';
import { hashRows, type LabelledRow } from '../read-labelled-data.ts';
import { encoderCachePath, METADATA_FILE, MODEL_FILES, specialistDirectory } from '../registry/specialist-paths.ts';
import { writeTrainingTexts } from '../registry/training-texts.ts';
import {
  type Combiner,
  DEFAULT_SPECIALIST_ARCH,
  type SpecialistArch,
  type SpecialistMetadata,
  type TrainingProgress,
  toPrediction,
} from '../specialist.ts';
import { checkValidationSplit, splitTrainValid } from '../split-train-valid.ts';

/** Everything a training needs; plain data, so that it can cross to a worker thread. */
export interface TrainSpecialistOptions {
  rows: LabelledRow[];
  name: string;
  /** @default 'ensemble' (see DEFAULT_SPECIALIST_ARCH) */
  arch?: SpecialistArch | undefined;
  /** Share of each label held out to fit calibration and the threshold. @default 0.1 */
  validFraction?: number | undefined;
  /** @default 42 */
  seed?: number | undefined;
  registryDir: string;
  /** The data file, recorded in the metadata. */
  dataPath?: string | undefined;
  /** Threshold chosen on the validation split at the end of training. @default 0.98 and 0.95 */
  targetAccuracy?: number | undefined;
  confidence?: number | undefined;
  hyperParameters?: {
    fasttext?: Partial<FastTextHyperParameters>;
    encoder?: Partial<SoftmaxRegressionHyperParameters>;
    knn?: Partial<CosineKnnHyperParameters>;
  };
}

/** Which components each architecture combines. */
export const ARCH_COMPONENTS: Readonly<Record<SpecialistArch, Combiner['components']>> = {
  fasttext: ['fasttext'],
  encoder: ['encoder'],
  ensemble: ['fasttext', 'encoder', 'knn'],
};

/** Share of the overall progress bar given to each stage, by whether the stage runs. */
const STAGE_WEIGHTS = { encode: 0.35, fasttext: 0.3, head: 0.25, rest: 0.1 };

/**
 * Trains, calibrates and saves a specialist, in the calling thread (use `trainSpecialist` to run it
 * in a worker). Writes `<registry>/<name>/` atomically (a temporary folder renamed at the end),
 * replacing an older specialist of the same name.
 * @throws RightsizeError `invalid_input` for a bad name, fewer than two labels, a bad fraction, or too
 *   few rows for a validation split.
 */
export async function runTraining(
  options: TrainSpecialistOptions,
  onProgress: (progress: TrainingProgress) => void = () => {},
): Promise<SpecialistMetadata> {
  const started = performance.now();
  const arch = options.arch ?? DEFAULT_SPECIALIST_ARCH;
  const validFraction = options.validFraction ?? 0.1;
  const seed = options.seed ?? 42;
  const directory = specialistDirectory(options.registryDir, options.name);
  if (!(validFraction > 0 && validFraction <= 0.5)) {
    throw new RightsizeError(
      'invalid_input',
      `valid fraction ${validFraction} is out of range: use a value in (0, 0.5], e.g. 0.1`,
      {
        param: 'validFraction',
      },
    );
  }
  const labels = [...new Set(options.rows.map((row) => row.label))].sort();
  if (labels.length < 2) {
    throw new RightsizeError(
      'invalid_input',
      'training data holds fewer than two labels: a classifier needs at least two',
    );
  }
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  checkValidationSplit(options.rows, { validFraction, dataPath: options.dataPath });
  const { train, valid } = splitTrainValid(options.rows, { validFraction, seed });
  const trainLabels = train.map((row) => labelIndex.get(row.label) ?? 0);
  const validLabels = valid.map((row) => labelIndex.get(row.label) ?? 0);
  const componentNames = ARCH_COMPONENTS[arch];
  const usesEncoder = componentNames.includes('encoder') || componentNames.includes('knn');
  const usesFastText = componentNames.includes('fasttext');
  // Overall progress: each stage's share of the bar times its own fraction done (stages overlap
  // when fastText trains in its own worker beside the encoder).
  const stageWeights: Record<string, number> = {
    ...(usesEncoder ? { encode: STAGE_WEIGHTS.encode, 'encoder-head': STAGE_WEIGHTS.head } : {}),
    ...(usesFastText ? { fasttext: STAGE_WEIGHTS.fasttext } : {}),
    calibrate: STAGE_WEIGHTS.rest,
  };
  const totalWeight = Object.values(stageWeights).reduce((sum, weight) => sum + weight, 0);
  const stageDone: Record<string, number> = {};
  const report = (stage: string, fraction: number, message: string) => {
    stageDone[stage] = Math.max(stageDone[stage] ?? 0, fraction);
    const done = Object.entries(stageWeights).reduce((sum, [name, weight]) => sum + weight * (stageDone[name] ?? 0), 0);
    onProgress({ stage, fraction: Math.min(1, done / totalWeight), message });
  };

  const fastTextParameters: FastTextHyperParameters = {
    ...DEFAULT_FASTTEXT_HYPER_PARAMETERS,
    seed,
    ...options.hyperParameters?.fasttext,
  };
  const headParameters: SoftmaxRegressionHyperParameters = {
    ...DEFAULT_SOFTMAX_REGRESSION_HYPER_PARAMETERS,
    seed,
    ...options.hyperParameters?.encoder,
  };
  const knnParameters: CosineKnnHyperParameters = {
    ...DEFAULT_COSINE_KNN_HYPER_PARAMETERS,
    ...options.hyperParameters?.knn,
  };

  const validProbabilities: Record<string, Float64Array[]> = {};
  const files: Record<string, string> = {};
  const temporary = join(options.registryDir, `.training-${options.name}-${process.pid}-${Date.now()}`);
  makeFolder(temporary);
  let encodeMs: number | undefined;
  try {
    // fastText trains in a worker of its own when the encoder has work too (two cores, half the time).
    const fastTextJob =
      usesFastText && usesEncoder
        ? trainFastTextInWorker(
            { rows: train, validTexts: valid.map((row) => row.text), labels, hyperParameters: fastTextParameters },
            (fraction) => report('fasttext', fraction, 'fastText'),
          )
        : undefined;
    // Settled here, awaited below: an early failure must not become an unhandled rejection.
    fastTextJob?.catch(() => {});
    if (usesEncoder) {
      const encodeStarted = performance.now();
      const cache = new VectorCache({
        path: encoderCachePath(options.registryDir),
        dimension: SENTENCE_VECTOR_DIMENSION,
      });
      const texts = [...train, ...valid].map((row) => row.text);
      report('encode', 0, `sentence vectors (${cache.size} cached)`);
      const vectors = await embedTexts(texts, {
        cache,
        onProgress: (encoded, pending) => report('encode', encoded / pending, `sentence vectors ${encoded}/${pending}`),
      });
      encodeMs = performance.now() - encodeStarted;
      report('encode', 1, 'sentence vectors');
      const trainVectors = vectors.slice(0, train.length);
      const validVectors = vectors.slice(train.length);
      if (componentNames.includes('encoder')) {
        const head = SoftmaxRegression.train({
          vectors: trainVectors,
          labels: trainLabels,
          classes: labels.length,
          hyperParameters: headParameters,
          onProgress: (fraction) => report('encoder-head', fraction, 'softmax-regression head'),
        });
        validProbabilities['encoder'] = validVectors.map((vector) => head.probabilities(vector));
        writeFileSync(join(temporary, MODEL_FILES.encoder), head.toBytes());
        files['encoder'] = MODEL_FILES.encoder;
      }
      if (componentNames.includes('knn')) {
        report('knn', 0, 'nearest-neighbour index');
        const knn = CosineKnn.fit({
          vectors: trainVectors,
          labels: trainLabels,
          classes: labels.length,
          hyperParameters: knnParameters,
        });
        validProbabilities['knn'] = validVectors.map((vector) => knn.probabilities(vector));
        writeFileSync(join(temporary, MODEL_FILES.knn), knn.toBytes());
        files['knn'] = MODEL_FILES.knn;
      }
    }
    if (fastTextJob) {
      const result = await fastTextJob.catch((error: unknown) => {
        throw new RightsizeError(
          'internal_error',
          `fastText training failed (${String(error)}): run it again, or report it`,
          {
            cause: error,
          },
        );
      });
      validProbabilities['fasttext'] = result.validProbabilities;
      writeFileSync(join(temporary, MODEL_FILES.fasttext), result.modelBytes);
      files['fasttext'] = MODEL_FILES.fasttext;
    } else if (usesFastText) {
      report('fasttext', 0, 'fastText');
      const model = await FastTextClassifier.train({
        rows: train,
        labelIndex,
        hyperParameters: fastTextParameters,
        onProgress: (fraction) => report('fasttext', fraction, 'fastText'),
      });
      try {
        validProbabilities['fasttext'] = valid.map((row) => model.probabilities(row.text));
        writeFileSync(join(temporary, MODEL_FILES.fasttext), model.save());
        files['fasttext'] = MODEL_FILES.fasttext;
      } finally {
        model.close();
      }
    }

    report('calibrate', 0, 'calibration');
    const componentValid = componentNames.map((component) => validProbabilities[component] ?? []);
    const fitted = fitCombinerWeights(componentValid, validLabels);
    const weightSum = fitted.weights.reduce((sum, weight) => sum + weight, 0) || 1;
    const combiner: Combiner = {
      components: [...componentNames],
      weights: fitted.weights.map((weight) => weight / weightSum),
      temperature: 1 / weightSum,
    };
    const uniform = componentNames.map(() => 1 / componentNames.length);
    const before = valid.map((_, item) =>
      toPrediction(
        labels,
        combineProbabilities(
          componentValid.map((component) => component[item] as Float64Array),
          uniform,
        ),
      ),
    );
    const after = valid.map((_, item) =>
      toPrediction(
        labels,
        combineProbabilities(
          componentValid.map((component) => component[item] as Float64Array),
          fitted.weights,
        ),
      ),
    );
    const actual = valid.map((row) => row.label);
    const beforeReport = evaluatePredictions({ predictions: before, actual });
    const afterReport = evaluatePredictions({ predictions: after, actual });
    const components: Record<string, number> = {};
    componentNames.forEach((component, index) => {
      const predictions = (componentValid[index] ?? []).map((vector) => toPrediction(labels, vector));
      components[component] = evaluatePredictions({ predictions, actual }).accuracy;
    });
    const targetAccuracy = options.targetAccuracy ?? 0.98;
    const confidence = options.confidence ?? 0.95;
    const choice = calibrateThreshold(
      after.map((prediction, index) => ({
        confidence: prediction.probability,
        correct: prediction.label === actual[index],
      })),
      { targetAccuracy, confidence },
    );
    const threshold = toThresholdCalibration(choice, { targetAccuracy, confidence, source: 'validation-split' });

    report('save', 0, 'saving');
    const hyperParameters: Record<string, unknown> = {};
    if (usesFastText) hyperParameters['fasttext'] = fastTextParameters;
    if (componentNames.includes('encoder')) hyperParameters['encoder'] = { model: 'use-lite-512', ...headParameters };
    if (componentNames.includes('knn')) hyperParameters['knn'] = { ...knnParameters, rows: train.length };
    const metadata: SpecialistMetadata = {
      formatVersion: 1,
      name: options.name,
      arch,
      labels,
      hyperParameters,
      training: {
        ...(options.dataPath === undefined ? {} : { dataPath: options.dataPath }),
        dataHash: hashRows(options.rows),
        rows: options.rows.length,
        trainRows: train.length,
        validRows: valid.length,
        validFraction,
        seed,
        durationMs: Math.round(performance.now() - started),
        ...(encodeMs === undefined ? {} : { encodeMs: Math.round(encodeMs) }),
      },
      validation: {
        accuracy: afterReport.accuracy,
        macroF1: afterReport.macroF1,
        eceBefore: beforeReport.ece,
        eceAfter: afterReport.ece,
        components,
      },
      combiner,
      ...(threshold === undefined ? {} : { threshold }),
      files,
      createdAt: new Date().toISOString(),
    };
    writeFileSync(join(temporary, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
    // What it learned from (not what it held out): calibration leaves these rows out.
    writeTrainingTexts(
      temporary,
      train.map((row) => row.text),
    );
    rmSync(directory, { recursive: true, force: true });
    renameSync(temporary, directory);
    onProgress({ stage: 'save', fraction: 1, message: 'done' });
    return metadata;
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
}
