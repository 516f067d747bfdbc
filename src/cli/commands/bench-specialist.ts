import { type Command, Option } from 'commander';
import { numberIn } from './train.ts';

interface BenchSpecialistFlags {
  train: string;
  test: string;
  textColumn: string;
  labelColumn: string;
  arch?: Array<'fasttext' | 'encoder' | 'ensemble'>;
  registry: string;
  calls: number;
  http: boolean;
  json?: boolean;
}

/**
 * `rightsize bench specialist`: each specialist architecture on Banking77 (train on train.csv,
 * test on test.csv): training time, size, latency in process and over HTTP, accuracy, and accuracy
 * and coverage at the threshold calibrated on validation, beside the published figures.
 */
export function registerBenchSpecialistCommand(bench: Command): void {
  bench
    .command('specialist')
    .description('Specialist architectures on Banking77: training time, size, latency, accuracy, calibrated coverage')
    .option('--train <file>', 'training data', '../shared/data/banking77/train.csv')
    .option('--test <file>', 'test data', '../shared/data/banking77/test.csv')
    .option('--text-column <name>', 'column holding the text', 'text')
    .option('--label-column <name>', 'column holding the label', 'category')
    .addOption(
      new Option('--arch <arch...>', 'architectures to run (default: all)').choices([
        'fasttext',
        'encoder',
        'ensemble',
      ]),
    )
    .option('--registry <dir>', 'registry for the bench specialists (bench-<arch>)', '.rightsize/specialists')
    .option(
      '--calls <n>',
      'timed single predictions (fastText; encoders a tenth)',
      numberIn('--calls', 0, 1e6, true),
      2000,
    )
    .option('--no-http', 'skip the latency through the gateway over HTTP')
    .option('--json', 'print the report as JSON')
    .action(async (flags: BenchSpecialistFlags) => {
      const { runSpecialistBench } = await import('../../bench/specialist/run-specialist-bench.ts');
      const report = await runSpecialistBench({
        trainPath: flags.train,
        testPath: flags.test,
        textColumn: flags.textColumn,
        labelColumn: flags.labelColumn,
        ...(flags.arch ? { archs: flags.arch } : {}),
        registryDir: flags.registry,
        latencyCalls: flags.calls,
        http: flags.http,
        onProgress: (message) => process.stderr.write(`  ${message}\n`),
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const { formatSpecialistBench } = await import('../../bench/specialist/format-specialist-bench.ts');
      process.stdout.write(`${formatSpecialistBench(report)}\n`);
    });
}
