import { expectedCalibrationError } from '../calibration/expected-calibration-error.ts';

/** Precision, recall and F1 of one label. */
export interface LabelMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Items whose true label is this one. */
  support: number;
}

/** A point of the coverage/accuracy curve: accepting the most confident `coverage` share. */
export interface CoveragePoint {
  coverage: number;
  /** Accuracy on the accepted items (selective accuracy). */
  accuracy: number;
  /** The confidence of the least confident accepted item. */
  threshold: number;
}

/** Everything `rightsize eval` reports. */
export interface EvaluationReport {
  items: number;
  /** Accuracy at full coverage. */
  accuracy: number;
  /** Unweighted mean of per-label F1 over the labels present in the data or predicted. */
  macroF1: number;
  /** Expected calibration error of the top probability (15 bins). */
  ece: number;
  perLabel: LabelMetrics[];
  /** The most frequent (true, predicted) mistakes, most frequent first (at most 10). */
  confusedPairs: Array<{ actual: string; predicted: string; count: number }>;
  /** Accuracy and coverage when accepting at the given threshold. */
  atThreshold?: { threshold: number; coverage: number; accuracy: number; acceptedItems: number };
  /** Selective accuracy against coverage, at every 1 % of coverage (100 points). */
  curve: CoveragePoint[];
}

/**
 * Scores predictions against true labels.
 * @param predictions each item's top label and its probability.
 * @param actual each item's true label (labels the specialist does not know count as errors).
 * @param threshold the acceptance threshold to report, when one is calibrated.
 */
export function evaluatePredictions(options: {
  predictions: ReadonlyArray<{ label: string; probability: number }>;
  actual: readonly string[];
  threshold?: number | undefined;
}): EvaluationReport {
  const { predictions, actual } = options;
  const items = predictions.length;
  const correct = predictions.map((prediction, index) => prediction.label === actual[index]);
  const accuracy = items === 0 ? 0 : correct.filter(Boolean).length / items;
  const truePositives = new Map<string, number>();
  const predicted = new Map<string, number>();
  const support = new Map<string, number>();
  const confusions = new Map<string, { actual: string; predicted: string; count: number }>();
  predictions.forEach((prediction, index) => {
    const truth = actual[index] ?? '';
    support.set(truth, (support.get(truth) ?? 0) + 1);
    predicted.set(prediction.label, (predicted.get(prediction.label) ?? 0) + 1);
    if (prediction.label === truth) {
      truePositives.set(truth, (truePositives.get(truth) ?? 0) + 1);
    } else {
      const key = `${truth}\u0000${prediction.label}`;
      const entry = confusions.get(key) ?? { actual: truth, predicted: prediction.label, count: 0 };
      entry.count++;
      confusions.set(key, entry);
    }
  });
  const labels = [...new Set([...support.keys(), ...predicted.keys()])].sort();
  const perLabel = labels.map((label): LabelMetrics => {
    const hits = truePositives.get(label) ?? 0;
    const precision = (predicted.get(label) ?? 0) === 0 ? 0 : hits / (predicted.get(label) ?? 1);
    const recall = (support.get(label) ?? 0) === 0 ? 0 : hits / (support.get(label) ?? 1);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support: support.get(label) ?? 0 };
  });
  const macroF1 = perLabel.length === 0 ? 0 : perLabel.reduce((sum, metrics) => sum + metrics.f1, 0) / perLabel.length;
  const confusedPairs = [...confusions.values()]
    .sort((a, b) => b.count - a.count || a.actual.localeCompare(b.actual))
    .slice(0, 10);

  const order = predictions
    .map((prediction, index) => ({ confidence: prediction.probability, correct: correct[index] ?? false }))
    .sort((a, b) => b.confidence - a.confidence);
  const curve: CoveragePoint[] = [];
  let hits = 0;
  let nextPoint = 1;
  order.forEach((item, index) => {
    if (item.correct) hits++;
    const accepted = index + 1;
    while (nextPoint <= 100 && accepted >= Math.ceil((nextPoint / 100) * items)) {
      curve.push({ coverage: accepted / items, accuracy: hits / accepted, threshold: item.confidence });
      nextPoint++;
    }
  });

  const report: EvaluationReport = {
    items,
    accuracy,
    macroF1,
    ece: expectedCalibrationError(
      predictions.map((prediction) => prediction.probability),
      correct,
    ),
    perLabel,
    confusedPairs,
    curve,
  };
  if (options.threshold !== undefined) {
    const threshold = options.threshold;
    const accepted = order.filter((item) => item.confidence >= threshold);
    report.atThreshold = {
      threshold,
      coverage: items === 0 ? 0 : accepted.length / items,
      accuracy: accepted.length === 0 ? 0 : accepted.filter((item) => item.correct).length / accepted.length,
      acceptedItems: accepted.length,
    };
  }
  return report;
}
