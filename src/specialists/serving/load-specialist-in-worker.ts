import { RightsizeError, type RightsizeErrorCode } from '../../errors/rightsize-error.ts';
import { createMicroBatcher } from '../encoder/micro-batcher.ts';
import { readSpecialistMetadata } from '../registry/load-specialist.ts';
import type { Specialist, SpecialistPrediction } from '../specialist.ts';
import { startTypeScriptWorker } from '../training/start-typescript-worker.ts';
import type { SpecialistWorkerMessage, SpecialistWorkerRequest } from './specialist-worker.ts';

/**
 * Loads a specialist in a worker thread of its own and returns a {@link Specialist} that predicts
 * through it: for encoder-based specialists, whose encoder passes (10-40 ms) would otherwise hold
 * the gateway's event loop. Concurrent `predict` calls are micro-batched into one message.
 * `probabilities` is not offered across the thread (it throws); use `predictBatch`.
 * @throws RightsizeError `model_not_found` / `invalid_config` as `loadSpecialist` does.
 */
export async function loadSpecialistInWorker(registryDir: string, name: string): Promise<Specialist> {
  const metadata = readSpecialistMetadata(registryDir, name);
  const worker = startTypeScriptWorker(new URL('./specialist-worker.ts', import.meta.url), { registryDir, name });
  worker.unref();
  const pending = new Map<
    number,
    { resolve: (predictions: SpecialistPrediction[]) => void; reject: (error: Error) => void }
  >();
  let nextId = 1;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
  };

  await new Promise<void>((resolve, reject) => {
    worker.on('message', (message: SpecialistWorkerMessage) => {
      switch (message.type) {
        case 'ready':
          resolve();
          break;
        case 'failed':
          reject(
            new RightsizeError((message.code as RightsizeErrorCode | undefined) ?? 'internal_error', message.message),
          );
          break;
        case 'result':
          pending.get(message.id)?.resolve(message.predictions);
          pending.delete(message.id);
          break;
        case 'error':
          pending.get(message.id)?.reject(new Error(message.message));
          pending.delete(message.id);
          break;
      }
    });
    worker.on('error', (error) => {
      failAll(error);
      reject(error);
    });
    worker.on('exit', (code) => {
      const error = new RightsizeError(
        'internal_error',
        `specialist ${name} worker stopped (exit code ${code}): reload it`,
      );
      failAll(error);
      reject(error);
    });
  });

  const predictBatch = (texts: readonly string[]): Promise<SpecialistPrediction[]> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, texts: [...texts] } satisfies SpecialistWorkerRequest);
    });
  };

  return {
    name: metadata.name,
    arch: metadata.arch,
    labels: metadata.labels,
    threshold: metadata.threshold?.threshold,
    thresholdCalibration: metadata.threshold,
    metadata,
    predict: createMicroBatcher({ run: (texts: string[]) => predictBatch(texts) }),
    predictBatch,
    probabilities: () => Promise.reject(new Error('probabilities are not offered across threads: use predictBatch')),
    close() {
      void worker.terminate();
    },
  };
}
