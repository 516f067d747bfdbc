import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { makeFolder } from '../../internal/make-folder.ts';
import type { Database } from '../internal/database-schema.ts';
import { createKyselyStore } from '../internal/kysely-store.ts';
import { migrate } from '../internal/migrate.ts';
import type { Store } from '../store.ts';

/**
 * The default store: one SQLite file (better-sqlite3, WAL journal), created with its folder on
 * first use. `path` may be `:memory:` for tests.
 */
export async function createSqliteStore(path: string): Promise<Store> {
  if (path !== ':memory:') makeFolder(dirname(path));
  const connection = new BetterSqlite3(path);
  connection.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the last commits.
  connection.pragma('synchronous = NORMAL');
  connection.pragma('busy_timeout = 5000');
  const database = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  await migrate(database, 'sqlite');
  return createKyselyStore(database, `sqlite:${path}`, () => database.destroy());
}
