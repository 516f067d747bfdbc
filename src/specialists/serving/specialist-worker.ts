/**
 * Worker-thread entry of {@link loadSpecialistInWorker}: loads one specialist and answers batch
 * predictions, so that the sentence encoder's 10-40 ms passes run beside the gateway's event loop
 * rather than on it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSpecialist } from '../registry/load-specialist.ts';
import type { SpecialistPrediction } from '../specialist.ts';

/** Messages to the worker. */
export interface SpecialistWorkerRequest {
  id: number;
  texts: string[];
}

/** Messages from the worker. */
export type SpecialistWorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string; code: string | undefined }
  | { type: 'result'; id: number; predictions: SpecialistPrediction[] }
  | { type: 'error'; id: number; message: string };

const port = parentPort;
if (port) {
  const { registryDir, name } = workerData as { registryDir: string; name: string };
  try {
    const specialist = await loadSpecialist(registryDir, name);
    port.on('message', async (request: SpecialistWorkerRequest) => {
      try {
        const predictions = await specialist.predictBatch(request.texts);
        port.postMessage({ type: 'result', id: request.id, predictions } satisfies SpecialistWorkerMessage);
      } catch (error) {
        port.postMessage({ type: 'error', id: request.id, message: String(error) } satisfies SpecialistWorkerMessage);
      }
    });
    port.postMessage({ type: 'ready' } satisfies SpecialistWorkerMessage);
  } catch (error) {
    port.postMessage({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
      code: (error as { code?: string }).code,
    } satisfies SpecialistWorkerMessage);
  }
}
