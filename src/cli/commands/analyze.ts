import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { checkFolderIfPresent, checkOutputFile, openExistingStore } from '../cli-files.ts';
import { openUnitInterval, wholeNumber } from '../option-parsers.ts';

/** Options of `rightsize analyze`. */
interface AnalyzeCommandOptions {
  config?: string;
  db?: string;
  since?: string;
  period?: string;
  targetAccuracy: number;
  distillations?: string;
  limit: number;
  json?: boolean;
  html?: string;
  cluster: boolean;
}

/**
 * `rightsize analyze`: task families in the request log, their volumes and costs, and the
 * opportunities to move them to a specialist, best first. Reads the store the gateway writes
 * (`store.url` of the config, or `--db`), which must exist.
 */
export function registerAnalyzeCommand(program: Command): void {
  program
    .command('analyze')
    .description('Find task families in the request log and rank the opportunities to move them to a specialist')
    .option('--config <file>', 'config whose store to read (default: ./rightsize.yaml, else the embedded one)')
    .option('--db <url>', "store URL instead of the config's (sqlite:PATH or postgres://...)")
    .option('--since <duration>', 'only requests of the last DURATION (e.g. 24h, 7d)')
    .option(
      '--period <duration>',
      'the time the log covers, for rates and monthly figures (default: --since, else the span of the rows, at least 1h)',
    )
    .option(
      '--target-accuracy <x>',
      'accuracy a specialist must reach on what it settles',
      openUnitInterval('--target-accuracy'),
      0.97,
    )
    .option('--distillations <dir>', 'folder of distillation records (default: .rightsize/distillations)')
    .option('--limit <n>', 'families to show in the table', wholeNumber('--limit', 1), 20)
    .option('--no-cluster', 'do not split free-form families by meaning (skips the sentence encoder)')
    .option('--json', 'print the report as JSON')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .action(async (options: AnalyzeCommandOptions) => {
      const [{ loadConfig }, { analyzeStore }, { parseDuration }, { renderAnalysisTable }] = await Promise.all([
        import('../../config/load-config.ts'),
        import('../../analysis/analyze-store.ts'),
        import('../../analysis/parse-duration.ts'),
        import('../../analysis/render-analysis-table.ts'),
      ]);
      const sinceMs = options.since === undefined ? undefined : parseDuration(options.since);
      const periodMs = options.period === undefined ? undefined : parseDuration(options.period, '--period');
      if (options.html !== undefined) checkOutputFile(options.html, '--html');
      if (options.distillations !== undefined) checkFolderIfPresent(options.distillations, '--distillations');
      const { config } = loadConfig({ path: options.config });
      const store = await openExistingStore(options.db ?? config.store.url);
      try {
        const report = await analyzeStore(store, {
          targetAccuracy: options.targetAccuracy,
          cluster: options.cluster,
          specialistCostPerCallUsd: config.specialists.costPerCallUsd,
          ...(sinceMs !== undefined ? { sinceMs } : {}),
          ...(periodMs !== undefined ? { periodMs } : {}),
          ...(options.distillations ? { distillationDir: options.distillations } : {}),
        });
        if (options.html) {
          const { renderAnalysisHtml } = await import('../../analysis/render-analysis-html.ts');
          writeFileSync(options.html, await renderAnalysisHtml(report));
          process.stderr.write(`analyze: wrote ${options.html}\n`);
        }
        const render = () =>
          renderAnalysisTable(report, {
            limit: options.limit,
            ...(options.since === undefined ? {} : { since: options.since }),
          });
        if (!options.json) process.stdout.write(`${render()}\n`);
        else {
          process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          // The JSON of an empty log is valid but says nothing: the hint goes beside it, on stderr.
          if (report.families.length === 0) process.stderr.write(`analyze: ${render()}\n`);
        }
      } finally {
        await store.close();
      }
    });
}
