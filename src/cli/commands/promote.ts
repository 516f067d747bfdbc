import { resolve } from 'node:path';
import type { Command } from 'commander';

/** Options of `rightsize promote`. */
interface PromoteCommandOptions {
  family: string;
  specialist?: string;
  shadow?: boolean;
  force?: boolean;
  rollback?: boolean;
  threshold?: string;
  minShadowRequests: string;
  keepThreshold?: boolean;
  pointEstimate?: boolean;
  confidence: string;
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
    .option('--specialist <name>', "specialist to promote (default: the family's distilled one)")
    .option('--shadow', 'run the specialist beside the model without answering, and log its agreement')
    .option('--force', 'promote to active without enough shadow data')
    .option('--rollback', "turn the family's promotion off")
    .option('--threshold <x>', 'accept the specialist at this confidence (default: its calibrated threshold)')
    .option('--min-shadow-requests <n>', 'shadowed requests needed before going active', '50')
    .option(
      '--keep-threshold',
      'going active, keep the calibrated threshold instead of recalibrating it on the shadow data',
    )
    .option('--confidence <x>', 'probability that the recalibrated threshold meets the target', '0.95')
    .option('--point-estimate', 'recalibrate without the confidence margin: more coverage, no guarantee')
    .option('--config <file>', 'config whose store and registry to use')
    .option('--db <url>', "store URL instead of the config's")
    .option('--distillations <dir>', 'folder of distillation records (default: .rightsize/distillations)')
    .option('--json', 'print the result as JSON')
    .action(async (options: PromoteCommandOptions) => {
      const [{ loadConfig }, { createStore }, { promoteFamily }] = await Promise.all([
        import('../../config/load-config.ts'),
        import('../../store/create-store.ts'),
        import('../../promotion/promote-family.ts'),
      ]);
      const { config } = loadConfig({ path: options.config });
      const store = await createStore(options.db ?? config.store.url);
      try {
        const result = await promoteFamily({
          store,
          familyId: options.family,
          registryDir: resolve(config.specialists.registry),
          minShadowRequests: Number(options.minShadowRequests),
          confidence: Number(options.confidence),
          ...(options.keepThreshold ? { keepThreshold: true } : {}),
          ...(options.pointEstimate ? { pointEstimate: true } : {}),
          ...(options.specialist ? { specialist: options.specialist } : {}),
          ...(options.shadow ? { shadow: true } : {}),
          ...(options.force ? { force: true } : {}),
          ...(options.rollback ? { rollback: true } : {}),
          ...(options.threshold ? { threshold: Number(options.threshold) } : {}),
          ...(options.distillations ? { distillationDir: options.distillations } : {}),
        });
        if (options.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
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
            `  threshold recalibrated on ${recalibration.items} shadowed requests: ${recalibration.previousThreshold.toFixed(4)} -> ${recalibration.threshold.toFixed(4)}, settling ${(recalibration.coverage * 100).toFixed(1)} % at ${(recalibration.selectiveAccuracy * 100).toFixed(1)} % agreement (${recalibration.method === 'guaranteed' ? `lower bound ${(recalibration.accuracyLowerBound * 100).toFixed(1)} %` : 'point estimate, no guarantee'})`,
          );
        lines.push('  running gateways apply this within a second.');
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await store.close();
      }
    });
}
