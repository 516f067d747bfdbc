import { join } from 'node:path';
import { RightsizeError } from '../../errors/rightsize-error.ts';

/** Specialist names: lowercase letters, digits and dashes (they become folder names and model ids). */
export const SPECIALIST_NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/** The metadata file in a specialist's folder. */
export const METADATA_FILE = 'specialist.json';

/** Model file names in a specialist's folder, by component. */
export const MODEL_FILES = {
  fasttext: 'fasttext.bin',
  encoder: 'encoder-head.bin',
  knn: 'knn-index.bin',
} as const;

/**
 * The folder of a specialist in a registry.
 * @throws RightsizeError `invalid_input` when the name is not lowercase letters, digits and dashes.
 */
export function specialistDirectory(registryDir: string, name: string): string {
  assertSpecialistName(name);
  return join(registryDir, name);
}

/** @throws RightsizeError `invalid_input` for a name that cannot be a specialist's. */
export function assertSpecialistName(name: string): void {
  if (!SPECIALIST_NAME_PATTERN.test(name)) {
    throw new RightsizeError(
      'invalid_input',
      `specialist name "${name}" is not valid: use lowercase letters, digits and dashes (e.g. support-triage)`,
      { param: 'name' },
    );
  }
}

/** The sentence-vector cache shared by every specialist of a registry (text hash -> vector). */
export function encoderCachePath(registryDir: string): string {
  return join(registryDir, '.cache', 'use-lite', 'vectors.bin');
}
