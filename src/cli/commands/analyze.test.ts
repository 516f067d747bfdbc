import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../store/sqlite/create-sqlite-store.ts';

const bin = fileURLToPath(new URL('../../../bin/rightsize.js', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'rightsize-analyze-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Runs the real CLI in `folder`. */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: folder, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('rightsize analyze', () => {
  let db: string;
  beforeAll(async () => {
    const path = join(folder, 'empty.db');
    await (await createSqliteStore(path)).close();
    db = `sqlite:${path}`;
  });

  it('refuses a --period or --since of zero instead of printing infinite rates', async () => {
    const period = await run(['analyze', '--no-cluster', '--db', db, '--period', '0s']);
    expect(period).toEqual({
      code: 2,
      stdout: '',
      stderr: 'rightsize: --period 0s is a duration of zero: give a positive one, e.g. 90s, 30m, 24h, 7d or 2w\n',
    });
    const since = await run(['analyze', '--no-cluster', '--db', db, '--since', '0h']);
    expect(since.code).toBe(2);
    expect(since.stderr).toBe(
      'rightsize: --since 0h is a duration of zero: give a positive one, e.g. 90s, 30m, 24h, 7d or 2w\n',
    );
  });

  it('prints a one-line hint for an empty log, and valid JSON with --json', async () => {
    const table = await run(['analyze', '--no-cluster', '--db', db, '--since', '24h']);
    expect(table).toEqual({
      code: 0,
      stdout:
        'No requests in the log of the last 24h: send traffic through the gateway first (rightsize serve), or widen --since.\n',
      stderr: '',
    });
    const json = await run(['analyze', '--no-cluster', '--db', db, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ rows: 0, families: [] });
    expect(json.stderr).toBe(
      'analyze: No requests in the log: send traffic through the gateway first (rightsize serve).\n',
    );
  });
});
