import { seededRandom, shuffled } from './seeded-random.ts';
import type { SparseVector } from './text-features.ts';

/** One training example: sparse hashed features, dense named features, a 0/1 label and a weight. */
export interface LogisticExample {
  sparse: SparseVector;
  dense: readonly number[];
  label: number;
  /** Example weight. @default 1 */
  weight?: number;
}

/** Hyper-parameters of {@link trainLogisticRegression}. */
export interface LogisticRegressionOptions {
  /** Passes over the data. @default 30 */
  epochs?: number;
  /** AdaGrad base learning rate. @default 0.2 */
  learningRate?: number;
  /** L2 penalty on sparse weights, per example. @default 1e-4 */
  l2Sparse?: number;
  /** L2 penalty on dense weights, per example. @default 1e-4 */
  l2Dense?: number;
  /** Multiplies every sparse feature value; 0 drops the learned-text part. @default 1 */
  sparseScale?: number;
  /** Shuffle seed. @default 0 */
  seed?: number;
  /** Number of hash buckets of the sparse features. @default 2 ** 18 */
  buckets?: number;
}

/** A trained model, JSON-serialisable. Dense inputs are z-scored with the stored means and scales. */
export interface LogisticModel {
  bias: number;
  denseWeights: number[];
  denseMeans: number[];
  denseScales: number[];
  /** Non-zero sparse weights by bucket index. */
  sparseWeights: Record<string, number>;
  sparseScale: number;
}

function sigmoid(value: number): number {
  if (value >= 0) return 1 / (1 + Math.exp(-value));
  const exp = Math.exp(value);
  return exp / (1 + exp);
}

/**
 * Trains a binary logistic regression by stochastic gradient descent with AdaGrad step sizes and
 * L2 penalties (sparse weights are penalised lazily, only when their feature is present).
 * Deterministic for a seed. Dense features are z-scored on the training set.
 */
export function trainLogisticRegression(
  examples: readonly LogisticExample[],
  options: LogisticRegressionOptions = {},
): LogisticModel {
  const epochs = options.epochs ?? 30;
  const rate = options.learningRate ?? 0.2;
  const l2Sparse = options.l2Sparse ?? 1e-4;
  const l2Dense = options.l2Dense ?? 1e-4;
  const sparseScale = options.sparseScale ?? 1;
  const width = examples[0]?.dense.length ?? 0;
  const means = new Array<number>(width).fill(0);
  const scales = new Array<number>(width).fill(1);
  for (let column = 0; column < width; column++) {
    let sum = 0;
    let squares = 0;
    for (const example of examples) {
      const value = example.dense[column]!;
      sum += value;
      squares += value * value;
    }
    const mean = sum / Math.max(1, examples.length);
    const variance = squares / Math.max(1, examples.length) - mean * mean;
    means[column] = mean;
    scales[column] = variance > 1e-12 ? Math.sqrt(variance) : 1;
  }
  let bias = 0;
  let biasG = 1e-8;
  const dense = new Array<number>(width).fill(0);
  const denseG = new Array<number>(width).fill(1e-8);
  const buckets = options.buckets ?? 2 ** 18;
  const sparse = new Float64Array(buckets);
  const sparseG = new Float64Array(buckets).fill(1e-8);
  const random = seededRandom(options.seed ?? 0);
  const order = examples.map((_, index) => index);
  const z = new Array<number>(width).fill(0);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const index of shuffled(order, random)) {
      const example = examples[index]!;
      let logit = bias;
      for (let column = 0; column < width; column++) {
        z[column] = (example.dense[column]! - means[column]!) / scales[column]!;
        logit += dense[column]! * z[column]!;
      }
      const { indices, values } = example.sparse;
      for (let k = 0; k < indices.length; k++) logit += sparse[indices[k]!]! * values[k]! * sparseScale;
      const error = (sigmoid(logit) - example.label) * (example.weight ?? 1);
      biasG += error * error;
      bias -= (rate / Math.sqrt(biasG)) * error;
      for (let column = 0; column < width; column++) {
        const gradient = error * z[column]! + l2Dense * dense[column]!;
        denseG[column]! += gradient * gradient;
        dense[column]! -= (rate / Math.sqrt(denseG[column]!)) * gradient;
      }
      for (let k = 0; k < indices.length; k++) {
        const bucket = indices[k]!;
        const weight = sparse[bucket]!;
        const gradient = error * values[k]! * sparseScale + l2Sparse * weight;
        const accumulated = sparseG[bucket]! + gradient * gradient;
        sparseG[bucket] = accumulated;
        sparse[bucket] = weight - (rate / Math.sqrt(accumulated)) * gradient;
      }
    }
  }
  const sparseWeights: Record<string, number> = {};
  for (let bucket = 0; bucket < buckets; bucket++) {
    const weight = sparse[bucket]!;
    if (Math.abs(weight) > 1e-6) sparseWeights[bucket] = weight;
  }
  return { bias, denseWeights: dense, denseMeans: means, denseScales: scales, sparseWeights, sparseScale };
}

/** P(label = 1) under a trained model. */
export function predictLogistic(model: LogisticModel, sparse: SparseVector, dense: readonly number[]): number {
  let logit = model.bias;
  for (let column = 0; column < model.denseWeights.length; column++) {
    logit +=
      (model.denseWeights[column]! * ((dense[column] ?? 0) - model.denseMeans[column]!)) / model.denseScales[column]!;
  }
  for (let k = 0; k < sparse.indices.length; k++) {
    logit += (model.sparseWeights[sparse.indices[k]!] ?? 0) * sparse.values[k]! * model.sparseScale;
  }
  return sigmoid(logit);
}
