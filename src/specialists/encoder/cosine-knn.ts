/** Hyper-parameters of the cosine k-nearest-neighbour vote. */
export interface CosineKnnHyperParameters {
  /** Neighbours that vote. @default 25 */
  k: number;
  /** Softness of the vote: a neighbour weighs exp((similarity - 1) / temperature). @default 0.05 */
  temperature: number;
}

/** k 25, temperature 0.05: on Banking77 other settings (k 10-50, temperature 0.02-0.05) moved the ensemble by 0.1 point at most. */
export const DEFAULT_COSINE_KNN_HYPER_PARAMETERS: Readonly<CosineKnnHyperParameters> = Object.freeze({
  k: 25,
  temperature: 0.05,
});

/** Smallest share a label gets, so that its log-probability stays finite. */
const VOTE_FLOOR = 1e-4;

/**
 * A cosine-similarity k-nearest-neighbour classifier over sentence vectors: the k most similar
 * training texts vote for their labels, each weighted by its similarity. Holds the unit-length
 * training vectors in one Float32Array (rows x dimension).
 */
export class CosineKnn {
  readonly dimension: number;
  readonly classes: number;
  readonly hyperParameters: CosineKnnHyperParameters;
  private readonly matrix: Float32Array;
  private readonly labels: Uint16Array;

  constructor(options: {
    matrix: Float32Array;
    labels: Uint16Array;
    dimension: number;
    classes: number;
    hyperParameters: CosineKnnHyperParameters;
  }) {
    this.matrix = options.matrix;
    this.labels = options.labels;
    this.dimension = options.dimension;
    this.classes = options.classes;
    this.hyperParameters = options.hyperParameters;
  }

  /** Builds the index from raw vectors (normalised here) and label indices. */
  static fit(options: {
    vectors: readonly Float32Array[];
    labels: readonly number[];
    classes: number;
    hyperParameters: CosineKnnHyperParameters;
  }): CosineKnn {
    const dimension = options.vectors[0]?.length ?? 0;
    const matrix = new Float32Array(options.vectors.length * dimension);
    options.vectors.forEach((vector, row) => {
      matrix.set(unit(vector), row * dimension);
    });
    return new CosineKnn({
      matrix,
      labels: Uint16Array.from(options.labels),
      dimension,
      classes: options.classes,
      hyperParameters: options.hyperParameters,
    });
  }

  /** Vote shares of every class for one raw vector, floored at 1e-4 and summing to 1. */
  probabilities(vector: Float32Array): Float64Array {
    const query = unit(vector);
    const { dimension, matrix } = this;
    const rows = this.labels.length;
    const k = Math.min(this.hyperParameters.k, rows);
    const bestSimilarity = new Float64Array(k).fill(-Infinity);
    const bestRow = new Int32Array(k).fill(-1);
    const unrolled = dimension - (dimension % 4);
    for (let row = 0; row < rows; row++) {
      const offset = row * dimension;
      // Four running sums: about 1.6x faster than one in V8 (measured here, 9,000 x 512).
      let sum0 = 0;
      let sum1 = 0;
      let sum2 = 0;
      let sum3 = 0;
      for (let j = 0; j < unrolled; j += 4) {
        sum0 += matrix[offset + j]! * query[j]!;
        sum1 += matrix[offset + j + 1]! * query[j + 1]!;
        sum2 += matrix[offset + j + 2]! * query[j + 2]!;
        sum3 += matrix[offset + j + 3]! * query[j + 3]!;
      }
      for (let j = unrolled; j < dimension; j++) sum0 += matrix[offset + j]! * query[j]!;
      const similarity = sum0 + sum1 + sum2 + sum3;
      if (similarity <= bestSimilarity[k - 1]!) continue;
      let position = k - 1;
      while (position > 0 && bestSimilarity[position - 1]! < similarity) {
        bestSimilarity[position] = bestSimilarity[position - 1]!;
        bestRow[position] = bestRow[position - 1]!;
        position--;
      }
      bestSimilarity[position] = similarity;
      bestRow[position] = row;
    }
    const votes = new Float64Array(this.classes);
    let total = 0;
    for (let index = 0; index < k; index++) {
      const row = bestRow[index]!;
      if (row < 0) continue;
      const weight = Math.exp((bestSimilarity[index]! - 1) / this.hyperParameters.temperature);
      votes[this.labels[row]!] = votes[this.labels[row]!]! + weight;
      total += weight;
    }
    let sum = 0;
    for (let c = 0; c < this.classes; c++) {
      votes[c] = (total > 0 ? votes[c]! / total : 1 / this.classes) + VOTE_FLOOR;
      sum += votes[c]!;
    }
    for (let c = 0; c < this.classes; c++) votes[c] = votes[c]! / sum;
    return votes;
  }

  /** Serialises the index: label indices (uint16) then the unit vectors (float32). */
  toBytes(): Uint8Array {
    const labelBytes = this.labels.length * 2;
    const padded = Math.ceil(labelBytes / 4) * 4;
    const bytes = new Uint8Array(padded + this.matrix.byteLength);
    bytes.set(new Uint8Array(this.labels.buffer, this.labels.byteOffset, labelBytes), 0);
    bytes.set(new Uint8Array(this.matrix.buffer, this.matrix.byteOffset, this.matrix.byteLength), padded);
    return bytes;
  }

  static fromBytes(
    bytes: Uint8Array,
    options: { rows: number; dimension: number; classes: number; hyperParameters: CosineKnnHyperParameters },
  ): CosineKnn {
    const padded = Math.ceil((options.rows * 2) / 4) * 4;
    const expected = padded + options.rows * options.dimension * 4;
    if (options.rows <= 0 || bytes.byteLength !== expected) {
      throw new Error(`k-NN index holds ${bytes.byteLength} bytes, expected ${expected} for ${options.rows} rows`);
    }
    const copy = new Uint8Array(bytes);
    const labels = new Uint16Array(copy.buffer, 0, options.rows);
    if (labels.some((label) => label >= options.classes)) {
      throw new Error(`k-NN index names a label beyond the specialist's ${options.classes}`);
    }
    return new CosineKnn({
      labels,
      matrix: new Float32Array(copy.buffer, padded, options.rows * options.dimension),
      dimension: options.dimension,
      classes: options.classes,
      hyperParameters: options.hyperParameters,
    });
  }
}

function unit(vector: Float32Array): Float32Array {
  let norm = 0;
  for (let j = 0; j < vector.length; j++) norm += vector[j]! * vector[j]!;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const result = new Float32Array(vector.length);
  for (let j = 0; j < vector.length; j++) result[j] = vector[j]! * scale;
  return result;
}
