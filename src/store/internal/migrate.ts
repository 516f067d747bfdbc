import { type Kysely, sql } from 'kysely';
import type { Database } from './database-schema.ts';

/**
 * Creates the tables and indexes when missing. Times are epoch ms, so they are 64-bit integers
 * (`bigint` on PostgreSQL, where `integer` is 32-bit); costs are doubles.
 */
export async function migrate(database: Kysely<Database>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const epoch = dialect === 'postgres' ? 'bigint' : 'integer';
  const double = dialect === 'postgres' ? 'double precision' : 'real';
  await database.schema
    .createTable('request_log')
    .ifNotExists()
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('time', epoch, (column) => column.notNull())
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
    .addColumn('cost_usd', double)
    .addColumn('latency_ms', double, (column) => column.notNull())
    .addColumn('ttft_ms', double)
    .addColumn('escalations', 'integer', (column) => column.notNull())
    .addColumn('tag', 'text')
    .addColumn('decision', 'text')
    .addColumn('request_messages', 'text')
    .addColumn('response_text', 'text')
    .execute();
  await addMissingColumns(database, dialect, 'request_log', { decision: 'text' });
  await database.schema.createIndex('request_log_time').ifNotExists().on('request_log').column('time').execute();
  await database.schema
    .createTable('review_item')
    .ifNotExists()
    .addColumn('seq', dialect === 'postgres' ? 'serial' : 'integer', (column) =>
      dialect === 'postgres' ? column.primaryKey() : column.primaryKey().autoIncrement(),
    )
    .addColumn('id', 'text', (column) => column.notNull().unique())
    .addColumn('route', 'text', (column) => column.notNull())
    .addColumn('request_id', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('created_at', epoch, (column) => column.notNull())
    .addColumn('input', 'text', (column) => column.notNull())
    .addColumn('labels', 'text')
    .addColumn('candidates', 'text', (column) => column.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_at', epoch)
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', epoch)
    .addColumn('decision', 'text')
    .execute();
  await database.schema.createIndex('review_item_status').ifNotExists().on('review_item').column('status').execute();
  await database.schema
    .createTable('promotion')
    .ifNotExists()
    .addColumn('family_id', 'text', (column) => column.primaryKey())
    .addColumn('matcher', 'text', (column) => column.notNull())
    .addColumn('specialist', 'text', (column) => column.notNull())
    .addColumn('mode', 'text', (column) => column.notNull())
    .addColumn('threshold', double)
    .addColumn('updated_at', epoch, (column) => column.notNull())
    .addColumn('note', 'text')
    .execute();
}

/** Adds columns that later versions introduced to a table an earlier version created. */
async function addMissingColumns(
  database: Kysely<Database>,
  dialect: 'sqlite' | 'postgres',
  table: keyof Database,
  columns: Record<string, 'text'>,
): Promise<void> {
  // On PostgreSQL only the table the unqualified name resolves to counts: other schemas of the same
  // database may hold an older table of the same name.
  const schema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(database)).rows[0]?.schema
      : undefined;
  const tables = await database.introspection.getTables();
  const found = tables.find((entry) => entry.name === table && (schema === undefined || entry.schema === schema));
  const existing = new Set(found?.columns.map((column) => column.name) ?? []);
  for (const [name, type] of Object.entries(columns)) {
    if (!existing.has(name)) await database.schema.alterTable(table).addColumn(name, type).execute();
  }
}
