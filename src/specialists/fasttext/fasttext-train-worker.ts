/**
 * Worker-thread entry of {@link trainFastTextInWorker}: trains one fastText model in its own
 * thread and WASM heap, beside the encoder work of an ensemble, and posts back the model bytes and
 * the validation probabilities.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LabelledRow } from '../read-labelled-data.ts';
import { FastTextClassifier, type FastTextHyperParameters } from './fasttext-classifier.ts';

/** What the worker is handed. */
export interface FastTextWorkerInput {
  rows: LabelledRow[];
  validTexts: string[];
  labels: string[];
  hyperParameters: FastTextHyperParameters;
}

/** Messages from the worker. */
export type FastTextWorkerMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'done'; modelBytes: Uint8Array; validProbabilities: Float64Array[] }
  | { type: 'error'; message: string };

const port = parentPort;
if (port) {
  const input = workerData as FastTextWorkerInput;
  try {
    const model = await FastTextClassifier.train({
      rows: input.rows,
      labelIndex: new Map(input.labels.map((label, index) => [label, index])),
      hyperParameters: input.hyperParameters,
      onProgress: (fraction) => port.postMessage({ type: 'progress', fraction } satisfies FastTextWorkerMessage),
    });
    const validProbabilities = input.validTexts.map((text) => model.probabilities(text));
    const modelBytes = model.save();
    model.close();
    port.postMessage({ type: 'done', modelBytes, validProbabilities } satisfies FastTextWorkerMessage);
  } catch (error) {
    port.postMessage({
      type: 'error',
      message: error instanceof Error ? error.message : `fastText training failed with ${String(error)}`,
    } satisfies FastTextWorkerMessage);
  }
}
