import { CommanderError } from 'commander';
import { isRightsizeError } from '../errors/rightsize-error.ts';

/** What the CLI prints for a failure (one line, without the `rightsize: ` prefix) and its exit code. */
export interface CliFailure {
  /** Undefined when commander has already printed what there is to say (help, version). */
  message: string | undefined;
  exitCode: number;
}

/** What a Node system error means and what to do about it, by `code`. */
const SYSTEM_ERRORS: Readonly<Record<string, { what: string; fix: string }>> = {
  ENOENT: { what: 'no such file or folder', fix: 'check the path (the folder of a file to write must exist)' },
  ENOTDIR: { what: 'a part of the path is a file, not a folder', fix: 'check the path' },
  EACCES: { what: 'permission denied', fix: 'check its permissions or choose another path' },
  EPERM: { what: 'operation not permitted', fix: 'check its permissions or choose another path' },
  EISDIR: { what: 'it is a folder, not a file', fix: 'name a file' },
  EROFS: { what: 'read-only file system', fix: 'choose a writable location' },
};

/** The verb for a failed system call. */
const SYSCALL_VERBS: Readonly<Record<string, string>> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the folder',
  scandir: 'read the folder',
  opendir: 'read the folder',
  stat: 'read',
  lstat: 'read',
  access: 'read',
  unlink: 'remove',
  rmdir: 'remove the folder',
  rm: 'remove',
  rename: 'rename',
  copyfile: 'copy',
};

/**
 * Turns anything a command threw into the one line the CLI prints and the exit code: 2 for what the
 * user can fix (usage errors, `RightsizeError`s other than `internal_error`, unusable paths, a file
 * that is not a SQLite database), 1 for the unexpected (printed with its stack, to be reported).
 * @param command the command that was running or being parsed (`review list`), for the help hint.
 */
export function describeCliError(error: unknown, command?: string): CliFailure {
  if (error instanceof CommanderError) return describeCommanderError(error, command);
  if (isRightsizeError(error)) return { message: error.message, exitCode: error.code === 'internal_error' ? 1 : 2 };
  const system = describeSystemError(error);
  if (system !== undefined) return { message: system, exitCode: 2 };
  if (error instanceof Error && error.name === 'SqliteError') {
    const code = (error as { code?: unknown }).code;
    return {
      message: `the SQLite store failed: ${error.message}${typeof code === 'string' ? ` (${code})` : ''}; check that --db or store.url names a Rightsize store`,
      exitCode: 2,
    };
  }
  return {
    message: `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    exitCode: 1,
  };
}

function describeCommanderError(error: CommanderError, command: string | undefined): CliFailure {
  // Help and --version: commander has printed them. Help shown for a missing subcommand exits 2.
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help')
    return { message: undefined, exitCode: error.exitCode === 0 ? 0 : 2 };
  const text = error.message
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  return { message: `${text} (see rightsize ${command ? `${command} ` : ''}--help)`, exitCode: 2 };
}

/**
 * One line for a Node system error about a path (`ENOENT`, `ENOTDIR`, `EACCES`, `EPERM`, `EISDIR`,
 * `EROFS`): what could not be done to which path, why, and what to do; undefined for anything else.
 */
export function describeSystemError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string') return undefined;
  const known = SYSTEM_ERRORS[code];
  if (known === undefined) return undefined;
  if (typeof path !== 'string') return `${known.what} (${code}): ${known.fix}`;
  const verb = (syscall !== undefined && SYSCALL_VERBS[syscall]) || 'use';
  return `cannot ${verb} ${path}: ${known.what} (${code}); ${known.fix}`;
}
