import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSqliteStore } from '../store/sqlite/create-sqlite-store.ts';
import { makeFolder } from './make-folder.ts';

describe('makeFolder', () => {
  it('creates missing parents and accepts a folder that exists', () => {
    const root = mkdtempSync(join(tmpdir(), 'rightsize-make-folder-'));
    makeFolder(join(root, 'a', 'b', 'c'));
    expect(statSync(join(root, 'a', 'b', 'c')).isDirectory()).toBe(true);
    makeFolder(join(root, 'a', 'b'));
    expect(existsSync(join(root, 'a', 'b', 'c'))).toBe(true);
  });

  it('throws ENOTDIR under a file', () => {
    const root = mkdtempSync(join(tmpdir(), 'rightsize-make-folder-'));
    writeFileSync(join(root, 'file'), 'x');
    expect(() => makeFolder(join(root, 'file', 'sub', 'deeper'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  // Linux only: Node's recursive mkdir retries /proc/<missing> forever; the store used it for its folder.
  it.runIf(existsSync('/proc/self'))('throws ENOENT under /proc instead of never returning', async () => {
    expect(() => makeFolder('/proc/rightsize-nope/x')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    await expect(createSqliteStore('/proc/rightsize-nope/x.db')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
