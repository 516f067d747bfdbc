/**
 * Worker-thread entry of `trainSpecialist`: runs one training and posts progress, then the
 * metadata or the error. One worker per training, so that the fastText WASM heap is freed with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isRightsizeError } from '../../errors/rightsize-error.ts';
import { runTraining, type TrainSpecialistOptions } from './run-training.ts';

/** Messages from the training worker. */
export type TrainWorkerMessage =
  | { type: 'progress'; stage: string; fraction: number; message: string }
  | { type: 'done'; metadata: unknown }
  | { type: 'error'; code: string | undefined; message: string };

const port = parentPort;
if (port) {
  try {
    const metadata = await runTraining(workerData as TrainSpecialistOptions, (progress) =>
      port.postMessage({ type: 'progress', ...progress } satisfies TrainWorkerMessage),
    );
    port.postMessage({ type: 'done', metadata } satisfies TrainWorkerMessage);
  } catch (error) {
    port.postMessage({
      type: 'error',
      code: isRightsizeError(error) ? error.code : undefined,
      message: error instanceof Error ? error.message : `training failed with ${String(error)}`,
    } satisfies TrainWorkerMessage);
  }
}
