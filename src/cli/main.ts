import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { commands } from './commands/index.ts';
import { describeCliError } from './describe-cli-error.ts';

/** The version of package.json, for `--version`. */
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The command path of a command, without the program's name: `review list`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent) names.unshift(current.name());
  return names.join(' ');
}

/** Errors that commander raised while parsing a command line, with the command they are about. */
class UsageError extends Error {
  readonly command: string;
  constructor(cause: Error, command: string) {
    super(cause.message, { cause });
    this.command = command;
  }
}

/**
 * `npx rightsize <command>`. Each command registers itself from `commands/`; command modules keep
 * heavy imports (models, servers) inside their actions so that `--help` stays fast.
 * Commander prints no errors itself: they reach {@link main}, which prints one line.
 */
export function buildProgram(): Command {
  const program = new Command('rightsize')
    .description('Rightsize: send each language-model request to the smallest model that does it well.')
    .version(VERSION, '-V, --version', 'print the version')
    .configureOutput({ outputError: () => undefined });
  for (const register of commands) register(program);
  const tag = (command: Command): void => {
    const path = commandPath(command);
    command.exitOverride((error) => {
      throw new UsageError(error, path);
    });
    for (const sub of command.commands) tag(sub);
  };
  tag(program);
  return program;
}

/** Runs the CLI; prints errors as one line that says how to fix them, and sets the exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  // The command whose action runs: an InvalidArgumentError thrown there is a usage error of it.
  let running: string | undefined;
  program.hook('preAction', (_program, action) => {
    running = commandPath(action);
  });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    const failure =
      error instanceof UsageError ? describeCliError(error.cause, error.command) : describeCliError(error, running);
    if (failure.message !== undefined) process.stderr.write(`rightsize: ${failure.message}\n`);
    process.exitCode = failure.exitCode;
  }
}
