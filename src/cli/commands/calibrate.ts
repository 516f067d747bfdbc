import type { Command } from 'commander';
import { numberIn } from './train.ts';

interface CalibrateOptions {
  specialist: string;
  data: string;
  textColumn: string;
  labelColumn: string;
  registry: string;
  targetAccuracy: number;
  confidence: number;
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `rightsize calibrate`: chooses a specialist's acceptance threshold on held-out data so that the
 * accuracy on accepted items is at least the target with the stated confidence (one-sided
 * Clopper-Pearson bound, Clopper & Pearson 1934, in the SGR search of Geifman & El-Yaniv 2017),
 * reports the coverage it buys, and stores it with the specialist.
 */
export function registerCalibrateCommand(program: Command): void {
  program
    .command('calibrate')
    .description('Choose a specialist acceptance threshold that guarantees a target accuracy on accepted answers')
    .requiredOption('--specialist <name>', 'specialist name in the registry')
    .requiredOption('--data <file>', 'labelled CSV or JSONL held out from training')
    .option('--text-column <name>', 'column holding the text', 'text')
    .option('--label-column <name>', 'column holding the label', 'label')
    .option('--registry <dir>', 'registry folder', '.rightsize/specialists')
    .requiredOption(
      '--target-accuracy <a>',
      'accuracy required on accepted items, e.g. 0.98',
      numberIn('--target-accuracy', 0, 0.9999),
    )
    .option('--confidence <c>', 'probability that the guarantee holds', numberIn('--confidence', 0, 0.9999), 0.95)
    .option('--dry-run', 'report the threshold without storing it')
    .option('--json', 'print the result as JSON')
    .action(async (options: CalibrateOptions) => {
      const { calibrateSpecialist } = await import('../../specialists/calibration/calibrate-specialist.ts');
      const { choice, calibration } = await calibrateSpecialist({
        registryDir: options.registry,
        name: options.specialist,
        dataPath: options.data,
        textColumn: options.textColumn,
        labelColumn: options.labelColumn,
        targetAccuracy: options.targetAccuracy,
        confidence: options.confidence,
        save: !options.dryRun,
      });
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ specialist: options.specialist, stored: !options.dryRun && calibration !== undefined, ...choice, calibration }, null, 2)}\n`,
        );
        return;
      }
      const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
      if (choice.threshold === undefined) {
        process.stdout.write(
          `No threshold gives ${percent(options.targetAccuracy)} accuracy with ${percent(options.confidence)} confidence on ${choice.items} items: ` +
            'calibrate on more held-out rows, lower --target-accuracy or --confidence, or retrain. Nothing stored.\n',
        );
        process.exitCode = 1;
        return;
      }
      process.stdout.write(
        [
          `Threshold ${choice.threshold.toFixed(4)} for specialist/${options.specialist}:`,
          `  accepts ${percent(choice.coverage)} of ${choice.items} items (coverage), ${percent(choice.selectiveAccuracy)} of them right;`,
          `  accuracy on accepted >= ${percent(choice.accuracyLowerBound)} with ${percent(options.confidence)} confidence ` +
            `(one-sided Clopper-Pearson, ${choice.steps} thresholds tested, Bonferroni-corrected)`,
          options.dryRun
            ? '  dry run: not stored'
            : `  stored in ${options.registry}/${options.specialist}/specialist.json`,
        ].join('\n') + '\n',
      );
    });
}
