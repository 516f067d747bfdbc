import { readFileSync } from 'node:fs';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import type { LabelledRow } from '../read-labelled-data.ts';

/**
 * fastText hyper-parameters, tuned on Banking77 (short support messages; see docs/specialists.md):
 * word bigrams plus character 3-5-grams, 50 epochs, dim 50, and a 100k-bucket hash table, which
 * scored 0.885 test accuracy against 0.882 with 200k buckets at half the size (20 MB).
 * Source of the algorithm: Joulin et al. 2017, "Bag of tricks for efficient text classification".
 */
export interface FastTextHyperParameters {
  /** @default 0.5 */
  lr: number;
  /** @default 50 */
  epoch: number;
  /** Vector size. @default 50 */
  dim: number;
  /** Word n-gram length. @default 2 */
  wordNgrams: number;
  /** Character n-gram lengths (set explicitly: fastText's defaults are 3 and 6). @default 3, 5 */
  minn: number;
  maxn: number;
  /** Hash buckets of n-grams; the model is about (vocabulary + bucket) x dim x 4 bytes. Must exceed 1000. @default 100000 */
  bucket: number;
  /** @default 1 */
  minCount: number;
  /** @default 42 */
  seed: number;
}

/** The defaults of {@link FastTextHyperParameters}. */
export const DEFAULT_FASTTEXT_HYPER_PARAMETERS: Readonly<FastTextHyperParameters> = Object.freeze({
  lr: 0.5,
  epoch: 50,
  dim: 50,
  wordNgrams: 2,
  minn: 3,
  maxn: 5,
  bucket: 100_000,
  minCount: 1,
  seed: 42,
});

/** Smallest probability reported for a label. */
const PROBABILITY_FLOOR = 1e-7;

/** Labels below this probability are not read one by one from fastText (see `probabilities`). */
const REPORTED_PROBABILITY = 1e-4;

/**
 * Text as fastText sees it: lower case, digits as 0, punctuation split from words, one line.
 * The same function runs at training and at prediction.
 */
export function normalizeForFastText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[0-9]/g, '0')
    .replace(/([^\p{L}\p{N}\s'])/gu, ' $1 ')
    .replace(/\s+/g, ' ')
    .trim();
}

interface FastTextVector {
  size(): number;
  get(index: number): [number, string];
  delete(): void;
}

interface FastTextNative {
  train(args: unknown, callback: (progress: number, loss: number) => void): void;
  predict(text: string, k: number, threshold: number): FastTextVector;
  loadModel(path: string): void;
  saveModel(path: string): void;
  delete?(): void;
}

interface FastTextWasmModule {
  FS: {
    writeFile(path: string, data: string | Uint8Array): void;
    readFile(path: string): Uint8Array;
    unlink(path: string): void;
  };
  FastText: new () => FastTextNative;
  Args: new () => Record<string, unknown>;
  ModelName: { supervised: unknown };
  LossName: { softmax: unknown };
}

/**
 * A fastText classifier in its own WebAssembly instance. One instance (one heap) per model: the
 * offline notes saw several large models in one shared heap crash with a bare exception number.
 * Labels are stored in fastText as `__label__<index>` so that any label text (spaces included) works.
 */
export class FastTextClassifier {
  readonly labelCount: number;
  private readonly native: FastTextNative;
  private readonly wasm: FastTextWasmModule;
  private closed = false;

  private constructor(wasm: FastTextWasmModule, native: FastTextNative, labelCount: number) {
    this.wasm = wasm;
    this.native = native;
    this.labelCount = labelCount;
  }

  /**
   * Trains a supervised classifier through the WASM core (synchronous and single-threaded: call it
   * in a worker thread). `labelIndex` maps each row's label to its index in the specialist's labels.
   */
  static async train(options: {
    rows: readonly LabelledRow[];
    labelIndex: ReadonlyMap<string, number>;
    hyperParameters: FastTextHyperParameters;
    /** Called with the training progress in [0, 1]. */
    onProgress?: (fraction: number) => void;
  }): Promise<FastTextClassifier> {
    const wasm = await createWasmModule();
    const native = new wasm.FastText();
    const lines = options.rows.map(
      (row) => `__label__${options.labelIndex.get(row.label)} ${normalizeForFastText(row.text)}`,
    );
    wasm.FS.writeFile('/train.txt', lines.join('\n'));
    const args = new wasm.Args();
    const parameters = options.hyperParameters;
    Object.assign(args, {
      input: '/train.txt',
      lr: parameters.lr,
      epoch: parameters.epoch,
      dim: parameters.dim,
      wordNgrams: parameters.wordNgrams,
      minn: parameters.minn,
      maxn: parameters.maxn,
      bucket: parameters.bucket,
      minCount: parameters.minCount,
      seed: parameters.seed,
      thread: 1,
      verbose: 0,
    });
    // The core throws a bare number unless `model` and `loss` are set explicitly.
    args['model'] = wasm.ModelName.supervised;
    args['loss'] = wasm.LossName.softmax;
    let lastReported = -1;
    native.train(args, (progress) => {
      if (progress - lastReported >= 0.01) {
        lastReported = progress;
        options.onProgress?.(Math.min(1, progress));
      }
    });
    wasm.FS.unlink('/train.txt');
    return new FastTextClassifier(wasm, native, options.labelIndex.size);
  }

  /**
   * Loads a model saved by {@link FastTextClassifier.save}.
   * @throws RightsizeError `invalid_config` naming the file when fastText cannot read it (the WASM
   *   core throws a bare number, or aborts, on a truncated or foreign file).
   */
  static async load(path: string, labelCount: number): Promise<FastTextClassifier> {
    const bytes = readFileSync(path);
    // While loading, the core's own "Aborted()" line would precede the error below: keep it quiet.
    let loading = true;
    const wasm = await createWasmModule({
      printErr: (text: string) => {
        if (!loading) console.error(text);
      },
    });
    const native = new wasm.FastText();
    try {
      // fastText reads a truncated file without complaint, and then predicts from zeros.
      if (!hasModelLayout(bytes)) throw new Error('not a complete fastText model file');
      wasm.FS.writeFile('/model.bin', bytes);
      native.loadModel('/model.bin');
      wasm.FS.unlink('/model.bin');
      native.predict('probe', 1, 0).delete();
    } catch (cause) {
      throw new RightsizeError(
        'invalid_config',
        `the fastText model file ${path} is corrupt or unreadable: retrain the specialist (\`rightsize train --force\`)`,
        { cause },
      );
    } finally {
      loading = false;
    }
    return new FastTextClassifier(wasm, native, labelCount);
  }

  /** The model file's bytes (fastText binary format). */
  save(): Uint8Array {
    this.native.saveModel('/model.bin');
    const bytes = this.wasm.FS.readFile('/model.bin');
    this.wasm.FS.unlink('/model.bin');
    return bytes;
  }

  /**
   * Probabilities of every label (in label-index order) for one text; synchronous, about 20 us.
   * fastText reports the labels above {@link REPORTED_PROBABILITY} exactly; the mass left over is
   * shared evenly by the others (each below it): reading all 77 labels through the WASM bridge
   * would double the latency for probabilities too small to change a decision.
   */
  probabilities(text: string, into: Float64Array = new Float64Array(this.labelCount)): Float64Array {
    if (this.closed) throw new Error('fastText classifier is closed');
    into.fill(-1);
    const vector = this.native.predict(normalizeForFastText(text), -1, REPORTED_PROBABILITY);
    let reported = 0;
    let mass = 0;
    try {
      const size = vector.size();
      for (let index = 0; index < size; index++) {
        const [probability, label] = vector.get(index);
        const labelIndex = Number(label.slice(9));
        if (!(labelIndex < this.labelCount) || into[labelIndex] !== -1) continue;
        // fastText's probabilities can exceed 1 by about 1e-5.
        const value = Math.min(1, probability);
        into[labelIndex] = value;
        mass += value;
        reported++;
      }
    } finally {
      vector.delete();
    }
    const missing = this.labelCount - reported;
    if (missing > 0) {
      const share = Math.min(REPORTED_PROBABILITY, Math.max(PROBABILITY_FLOOR, (1 - mass) / missing));
      for (let index = 0; index < into.length; index++) if (into[index] === -1) into[index] = share;
    }
    return into;
  }

  /** Frees the native model; the WASM heap goes with the last reference to this object. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.delete?.();
  }
}

/** fastText's `FASTTEXT_FILEFORMAT_MAGIC_INT32` and `FASTTEXT_VERSION` (fastText 0.9). */
const FILE_MAGIC = 793712314;
const FILE_VERSION = 12;

/**
 * Whether `bytes` has the layout of a complete, unquantized supervised fastText model: the magic
 * and version, then (after the args and the dictionary) the input matrix of `nwords + bucket` rows
 * and the output matrix of `nlabels` rows, each `dim` wide, ending exactly at the end of the file.
 * The args are 12 int32 and a double from byte 8 (`dim` first, `bucket` ninth); the dictionary
 * header follows at byte 64 (`size`, `nwords`, `nlabels` as int32).
 */
function hasModelLayout(bytes: Uint8Array): boolean {
  if (bytes.length < 80) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getInt32(0, true) !== FILE_MAGIC || view.getInt32(4, true) !== FILE_VERSION) return false;
  const dim = view.getInt32(8, true);
  const bucket = view.getInt32(40, true);
  const words = view.getInt32(68, true);
  const labels = view.getInt32(72, true);
  if (dim <= 0 || bucket < 0 || words < 0 || labels <= 0) return false;
  // Each matrix: int64 rows, int64 columns, rows x columns float32; a bool (quantized: false) before it.
  const output = bytes.length - 16 - 4 * labels * dim;
  const input = output - 1 - 16 - 4 * (words + bucket) * dim;
  if (input < 81) return false;
  const matrix = (offset: number, rows: number) =>
    bytes[offset - 1] === 0 &&
    view.getBigInt64(offset, true) === BigInt(rows) &&
    view.getBigInt64(offset + 8, true) === BigInt(dim);
  return matrix(output, labels) && matrix(input, words + bucket);
}

async function createWasmModule(options: { printErr?: (text: string) => void } = {}): Promise<FastTextWasmModule> {
  // A fresh module (and heap) per call: getFastTextModule instantiates the WASM file each time.
  const { getFastTextModule } = await import('fasttext.wasm.js');
  return (await getFastTextModule(options)) as unknown as FastTextWasmModule;
}
