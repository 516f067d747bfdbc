import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { runStoreConformance } from '../store-conformance.ts';
import { createSqliteStore } from './create-sqlite-store.ts';

describe('sqlite store', () => {
  const folder = mkdtempSync(join(tmpdir(), 'rightsize-sqlite-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  runStoreConformance((name) => createSqliteStore(join(folder, `${name}.db`)));
});
