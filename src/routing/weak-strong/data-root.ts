import { fileURLToPath } from 'node:url';

/**
 * The default folder of the shared data sets: `../shared/data` beside the repository root
 * (this file sits at `src/routing/weak-strong/`). Data is read where it lies, never copied in.
 */
export function defaultDataRoot(): string {
  return fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
}
