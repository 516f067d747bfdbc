import { type Command, InvalidArgumentError, Option } from 'commander';
import { checkFolderCreatable } from '../cli-files.ts';
import { specialistName } from '../option-parsers.ts';

interface TrainOptions {
  data: string;
  textColumn: string;
  labelColumn: string;
  name: string;
  arch: 'fasttext' | 'encoder' | 'ensemble';
  validFraction: number;
  seed: number;
  registry: string;
  targetAccuracy: number;
  confidence: number;
  force?: boolean;
  json?: boolean;
}

/** Parses a number option in (min, max]. */
export function numberIn(flag: string, min: number, max: number, integer = false) {
  return (text: string): number => {
    const value = Number(text);
    if (
      text.trim() === '' ||
      !Number.isFinite(value) ||
      value <= min ||
      value > max ||
      (integer && !Number.isInteger(value))
    ) {
      throw new InvalidArgumentError(
        `${flag} must be ${integer ? 'an integer' : 'a number'} in (${min}, ${max}], got "${text}"`,
      );
    }
    return value;
  };
}

/**
 * `rightsize train`: trains a specialist on a labelled CSV or JSONL file, in a worker thread, with a
 * progress bar, and writes it to the registry (model files plus `specialist.json`).
 */
export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('Train a specialist (a small in-process classifier) on a labelled CSV or JSONL file')
    .requiredOption('--data <file>', 'labelled data: .csv with a header row, or .jsonl')
    .option('--text-column <name>', 'column holding the text', 'text')
    .option('--label-column <name>', 'column holding the label', 'label')
    .requiredOption(
      '--name <name>',
      'specialist name (lowercase letters, digits, dashes); serve it as specialist/<name>',
      specialistName('--name'),
    )
    .addOption(
      new Option('--arch <arch>', 'fasttext (fastest), encoder (sentence vectors), ensemble (most accurate)')
        .choices(['fasttext', 'encoder', 'ensemble'])
        .default('ensemble'),
    )
    .option(
      '--valid-fraction <f>',
      'share of each label held out for calibration',
      numberIn('--valid-fraction', 0, 0.5),
      0.1,
    )
    .option('--seed <n>', 'random seed (split and training)', numberIn('--seed', -1, 2 ** 31, true), 42)
    .option('--registry <dir>', 'registry folder', '.rightsize/specialists')
    .option(
      '--target-accuracy <a>',
      'threshold target on the validation split',
      numberIn('--target-accuracy', 0, 0.9999),
      0.98,
    )
    .option('--confidence <c>', 'confidence of the threshold guarantee', numberIn('--confidence', 0, 0.9999), 0.95)
    .option('--force', 'replace a specialist of the same name (its model and calibration)')
    .option('--json', 'print the specialist metadata as JSON')
    .action(async (options: TrainOptions) => {
      const [
        { readLabelledData },
        { trainSpecialist },
        { default: progress },
        { listSpecialists },
        { RightsizeError },
        { checkValidationSplit },
      ] = await Promise.all([
        import('../../specialists/read-labelled-data.ts'),
        import('../../specialists/training/train-specialist.ts'),
        import('cli-progress'),
        import('../../specialists/registry/load-specialist.ts'),
        import('../../errors/rightsize-error.ts'),
        import('../../specialists/split-train-valid.ts'),
      ]);
      checkFolderCreatable(options.registry, '--registry');
      // A running gateway may serve the specialist: replacing it must be asked for, before any work.
      if (!options.force && listSpecialists(options.registry).some((entry) => entry.name === options.name)) {
        throw new RightsizeError(
          'invalid_input',
          `specialist ${options.name} already exists in ${options.registry}; pass --force to replace it (model and calibration), or choose another --name`,
        );
      }
      const data = readLabelledData({
        path: options.data,
        textColumn: options.textColumn,
        labelColumn: options.labelColumn,
      });
      // Before the worker and the progress bar: a file too small to calibrate on fails at once.
      checkValidationSplit(data.rows, { validFraction: options.validFraction, dataPath: options.data });
      const interactive = !options.json && process.stderr.isTTY;
      const bar = new progress.SingleBar(
        {
          format: 'training {bar} {percentage}% | {stage} | {duration}s',
          stream: process.stderr,
          noTTYOutput: !interactive,
        },
        progress.Presets.shades_classic,
      );
      if (!options.json) {
        process.stderr.write(
          `Training ${options.arch} specialist "${options.name}" on ${data.rows.length} rows, ${data.labels.length} labels\n`,
        );
        bar.start(100, 0, { stage: 'starting' });
      }
      const metadata = await trainSpecialist({
        rows: data.rows,
        name: options.name,
        arch: options.arch,
        validFraction: options.validFraction,
        seed: options.seed,
        registryDir: options.registry,
        dataPath: options.data,
        targetAccuracy: options.targetAccuracy,
        confidence: options.confidence,
        onProgress: (update) => {
          if (!options.json) bar.update(Math.round(update.fraction * 100), { stage: update.message });
        },
      }).finally(() => {
        if (!options.json) bar.stop();
      });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(metadata, null, 2)}\n`);
        return;
      }
      const { validation, threshold, training } = metadata;
      const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
      const lines = [
        `Saved ${options.registry}/${metadata.name} (${metadata.arch}) in ${(training.durationMs / 1000).toFixed(1)} s`,
        `Validation (${training.validRows} rows): accuracy ${percent(validation.accuracy)}, macro-F1 ${percent(validation.macroF1)}, ` +
          `ECE ${validation.eceBefore.toFixed(3)} -> ${validation.eceAfter.toFixed(3)} after calibration`,
        threshold
          ? `Threshold ${threshold.threshold.toFixed(3)}: accuracy >= ${percent(threshold.targetAccuracy)} with ${percent(threshold.confidence)} confidence, ` +
            `coverage ${percent(threshold.coverage)} of the validation split`
          : `No threshold reaches ${percent(options.targetAccuracy)} with ${percent(options.confidence)} confidence on ${training.validRows} validation rows: ` +
            'run `rightsize calibrate` with more held-out data, or a lower target',
        `Serve it as model "specialist/${metadata.name}"; evaluate with \`rightsize eval --specialist ${metadata.name} --data FILE\``,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
