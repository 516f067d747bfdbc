/**
 * The specialist contract: a small text classifier that runs in process, offline, and reports
 * calibrated probabilities, so that a cascade can accept its answer when it is sure and escalate
 * the rest. Implementations (one folder each): `fasttext/` (supervised fastText in WASM),
 * `encoder/` (Universal Sentence Encoder lite + a trained softmax-regression head, with a cosine
 * k-NN vote), and `ensemble/` (both, combined with weights fitted on the validation split).
 *
 * A specialist on disk is one folder of the registry (`<registry>/<name>/`) holding
 * `specialist.json` (see {@link SpecialistMetadata}) and its model files.
 */
import { z } from 'zod';

/** The architectures `rightsize train --arch` accepts. */
export const specialistArchSchema = z.enum(['fasttext', 'encoder', 'ensemble']);
/** `fasttext` (fast, about 30 us a prediction), `encoder` (sentence vectors, about 30 ms), `ensemble` (both). */
export type SpecialistArch = z.infer<typeof specialistArchSchema>;

/**
 * The default architecture: the ensemble, the most accurate and the best calibrated in
 * `rightsize bench specialist` on Banking77 (see docs/specialists.md for the figures).
 */
export const DEFAULT_SPECIALIST_ARCH: SpecialistArch = 'ensemble';

/** One label with its calibrated probability in [0, 1]. */
export interface LabelProbability {
  label: string;
  probability: number;
}

/** What a specialist answers for one text. */
export interface SpecialistPrediction {
  /** The most probable label. */
  label: string;
  /** Its calibrated probability in [0, 1] (temperature-scaled on the validation split). */
  probability: number;
  /** The next most probable labels, best first, without `label` (at most 5). */
  alternatives: LabelProbability[];
}

/**
 * An acceptance threshold chosen by `rightsize calibrate` (or at training, on the validation
 * split): accepting predictions whose probability is at least `threshold` gives an accuracy on the
 * accepted items of at least `targetAccuracy`, with probability `confidence`, by a one-sided
 * Clopper-Pearson bound (Clopper & Pearson 1934) in Learn-then-Test fixed-sequence testing
 * (Angelopoulos et al. 2021, "Learn then test"), see `calibrateThreshold`.
 */
export const thresholdCalibrationSchema = z.object({
  /** Accept a prediction when its probability is at least this. */
  threshold: z.number(),
  /** The accuracy on accepted items the threshold was chosen for, e.g. 0.98. */
  targetAccuracy: z.number(),
  /** Probability that the true accuracy on accepted items is at least the target, e.g. 0.95. */
  confidence: z.number(),
  /** Share of the calibration items accepted at the threshold, in [0, 1]. */
  coverage: z.number(),
  /** Accuracy measured on the accepted calibration items. */
  selectiveAccuracy: z.number(),
  /** The Clopper-Pearson lower bound of that accuracy (at the Bonferroni-corrected confidence). */
  accuracyLowerBound: z.number(),
  /** Calibration items, and how many were accepted. */
  items: z.number().int(),
  acceptedItems: z.number().int(),
  /** Where the calibration items came from: `validation-split` or a file path. */
  source: z.string(),
  /** SHA-256 of the calibration file (absent for the validation split). */
  dataHash: z.string().optional(),
  /** ISO 8601. */
  calibratedAt: z.string(),
});
export type ThresholdCalibration = z.infer<typeof thresholdCalibrationSchema>;

/** Metrics of a specialist on its validation split, written at training. */
export const validationMetricsSchema = z.object({
  accuracy: z.number(),
  macroF1: z.number(),
  /** Expected calibration error (15 equal-width bins) before temperature scaling. */
  eceBefore: z.number(),
  /** Expected calibration error after temperature scaling (and ensembling). */
  eceAfter: z.number(),
  /** Accuracy of each component alone (ensembles), e.g. `{ fasttext: 0.87, encoder: 0.88 }`. */
  components: z.record(z.string(), z.number()).default({}),
});
export type ValidationMetrics = z.infer<typeof validationMetricsSchema>;

/**
 * How a specialist turns its components' probabilities into one: score(c) = sum over components i
 * of weight_i * ln p_i(c), then softmax(score / temperature). One component with weight 1 is plain
 * temperature scaling (Guo et al. 2017, "On calibration of modern neural networks").
 */
export const combinerSchema = z.object({
  components: z.array(z.enum(['fasttext', 'encoder', 'knn'])).min(1),
  weights: z.array(z.number()),
  temperature: z.number().positive(),
});
export type Combiner = z.infer<typeof combinerSchema>;

/** `specialist.json`: everything needed to load, explain and reproduce a specialist. */
export const specialistMetadataSchema = z.object({
  formatVersion: z.literal(1),
  name: z.string(),
  arch: specialistArchSchema,
  /** Labels in the order of every probability vector the specialist computes. */
  labels: z.array(z.string()).min(2),
  hyperParameters: z.record(z.string(), z.unknown()),
  training: z.object({
    /** The data file as given (absent when trained from rows in memory). */
    dataPath: z.string().optional(),
    /** SHA-256 of the training rows (text and label, in order). */
    dataHash: z.string(),
    rows: z.number().int(),
    trainRows: z.number().int(),
    validRows: z.number().int(),
    validFraction: z.number(),
    seed: z.number().int(),
    /** Wall time of the whole training, in ms; `encodeMs` of it went to sentence vectors. */
    durationMs: z.number(),
    encodeMs: z.number().optional(),
  }),
  validation: validationMetricsSchema,
  combiner: combinerSchema,
  threshold: thresholdCalibrationSchema.optional(),
  /** Model files in the specialist's folder, relative names. */
  files: z.record(z.string(), z.string()),
  /** ISO 8601. */
  createdAt: z.string(),
});
export type SpecialistMetadata = z.infer<typeof specialistMetadataSchema>;

/**
 * Characters of a message a specialist reads (the rest is left out): the start of a message carries
 * its intent, and reading all of a long one would hold the event loop (fastText: about 0.5 s for a
 * 3 MB message, measured here) or the encoder's worker (USE-lite's time grows faster than the text).
 * 2,000 characters is a few hundred words, over four times the longest Banking77 message (433).
 */
export const MAX_SPECIALIST_INPUT_CHARACTERS = 2_000;

/** A specialist loaded in memory, ready to predict. */
export interface Specialist {
  readonly name: string;
  readonly arch: SpecialistArch;
  readonly labels: readonly string[];
  /** The calibrated acceptance threshold, or undefined when none has been calibrated. */
  readonly threshold: number | undefined;
  /** How the threshold was chosen (target accuracy, confidence, coverage). */
  readonly thresholdCalibration: ThresholdCalibration | undefined;
  readonly metadata: SpecialistMetadata;
  /**
   * Classifies one text. Async because the sentence encoder runs a TensorFlow.js graph with a
   * dynamic op (`Where`) that only `executeAsync` can run; fastText alone answers synchronously
   * through {@link Specialist.predictSync}. A `signal` that aborts while the text still waits for
   * an encoder batch drops it (rejecting with the signal's reason).
   */
  predict(text: string, signal?: AbortSignal): Promise<SpecialistPrediction>;
  /** Classifies many texts; encoders batch them (much faster per text than one by one). */
  predictBatch(texts: readonly string[]): Promise<SpecialistPrediction[]>;
  /** Synchronous prediction, present only for architectures without an encoder (`fasttext`). */
  readonly predictSync?: (text: string) => SpecialistPrediction;
  /** Calibrated probabilities of every label, in `labels` order. */
  probabilities(texts: readonly string[]): Promise<Float64Array[]>;
  /** Frees the model memory. */
  close(): void;
}

/** Progress of a training, for progress bars. */
export interface TrainingProgress {
  /** `read`, `encode`, `fasttext`, `encoder-head`, `knn`, `calibrate` or `save`. */
  stage: string;
  /** Overall progress in [0, 1]. */
  fraction: number;
  /** A short human description of the step. */
  message: string;
}

/** How many alternatives a prediction lists. */
export const MAX_ALTERNATIVES = 5;

/** Builds a prediction from a probability vector in `labels` order (a linear top-k scan, no sort). */
export function toPrediction(labels: readonly string[], probabilities: ArrayLike<number>): SpecialistPrediction {
  const keep = MAX_ALTERNATIVES + 1;
  const top: number[] = [];
  for (let index = 0; index < probabilities.length; index++) {
    const value = probabilities[index] ?? 0;
    if (top.length === keep && value <= (probabilities[top[keep - 1] ?? 0] ?? 0)) continue;
    let position = top.length < keep ? top.length : keep - 1;
    while (position > 0 && (probabilities[top[position - 1] ?? 0] ?? 0) < value) position--;
    top.splice(position, 0, index);
    if (top.length > keep) top.pop();
  }
  const best = top[0] ?? 0;
  return {
    label: labels[best] ?? '',
    probability: probabilities[best] ?? 0,
    alternatives: top.slice(1).map((index) => ({ label: labels[index] ?? '', probability: probabilities[index] ?? 0 })),
  };
}
