import { RightsizeError, type RightsizeErrorCode } from '../../errors/rightsize-error.ts';
import { type SpecialistMetadata, specialistMetadataSchema, type TrainingProgress } from '../specialist.ts';
import type { TrainSpecialistOptions } from './run-training.ts';
import { startTypeScriptWorker } from './start-typescript-worker.ts';
import type { TrainWorkerMessage } from './train-worker.ts';

export type { TrainSpecialistOptions } from './run-training.ts';

/**
 * Trains a specialist in a worker thread, so that a running gateway stays responsive, and writes
 * it to `<registryDir>/<name>/`. Resolves with its metadata (validation metrics, calibration,
 * threshold chosen on the validation split).
 * @param options rows, name, arch (default ensemble), validFraction (0.1), seed (42), registryDir.
 * @param onProgress called with the overall fraction done and the current stage.
 * @throws RightsizeError `invalid_input` for bad data or options; `internal_error` when the worker dies.
 */
export function trainSpecialist(
  options: TrainSpecialistOptions & { onProgress?: (progress: TrainingProgress) => void },
): Promise<SpecialistMetadata> {
  const { onProgress, ...data } = options;
  const worker = startTypeScriptWorker(new URL('./train-worker.ts', import.meta.url), data);
  return new Promise<SpecialistMetadata>((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      action();
      void worker.terminate();
    };
    worker.on('message', (message: TrainWorkerMessage) => {
      if (message.type === 'progress') {
        onProgress?.({ stage: message.stage, fraction: message.fraction, message: message.message });
      } else if (message.type === 'done') {
        settle(() => resolve(specialistMetadataSchema.parse(message.metadata)));
      } else {
        settle(() =>
          reject(
            new RightsizeError((message.code as RightsizeErrorCode | undefined) ?? 'internal_error', message.message),
          ),
        );
      }
    });
    worker.on('error', (error) =>
      settle(() =>
        reject(
          new RightsizeError(
            'internal_error',
            `specialist training crashed (${error.message}): run it again, or report it`,
            {
              cause: error,
            },
          ),
        ),
      ),
    );
    worker.on('exit', (code) =>
      settle(() =>
        reject(new RightsizeError('internal_error', `specialist training stopped early (exit code ${code})`)),
      ),
    );
  });
}
