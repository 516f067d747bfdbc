import { startTypeScriptWorker } from '../training/start-typescript-worker.ts';
import type { FastTextWorkerInput, FastTextWorkerMessage } from './fasttext-train-worker.ts';

/**
 * Trains a fastText classifier in a worker thread of its own, so that an ensemble's fastText and
 * sentence-encoder parts train at the same time on two cores.
 * @returns the model file's bytes and the probabilities of the validation texts (label-index order).
 * @throws Error when the worker fails or dies.
 */
export function trainFastTextInWorker(
  input: FastTextWorkerInput,
  onProgress: (fraction: number) => void = () => {},
): Promise<{ modelBytes: Uint8Array; validProbabilities: Float64Array[] }> {
  const worker = startTypeScriptWorker(new URL('./fasttext-train-worker.ts', import.meta.url), input);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      action();
      void worker.terminate();
    };
    worker.on('message', (message: FastTextWorkerMessage) => {
      if (message.type === 'progress') onProgress(message.fraction);
      else if (message.type === 'done') settle(() => resolve(message));
      else settle(() => reject(new Error(message.message)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`fastText training stopped early (exit code ${code})`))));
  });
}
