import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../create-store.ts';
import { runStoreConformance } from '../store-conformance.ts';
import { createPostgresStore } from './create-postgres-store.ts';

// .ci/run starts PostgreSQL and sets this; without it the suite is reported as skipped, by name.
const url = process.env['RIGHTSIZE_TEST_POSTGRES_URL'];
const run = randomUUID().slice(0, 8);

describe.skipIf(!url)(
  `postgres store${url ? '' : ' (SKIPPED: set RIGHTSIZE_TEST_POSTGRES_URL; .ci/run starts a server)'}`,
  () => {
    runStoreConformance((name) =>
      createPostgresStore(url ?? '', { schema: `conformance_${run}_${name}`, maxConnections: 4 }),
    );

    it('opens from a postgres:// store URL, without the password in its description', async () => {
      const store = await createStore(url ?? '');
      expect(store.description).toMatch(/^postgres:\/\//);
      // No user or password: the description is printed in the start banner.
      expect(store.description).not.toContain('@');
      expect(await store.countRequestLogs()).toBeGreaterThanOrEqual(0);
      await store.close();
    });
    // Leave the database as it was: drop this run's schemas.
    afterAll(async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query<{ name: string }>(
        'select nspname as name from pg_namespace where nspname like $1',
        [`conformance_${run}_%`],
      );
      for (const row of rows) await client.query(`drop schema "${row.name}" cascade`);
      await client.end();
    });
  },
);
