import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from '../internal/database-schema.ts';
import { createKyselyStore } from '../internal/kysely-store.ts';
import type { Store } from '../store.ts';

/**
 * The default store: one SQLite file (better-sqlite3, WAL journal), created with its folder on
 * first use. `path` may be `:memory:` for tests.
 */
export async function createSqliteStore(path: string): Promise<Store> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = new BetterSqlite3(path);
  connection.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the last commits.
  connection.pragma('synchronous = NORMAL');
  connection.pragma('busy_timeout = 5000');
  const database = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  await migrate(database);
  return createKyselyStore(database, `sqlite:${path}`, () => database.destroy());
}

async function migrate(database: Kysely<Database>): Promise<void> {
  await database.schema
    .createTable('request_log')
    .ifNotExists()
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('time', 'integer', (column) => column.notNull())
    .addColumn('api_key_id', 'text')
    .addColumn('requested_model', 'text', (column) => column.notNull())
    .addColumn('route', 'text')
    .addColumn('served_model', 'text')
    .addColumn('provider', 'text')
    .addColumn('tiers', 'text', (column) => column.notNull())
    .addColumn('status', 'integer', (column) => column.notNull())
    .addColumn('error_code', 'text')
    .addColumn('stream', 'integer', (column) => column.notNull())
    .addColumn('input_tokens', 'integer', (column) => column.notNull())
    .addColumn('cached_input_tokens', 'integer', (column) => column.notNull())
    .addColumn('output_tokens', 'integer', (column) => column.notNull())
    .addColumn('reasoning_tokens', 'integer', (column) => column.notNull())
    .addColumn('usage_source', 'text')
    .addColumn('cost_usd', 'real')
    .addColumn('latency_ms', 'real', (column) => column.notNull())
    .addColumn('ttft_ms', 'real')
    .addColumn('escalations', 'integer', (column) => column.notNull())
    .addColumn('tag', 'text')
    .addColumn('request_messages', 'text')
    .addColumn('response_text', 'text')
    .execute();
  await database.schema.createIndex('request_log_time').ifNotExists().on('request_log').column('time').execute();
  await database.schema
    .createTable('review_item')
    .ifNotExists()
    .addColumn('seq', 'integer', (column) => column.primaryKey().autoIncrement())
    .addColumn('id', 'text', (column) => column.notNull().unique())
    .addColumn('route', 'text', (column) => column.notNull())
    .addColumn('request_id', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('created_at', 'integer', (column) => column.notNull())
    .addColumn('input', 'text', (column) => column.notNull())
    .addColumn('labels', 'text')
    .addColumn('candidates', 'text', (column) => column.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_at', 'integer')
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'integer')
    .addColumn('decision', 'text')
    .execute();
  await database.schema.createIndex('review_item_status').ifNotExists().on('review_item').column('status').execute();
  await sql`select 1`.execute(database);
}
