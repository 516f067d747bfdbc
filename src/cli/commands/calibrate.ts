import { type Command, InvalidArgumentError } from 'commander';
import { numberIn } from './train.ts';

interface CalibrateOptions {
  specialist?: string;
  route?: string;
  config?: string;
  split?: 'validation';
  data: string;
  textColumn: string;
  labelColumn: string;
  registry?: string;
  targetAccuracy: number;
  confidence: number;
  dryRun?: boolean;
  json?: boolean;
}

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;

/**
 * `rightsize calibrate`: chooses acceptance thresholds on held-out data so that the accuracy on
 * accepted items is at least the target with the stated confidence, reports the coverage they buy,
 * and stores them with the specialists. `--specialist NAME`: one specialist (one-sided
 * Clopper-Pearson bound, Clopper & Pearson 1934, in Learn-then-Test fixed-sequence testing,
 * Angelopoulos et al. 2021; see `calibrate-threshold.ts`).
 * `--route NAME`: the route's specialist tiers together, the guarantee covering all they accept
 * (Learn-then-Test fixed-sequence testing, Angelopoulos et al. 2021; see `calibrate-cascade.ts`).
 */
export function registerCalibrateCommand(program: Command): void {
  program
    .command('calibrate')
    .description('Choose acceptance thresholds that guarantee a target accuracy on accepted answers')
    .option('--specialist <name>', 'one specialist in the registry')
    .option('--route <name>', 'a route of the config: calibrate its specialist tiers together')
    .option(
      '--config <file>',
      'config holding the route (default: ./rightsize.yaml if present, else the embedded default)',
    )
    .requiredOption(
      '--data <file>',
      'labelled CSV or JSONL held out from training (or, with --split validation, the training file)',
    )
    .option(
      '--split <split>',
      'validation: use only the rows the specialists held out of --data at training (--route only)',
      (value) => {
        if (value !== 'validation') throw new InvalidArgumentError('the only split is "validation"');
        return value;
      },
    )
    .option('--text-column <name>', 'column holding the text', 'text')
    .option('--label-column <name>', 'column holding the label', 'label')
    .option(
      '--registry <dir>',
      "registry folder (default: the config's specialists.registry, else .rightsize/specialists)",
    )
    .requiredOption(
      '--target-accuracy <a>',
      'accuracy required on accepted items, e.g. 0.98',
      numberIn('--target-accuracy', 0, 0.9999),
    )
    .option('--confidence <c>', 'probability that the guarantee holds', numberIn('--confidence', 0, 0.9999), 0.95)
    .option('--dry-run', 'report the thresholds without storing them')
    .option('--json', 'print the result as JSON')
    .action(async (options: CalibrateOptions) => {
      if ((options.specialist === undefined) === (options.route === undefined)) {
        throw new InvalidArgumentError('give exactly one of --specialist NAME or --route NAME');
      }
      if (options.route !== undefined) {
        await calibrateRouteCommand({ ...options, route: options.route });
        return;
      }
      if (options.split !== undefined) throw new InvalidArgumentError('--split goes with --route');
      const specialist = options.specialist ?? '';
      const registry = options.registry ?? '.rightsize/specialists';
      const { calibrateSpecialist } = await import('../../specialists/calibration/calibrate-specialist.ts');
      const { choice, calibration, trainedRowsLeftOut } = await calibrateSpecialist({
        registryDir: registry,
        name: specialist,
        dataPath: options.data,
        textColumn: options.textColumn,
        labelColumn: options.labelColumn,
        targetAccuracy: options.targetAccuracy,
        confidence: options.confidence,
        save: !options.dryRun,
      });
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ specialist, stored: !options.dryRun && calibration !== undefined, trainedRowsLeftOut, ...choice, threshold: choice.threshold ?? null, calibration: calibration ?? null }, null, 2)}\n`,
        );
        // As in text mode: no threshold found is a failure a script must see.
        if (choice.threshold === undefined) process.exitCode = 1;
        return;
      }
      if (trainedRowsLeftOut > 0)
        process.stdout.write(
          `Left out ${trainedRowsLeftOut} rows of ${options.data} that specialist/${specialist} was trained on: the threshold is chosen on the ${choice.items} held-out ones.\n`,
        );
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
          `Threshold ${choice.threshold.toFixed(4)} for specialist/${specialist}:`,
          `  accepts ${percent(choice.coverage)} of ${choice.items} items (coverage), ${percent(choice.selectiveAccuracy)} of them right;`,
          `  accuracy on accepted >= ${percent(choice.accuracyLowerBound)} with ${percent(options.confidence)} confidence ` +
            `(one-sided Clopper-Pearson, fixed-sequence testing over ${choice.steps} thresholds, strictest first)`,
          options.dryRun ? '  dry run: not stored' : `  stored in ${registry}/${specialist}/specialist.json`,
        ].join('\n') + '\n',
      );
    });
}

/** `rightsize calibrate --route NAME`: the route's leading specialist tiers, together. */
async function calibrateRouteCommand(options: CalibrateOptions & { route: string }): Promise<void> {
  const { loadConfig } = await import('../../config/load-config.ts');
  const { calibrateRoute } = await import('../../specialists/calibration/calibrate-route.ts');
  const { config } = loadConfig({ path: options.config });
  const route = config.routes[options.route];
  if (route === undefined) {
    throw new InvalidArgumentError(
      `route "${options.route}" is not in the config (routes: ${Object.keys(config.routes).join(', ') || 'none'}): check --route or --config`,
    );
  }
  const specialists: string[] = [];
  for (const tier of route.tiers) {
    if (!tier.model.startsWith('specialist/')) break;
    specialists.push(tier.model.slice('specialist/'.length));
  }
  const registry = options.registry ?? config.specialists.registry;
  const { choice, stored, source, trainedRowsLeftOut } = await calibrateRoute({
    registryDir: registry,
    route: options.route,
    specialists,
    dataPath: options.data,
    textColumn: options.textColumn,
    labelColumn: options.labelColumn,
    split: options.split,
    targetAccuracy: options.targetAccuracy,
    confidence: options.confidence,
    save: !options.dryRun,
  });
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ route: options.route, specialists, source, stored: !options.dryRun && stored.length > 0, trainedRowsLeftOut, ...choice, guaranteed: choice.guaranteed ?? null }, null, 2)}\n`,
    );
    // As in text mode: no guaranteed point is a failure a script must see.
    if (choice.guaranteed === undefined) process.exitCode = 1;
    return;
  }
  const describe = (point: NonNullable<typeof choice.guaranteed>) =>
    specialists
      .map(
        (name, tier) =>
          `    tier ${tier + 1} specialist/${name}: accept at >= ${(point.thresholds[tier] ?? 1).toFixed(4)}, ` +
          `settles ${percent((point.tierAccepted[tier] ?? 0) / choice.items)}, ` +
          `${percent((point.tierCorrect[tier] ?? 0) / Math.max(1, point.tierAccepted[tier] ?? 0))} right`,
      )
      .join('\n');
  const lines = [
    ...(trainedRowsLeftOut > 0
      ? [
          `Left out ${trainedRowsLeftOut} rows of ${options.data} that a tier was trained on: the thresholds are chosen on the ${choice.items} held-out ones.`,
        ]
      : []),
    `Route ${options.route}, ${specialists.length} specialist tiers, on ${choice.items} held-out rows (${source}):`,
  ];
  const estimate = choice.pointEstimate;
  if (choice.guaranteed === undefined) {
    lines.push(
      `  no thresholds give ${percent(options.targetAccuracy)} with ${percent(options.confidence)} confidence: ` +
        'calibrate on more held-out rows, lower --target-accuracy or --confidence, or retrain. Nothing stored.',
    );
    process.exitCode = 1;
  } else {
    const point = choice.guaranteed;
    lines.push(
      `  guaranteed: the specialists settle ${percent(point.coverage)}, ${percent(point.selectiveAccuracy)} of it right; ` +
        `accuracy on what they settle >= ${percent(point.accuracyLowerBound)} with ${percent(options.confidence)} confidence ` +
        `(one-sided Clopper-Pearson, fixed-sequence testing along ${choice.paths} paths, Bonferroni over paths)`,
      describe(point),
      options.dryRun ? '  dry run: not stored' : `  stored in ${registry}/{${specialists.join(',')}}/specialist.json`,
    );
  }
  if (estimate !== undefined) {
    lines.push(
      `  for scale, the point estimate (no guarantee): ${percent(estimate.coverage)} settled at ${percent(estimate.selectiveAccuracy)} measured here`,
      describe(estimate),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
