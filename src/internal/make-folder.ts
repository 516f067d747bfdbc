import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Creates a folder and its missing parents, one level at a time. Node's `mkdirSync(path, {recursive:
 * true})` never returns for a path under a folder that refuses new entries with ENOENT (e.g.
 * `/proc/x/y`: it retries the parent forever); this throws that ENOENT (or EACCES, ENOTDIR) instead.
 * @throws the first `mkdirSync` error other than EEXIST (Node's SystemError, with `code` and `path`).
 */
export function makeFolder(path: string): void {
  const missing: string[] = [];
  let folder = resolve(path);
  while (!existsSync(folder) && dirname(folder) !== folder) {
    missing.push(folder);
    folder = dirname(folder);
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
