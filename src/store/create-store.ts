import { RightsizeError } from '../errors/rightsize-error.ts';
import type { Store } from './store.ts';

/**
 * Opens the store a URL names: `sqlite:<path>` (relative paths from the working directory),
 * `sqlite::memory:`, or `postgres://user:password@host:5432/database`.
 * @throws RightsizeError `invalid_config` for `sqlite:` with no path, or any other scheme.
 */
export async function createStore(url: string): Promise<Store> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    // An empty path would be a store in memory, lost at exit: say so rather than start one.
    if (path.trim() === '')
      throw new RightsizeError(
        'invalid_config',
        'store.url "sqlite:" names no file; give a path (e.g. sqlite:.rightsize/rightsize.db), or sqlite::memory: for a store that is lost at exit.',
        { param: 'store.url' },
      );
    const { createSqliteStore } = await import('./sqlite/create-sqlite-store.ts');
    return createSqliteStore(path);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { createPostgresStore } = await import('./postgres/create-postgres-store.ts');
    try {
      return await createPostgresStore(url);
    } catch (cause) {
      throw new RightsizeError(
        'invalid_config',
        `Cannot open the PostgreSQL store at ${url.split('@').pop()}: ${(cause as Error).message}; check store.url and that the server is up.`,
        { cause, param: 'store.url' },
      );
    }
  }
  throw new RightsizeError(
    'invalid_config',
    `store.url ${describeUnsupported(url)} is not supported; use sqlite:<path> (e.g. sqlite:.rightsize/rightsize.db) or postgres://user:password@host:5432/database.`,
    {
      param: 'store.url',
    },
  );
}

/** An unsupported store URL for a message: its scheme when it has one, else the text after any `user@` part (never a password). */
function describeUnsupported(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  return scheme ? `with the scheme "${scheme}:"` : `"${url.split('@').pop()}"`;
}
