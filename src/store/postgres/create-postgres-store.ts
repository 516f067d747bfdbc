import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../internal/database-schema.ts';
import { createKyselyStore } from '../internal/kysely-store.ts';
import { migrate } from '../internal/migrate.ts';
import type { Store } from '../store.ts';

export interface PostgresStoreOptions {
  /** Schema holding the tables, created when missing. @default public */
  schema?: string;
  /** Connections in the pool. @default 10 */
  maxConnections?: number;
}

/**
 * A PostgreSQL store, for several gateways sharing one log and review queue.
 * `url` is a libpq URL (`postgres://user:password@host:5432/database`); the password is never
 * printed (`description` drops it).
 */
export async function createPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const schema = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema))
    throw new Error(`schema "${schema}" must be lowercase letters, digits and underscores`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    options: `-c search_path=${schema}`,
  });
  const database = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(database);
    await migrate(database, 'postgres');
  } catch (error) {
    await database.destroy();
    throw error;
  }
  const parsed = new URL(url);
  const description = `postgres://${parsed.host}${parsed.pathname}${schema === 'public' ? '' : ` (schema ${schema})`}`;
  return createKyselyStore(database, description, () => database.destroy());
}
