import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { RightsizeError } from '../errors/rightsize-error.ts';
import type { Store } from '../store/store.ts';

/**
 * Checks of the paths a command is given, made before the command does any work, so that a typo
 * fails at once in one line naming the path and the flag.
 */

/**
 * Opens the store of a command that works on what the gateway logged (`review`, `analyze`,
 * `distill`, `promote`). A `sqlite:` file that does not exist is an error, never a new empty store
 * (a mistyped `--db` would otherwise answer "nothing found", and create folders on the way).
 * @throws RightsizeError `invalid_input` for a missing SQLite file or one that is not a database.
 */
export async function openExistingStore(url: string): Promise<Store> {
  const { createStore } = await import('../store/create-store.ts');
  const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : undefined;
  if (file === undefined || file === '' || file === ':memory:') return createStore(url);
  if (!existsSync(file))
    throw new RightsizeError('invalid_input', `no store at ${file}: start the gateway first or pass --db`, {
      param: 'db',
    });
  if (statSync(file).isDirectory())
    throw new RightsizeError(
      'invalid_input',
      `${file} is a folder, not a store: pass --db sqlite:FILE (e.g. sqlite:.rightsize/rightsize.db)`,
      { param: 'db' },
    );
  try {
    return await createStore(url);
  } catch (cause) {
    if (cause instanceof Error && cause.name === 'SqliteError')
      throw new RightsizeError(
        'invalid_input',
        `${file} is not a usable SQLite store (${cause.message}): check --db or the config's store.url`,
        { cause, param: 'db' },
      );
    throw cause;
  }
}

/**
 * Checks that `path` can be written as a file: its folder exists and is writable, and it is not a
 * folder itself.
 * @throws RightsizeError `invalid_input` naming the flag and the path.
 */
export function checkOutputFile(path: string, flag: string): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder))
    throw new RightsizeError(
      'invalid_input',
      `${flag} ${path}: the folder ${folder} does not exist; create it or choose another path`,
    );
  if (!statSync(folder).isDirectory())
    throw new RightsizeError('invalid_input', `${flag} ${path}: ${folder} is not a folder; choose another path`);
  if (existsSync(path) && statSync(path).isDirectory())
    throw new RightsizeError('invalid_input', `${flag} ${path} is a folder; name a file in it`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new RightsizeError(
      'invalid_input',
      `${flag} ${path}: the folder ${folder} is not writable; choose another path`,
    );
  }
}

/**
 * Checks that `path`, when it exists, is a folder (a folder that does not exist yet holds nothing).
 * @throws RightsizeError `invalid_input` naming the flag and the path.
 */
export function checkFolderIfPresent(path: string, flag: string): void {
  if (existsSync(path) && !statSync(path).isDirectory())
    throw new RightsizeError('invalid_input', `${flag} ${path} is a file, not a folder; pass a folder`);
}

/**
 * Checks, without creating anything, that `path` is a writable folder or can be created as one:
 * its nearest existing ancestor is a writable folder.
 * @throws RightsizeError `invalid_input` naming the flag, the path and the fix.
 */
export function checkFolderCreatable(path: string, flag: string): void {
  let existing = resolve(path);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory())
    throw new RightsizeError(
      'invalid_input',
      existing === resolve(path)
        ? `${flag} ${path} is a file, not a folder; choose another ${flag}`
        : `${flag} ${path} cannot be created: ${existing} is a file, not a folder; choose another ${flag}`,
    );
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new RightsizeError('invalid_input', `${flag} ${path}: ${existing} is not writable; choose another ${flag}`);
  }
}
