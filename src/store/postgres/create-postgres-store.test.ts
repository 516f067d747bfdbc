import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
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
  },
);
