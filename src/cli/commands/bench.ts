import type { Command } from 'commander';
import { benchCommands } from './bench-index.ts';

/** `rightsize bench <gateway|specialist|routing>`: benchmarks that print tables (`--json` for machines). */
export function registerBenchCommand(program: Command): void {
  const bench = program.command('bench').description('Run a benchmark and print its table (--json for machines)');
  for (const register of benchCommands) register(bench);
}
