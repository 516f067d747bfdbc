import { Command, CommanderError } from 'commander';
import { isRightsizeError } from '../errors/rightsize-error.ts';
import { commands } from './commands/index.ts';

/**
 * `npx rightsize <command>`. Each command registers itself from `commands/`; command modules keep
 * heavy imports (models, servers) inside their actions so that `--help` stays fast.
 */
export function buildProgram(): Command {
  const program = new Command('rightsize')
    .description('Rightsize: send each language-model request to the smallest model that does it well.')
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI; prints errors as one line that says how to fix them, and sets the exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (isRightsizeError(error)) {
      process.stderr.write(`rightsize: ${error.message}\n`);
      process.exitCode = error.code === 'internal_error' ? 1 : 2;
      return;
    }
    process.stderr.write(
      `rightsize: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
