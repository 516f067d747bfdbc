import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { checkFolderIfPresent, openExistingStore } from '../cli-files.ts';
import { openUnitInterval, specialistName } from '../option-parsers.ts';

/** Options of `rightsize distill`. */
interface DistillCommandOptions {
  family: string;
  name?: string;
  targetAccuracy: number;
  confidence: number;
  heldOut: number;
  arch: 'fasttext' | 'encoder' | 'ensemble';
  since?: string;
  period?: string;
  config?: string;
  db?: string;
  distillations?: string;
  json?: boolean;
}

/**
 * `rightsize distill --family ID`: trains a specialist from a family's logged answers (reviewers'
 * decisions win), measures its agreement with the large model on held-out logged requests,
 * calibrates its threshold for the target accuracy, and reports coverage and the projected saving.
 */
export function registerDistillCommand(program: Command): void {
  program
    .command('distill')
    .description(
      "Train a specialist from a task family's logged answers, measure it on held-out requests, calibrate it",
    )
    .requiredOption('--family <id>', 'family id from `rightsize analyze`')
    .option('--name <name>', 'specialist name (default: distilled-<family>)', specialistName('--name'))
    .option(
      '--target-accuracy <x>',
      'accuracy required on the answers the specialist settles',
      openUnitInterval('--target-accuracy'),
      0.98,
    )
    .option('--confidence <x>', 'probability that the accuracy guarantee holds', openUnitInterval('--confidence'), 0.95)
    .option(
      '--held-out <fraction>',
      'share of the logged requests held out to measure and calibrate',
      openUnitInterval('--held-out'),
      0.2,
    )
    .addOption(
      new Option('--arch <arch>', 'fasttext, encoder or ensemble')
        .choices(['fasttext', 'encoder', 'ensemble'])
        .default('ensemble'),
    )
    .option('--since <duration>', 'only requests of the last DURATION (e.g. 7d)')
    .option('--period <duration>', 'the time the log covers, for the monthly projection')
    .option('--config <file>', 'config whose store and registry to use')
    .option('--db <url>', "store URL instead of the config's")
    .option('--distillations <dir>', 'folder of distillation records (default: .rightsize/distillations)')
    .option('--json', 'print the result as JSON')
    .action(async (options: DistillCommandOptions) => {
      const [{ loadConfig }, { distillFamily }, { parseDuration }, { usd }] = await Promise.all([
        import('../../config/load-config.ts'),
        import('../../analysis/distill-family.ts'),
        import('../../analysis/parse-duration.ts'),
        import('../../analysis/render-analysis-table.ts'),
      ]);
      if (options.distillations !== undefined) checkFolderIfPresent(options.distillations, '--distillations');
      const { config } = loadConfig({ path: options.config });
      const store = await openExistingStore(options.db ?? config.store.url);
      let lastStep = -1;
      try {
        const result = await distillFamily({
          store,
          familyId: options.family,
          ...(options.name ? { name: options.name } : {}),
          registryDir: resolve(config.specialists.registry),
          targetAccuracy: options.targetAccuracy,
          confidence: options.confidence,
          heldOutFraction: options.heldOut,
          arch: options.arch,
          specialistCostPerCallUsd: config.specialists.costPerCallUsd,
          ...(options.since ? { sinceMs: parseDuration(options.since) } : {}),
          ...(options.period ? { periodMs: parseDuration(options.period, '--period') } : {}),
          ...(options.distillations ? { distillationDir: options.distillations } : {}),
          onProgress(progress) {
            const step = Math.floor(progress.fraction * 10);
            if (step === lastStep) return;
            lastStep = step;
            process.stderr.write(`distill: ${Math.round(progress.fraction * 100)}% ${progress.message}\n`);
          },
        });
        if (options.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        const pct = (value: number) => `${(value * 100).toFixed(1)} %`;
        process.stdout.write(
          [
            `Distilled ${result.familyId} into specialist/${result.specialist} (${result.labels} labels)`,
            `  training rows:  ${result.trainRows} logged answers (${result.reviewedRows} of the family's answers replaced by reviewers' decisions)`,
            `  held out:       ${result.heldOutRows} logged requests`,
            `  agreement with the large model on them: ${pct(result.agreement)} (all answers)`,
            result.threshold === undefined
              ? `  no threshold reaches ${pct(result.targetAccuracy)}: the specialist should not settle any request`
              : `  at threshold ${result.threshold.toFixed(4)}: settles ${pct(result.coverage)} with ${pct(result.selectiveAccuracy)} agreement (lower bound ${pct(result.accuracyLowerBound)}, target ${pct(result.targetAccuracy)})`,
            `  projected saving: ${usd(result.savingPerRequestUsd)} per request of ${usd(result.costPerRequestUsd)}, ${usd(result.monthlySavingUsd)} per month at ${Math.round(result.requestsPerMonth)} requests/month`,
            `  next: rightsize promote --family ${result.familyId} --specialist ${result.specialist} --shadow`,
          ].join('\n') + '\n',
        );
      } finally {
        await store.close();
      }
    });
}
