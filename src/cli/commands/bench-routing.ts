import type { Command } from 'commander';
import { RightsizeError } from '../../errors/rightsize-error.ts';

interface BenchRoutingFlags {
  data: string;
  folds?: string;
  seed: string;
  dataRoot?: string;
  json?: boolean;
  plot?: string;
}

function parseFolds(value: string | undefined): number | 'loo' | undefined {
  if (value === undefined) return undefined;
  if (value === 'loo') return 'loo';
  const folds = Number(value);
  if (!Number.isInteger(folds) || folds < 2) {
    throw new RightsizeError('invalid_input', `--folds must be an integer >= 2 or loo, got ${value}`);
  }
  return folds;
}

/** `rightsize bench routing`: RouteLLM's evaluation of the weak-to-strong routers, cross-validated. */
export function registerBenchRoutingCommand(bench: Command): void {
  bench
    .command('routing')
    .description(
      "Weak-to-strong routers (random, oracle, pre-router, cascade) on RouteLLM's data: CPT(50%), CPT(80%), APGR and cost",
    )
    .requiredOption('--data <name|file>', 'gsm8k, mmlu, mtbench, or an outcome file (.jsonl/.csv)')
    .option('--folds <n|loo>', 'cross-validation folds, split by prompt (default 5; loo for MT-Bench)')
    .option('--seed <n>', 'seed of the folds and the random router', '0')
    .option(
      '--data-root <dir>',
      'folder holding routellm-gsm8k/, routellm-mmlu/, routellm-mtbench/ (default ../shared/data)',
    )
    .option('--json', 'print the report as JSON')
    .option('--plot <file.svg>', 'write the quality-vs-cost curves as an SVG')
    .action(async (flags: BenchRoutingFlags) => {
      const { runRoutingBench } = await import('../../bench/routing/run-routing-bench.ts');
      const { formatRoutingBench } = await import('../../bench/routing/format-routing-bench.ts');
      const folds = parseFolds(flags.folds);
      const report = runRoutingBench({
        data: flags.data,
        seed: Number(flags.seed),
        ...(folds === undefined ? {} : { folds }),
        ...(flags.dataRoot === undefined ? {} : { dataRoot: flags.dataRoot }),
        ...(flags.json ? {} : { onProgress: (message: string) => process.stderr.write(`  ${message}\n`) }),
      });
      if (flags.plot) {
        const { renderRoutingPlot } = await import('../../bench/routing/render-routing-plot.ts');
        const { writeFileSync } = await import('node:fs');
        writeFileSync(flags.plot, await renderRoutingPlot(report));
        if (!flags.json) process.stderr.write(`  plot written to ${flags.plot}\n`);
      }
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatRoutingBench(report)}\n`);
    });
}
