import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CommanderError, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { RightsizeError } from '../errors/rightsize-error.ts';
import { describeCliError } from './describe-cli-error.ts';

/** The error a failing call throws. */
function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('describeCliError: one line and an exit code for anything a command throws', () => {
  it('turns Node system errors about a path into what failed, why, and what to do (exit 2)', () => {
    expect(describeCliError(thrown(() => writeFileSync('/nonexistent-dir/r.html', 'x')))).toEqual({
      message:
        'cannot open /nonexistent-dir/r.html: no such file or folder (ENOENT); check the path (the folder of a file to write must exist)',
      exitCode: 2,
    });
    expect(describeCliError(thrown(() => writeFileSync('/dev/null/x', 'x')))).toEqual({
      message: 'cannot open /dev/null/x: a part of the path is a file, not a folder (ENOTDIR); check the path',
      exitCode: 2,
    });
    expect(describeCliError(thrown(() => writeFileSync('/', 'x')))).toEqual({
      message: 'cannot open /: it is a folder, not a file (EISDIR); name a file',
      exitCode: 2,
    });
    const denied = Object.assign(new Error("EACCES: permission denied, mkdir '/root/x'"), {
      code: 'EACCES',
      syscall: 'mkdir',
      path: '/root/x',
    });
    expect(describeCliError(denied).message).toBe(
      'cannot create the folder /root/x: permission denied (EACCES); check its permissions or choose another path',
    );
  });

  it('turns a SqliteError into one line (exit 2)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'rightsize-not-a-db-'));
    const path = join(folder, 'notes.db');
    writeFileSync(path, 'plain text, not SQLite\n'.repeat(100));
    const error = thrown(() => new BetterSqlite3(path).pragma('journal_mode = WAL'));
    rmSync(folder, { recursive: true, force: true });
    expect(describeCliError(error)).toEqual({
      message:
        'the SQLite store failed: file is not a database (SQLITE_NOTADB); check that --db or store.url names a Rightsize store',
      exitCode: 2,
    });
  });

  it('turns commander errors, also those thrown inside an action, into a line with the help hint (exit 2)', () => {
    expect(
      describeCliError(
        new CommanderError(
          1,
          'commander.unknownOption',
          "error: unknown option '--thresold'\n(Did you mean --threshold?)",
        ),
        'promote',
      ),
    ).toEqual({
      message: "unknown option '--thresold' (Did you mean --threshold?) (see rightsize promote --help)",
      exitCode: 2,
    });
    expect(describeCliError(new InvalidArgumentError('--split goes with --route'), 'calibrate')).toEqual({
      message: '--split goes with --route (see rightsize calibrate --help)',
      exitCode: 2,
    });
    expect(describeCliError(new CommanderError(0, 'commander.version', '0.1.0'))).toEqual({
      message: undefined,
      exitCode: 0,
    });
  });

  it('keeps RightsizeError messages, and reports the unexpected with its stack (exit 1)', () => {
    expect(describeCliError(new RightsizeError('invalid_input', 'bad --data'))).toEqual({
      message: 'bad --data',
      exitCode: 2,
    });
    expect(describeCliError(new RightsizeError('internal_error', 'bug'))).toEqual({ message: 'bug', exitCode: 1 });
    expect(describeCliError(117320)).toEqual({ message: 'unexpected error: 117320', exitCode: 1 });
  });
});
