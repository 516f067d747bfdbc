import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { checkFolderIfPresent, openExistingStore } from '../cli-files.ts';
import { openUnitInterval, specialistName, unitInterval, wholeNumber } from '../option-parsers.ts';

/** Options of `rightsize promote`. */
interface PromoteCommandOptions {
  family: string;
  specialist?: string;
  shadow?: boolean;
  force?: boolean;
  rollback?: boolean;
  threshold?: number;
  minShadowRequests: number;
  keepThreshold?: boolean;
  pointEstimate?: boolean;
  confidence: number;
  config?: string;
  db?: string;
  distillations?: string;
  json?: boolean;
}

/**
 * `rightsize promote --family ID --specialist NAME [--shadow | --rollback | --force]`: puts a
 * specialist in front of a task family (active), beside it (shadow), or takes it away (rollback),
 * in the store the gateway reads; running gateways apply it within a second, without a restart.
 */
export function registerPromoteCommand(program: Command): void {
  program
    .command('promote')
    .description("Put a specialist in front of a task family's requests (or in shadow, or roll it back), live")
    .requiredOption('--family <id>', 'family id from `rightsize analyze`')
    .option(
      '--specialist <name>',
      "specialist to promote (default: the family's distilled one)",
      specialistName('--specialist'),
    )
    .option('--shadow', 'run the specialist beside the model without answering, and log its agreement')
    .option('--force', 'promote to active without enough shadow data')
    .addOption(
      new Option('--rollback', "turn the family's promotion off").conflicts([
        'shadow',
        'force',
        'threshold',
        'keepThreshold',
        'pointEstimate',
      ]),
    )
    .option(
      '--threshold <x>',
      'accept the specialist at this confidence, 0 to 1 (default: its calibrated threshold)',
      unitInterval('--threshold'),
    )
    .option(
      '--min-shadow-requests <n>',
      'shadowed requests needed before going active',
      wholeNumber('--min-shadow-requests', 1),
      50,
    )
    .option(
      '--keep-threshold',
      'going active, keep the calibrated threshold instead of recalibrating it on the shadow data',
    )
    .option(
      '--confidence <x>',
      'probability that the recalibrated threshold meets the target',
      openUnitInterval('--confidence'),
      0.95,
    )
    .option('--point-estimate', 'recalibrate without the confidence margin: more coverage, no guarantee')
    .option('--config <file>', 'config whose store and registry to use')
    .option('--db <url>', "store URL instead of the config's")
    .option('--distillations <dir>', 'folder of distillation records (default: .rightsize/distillations)')
    .option('--json', 'print the result as JSON')
    .action(async (options: PromoteCommandOptions) => {
      const [{ loadConfig }, { promoteFamily }, { publicPromoteResult }] = await Promise.all([
        import('../../config/load-config.ts'),
        import('../../promotion/promote-family.ts'),
        import('../../promotion/public-promotion.ts'),
      ]);
      if (options.distillations !== undefined) checkFolderIfPresent(options.distillations, '--distillations');
      const { config } = loadConfig({ path: options.config });
      // The gateway creates the store; a promotion in a store no gateway reads would do nothing.
      const store = await openExistingStore(options.db ?? config.store.url);
      try {
        const result = await promoteFamily({
          store,
          familyId: options.family,
          registryDir: resolve(config.specialists.registry),
          minShadowRequests: options.minShadowRequests,
          confidence: options.confidence,
          ...(options.keepThreshold ? { keepThreshold: true } : {}),
          ...(options.pointEstimate ? { pointEstimate: true } : {}),
          ...(options.specialist ? { specialist: options.specialist } : {}),
          ...(options.shadow ? { shadow: true } : {}),
          ...(options.force ? { force: true } : {}),
          ...(options.rollback ? { rollback: true } : {}),
          ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
          ...(options.distillations ? { distillationDir: options.distillations } : {}),
        });
        if (options.json) {
          // As the HTTP API shows it: the matcher as an object, not JSON text inside JSON.
          process.stdout.write(`${JSON.stringify(publicPromoteResult(result), null, 2)}\n`);
          return;
        }
        const { promotion, previous, shadow, recalibration } = result;
        const lines = [
          `${promotion.familyId}: specialist/${promotion.specialist} ${previous ? `${previous.mode} -> ` : ''}${promotion.mode}${promotion.mode === 'active' ? ` (accepts at confidence >= ${promotion.threshold?.toFixed(4)}, escalates the rest to the model asked for)` : ''}`,
        ];
        if (shadow)
          lines.push(
            `  shadow data: ${shadow.requests} requests, agreement ${(shadow.agreement * 100).toFixed(1)} % overall, ${(shadow.agreementWhenSettled * 100).toFixed(1)} % on the ${(shadow.wouldSettle * 100).toFixed(1)} % it would settle`,
          );
        if (recalibration)
          lines.push(
            `  threshold recalibrated on ${recalibration.items} shadowed requests: ${recalibration.previousThreshold?.toFixed(4) ?? 'none'} -> ${recalibration.threshold.toFixed(4)}, settling ${(recalibration.coverage * 100).toFixed(1)} % at ${(recalibration.selectiveAccuracy * 100).toFixed(1)} % agreement (${recalibration.method === 'guaranteed' ? `lower bound ${(recalibration.accuracyLowerBound * 100).toFixed(1)} %` : 'point estimate, no guarantee'})`,
          );
        lines.push('  running gateways apply this within a second.');
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await store.close();
      }
    });
}
