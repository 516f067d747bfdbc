import type { Command } from 'commander';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import { numberOption, wholeNumber } from '../option-parsers.ts';

interface TrainFlags {
  kind: string;
  data: string;
  out?: string;
  dataRoot?: string;
  name?: string;
  label: string;
  target?: number;
  folds: number;
  seed: number;
  json?: boolean;
}

interface ScoreFlags {
  model: string;
  prompt: string;
  answer?: string;
  json?: boolean;
}

/**
 * `rightsize router train|score`: trains a weak-to-strong router (a pre-router that reads the prompt,
 * or a cascade scorer that reads the prompt and the weak model's answer) on a labelled outcome file,
 * and scores one prompt (and answer) with a trained router file.
 */
export function registerRouterCommand(program: Command): void {
  const router = program
    .command('router')
    .description('Train and try weak-to-strong routers (pre-router, cascade scorer)');
  router
    .command('train')
    .description('Train a pre-router or a cascade scorer on an outcome set and save it as JSON')
    .requiredOption(
      '--kind <pre|cascade>',
      'pre: prompt only, P(strong wins); cascade: prompt + weak answer, P(weak answer acceptable)',
    )
    .requiredOption('--data <name|file>', 'gsm8k, mmlu, mtbench, or an outcome file (.jsonl/.csv)')
    .option('--out <file>', 'where to write the router (default .rightsize/routers/<kind>-<data>.json)')
    .option('--data-root <dir>', 'folder of the RouteLLM data (default ../shared/data)')
    .option('--name <name>', 'router name (default <kind>-<data>)')
    .option('--label <no-strong-win|weak-correct>', 'cascade label: what "acceptable" means', 'no-strong-win')
    .option(
      '--target <share>',
      'cascade: calibrate the acceptance threshold to this share of the strong model quality (e.g. 0.95), on cross-validated scores',
      numberOption('--target', 'a number above 0 and at most 1', (value) => value > 0 && value <= 1),
    )
    .option('--folds <n>', 'folds for the threshold calibration', wholeNumber('--folds', 2, 100), 5)
    .option('--seed <n>', 'seed', wholeNumber('--seed', 0), 0)
    .option('--json', 'print the result as JSON')
    .action(async (flags: TrainFlags) => {
      if (flags.kind !== 'pre' && flags.kind !== 'cascade') {
        throw new RightsizeError('invalid_input', `--kind must be pre or cascade, got ${flags.kind}`);
      }
      if (flags.kind === 'pre' && flags.target !== undefined) {
        throw new RightsizeError('invalid_input', '--target calibrates a cascade scorer: use it with --kind cascade');
      }
      if (flags.label !== 'no-strong-win' && flags.label !== 'weak-correct') {
        throw new RightsizeError('invalid_input', `--label must be no-strong-win or weak-correct, got ${flags.label}`);
      }
      const { existsSync, writeFileSync } = await import('node:fs');
      const { dirname } = await import('node:path');
      const { readRouterModel } = await import('../../routing/weak-strong/load-cascade-scorer.ts');
      const { shellQuote } = await import('../../routing/weak-strong/shell-quote.ts');
      if (flags.out !== undefined && existsSync(flags.out)) {
        // Replacing a router is fine; replacing anything else (the data file, say) is not.
        try {
          readRouterModel(flags.out);
        } catch (cause) {
          throw new RightsizeError(
            'invalid_input',
            `--out ${shellQuote(flags.out)} exists and is not a router file: choose a fresh path (e.g. .rightsize/routers/NAME.json), or remove that file first`,
            { cause },
          );
        }
      }
      const { resolveOutcomeSet } = await import('../../routing/weak-strong/resolve-outcome-set.ts');
      const set = resolveOutcomeSet(flags.data, flags.dataRoot === undefined ? {} : { dataRoot: flags.dataRoot });
      const seed = flags.seed;
      const name = flags.name ?? `${flags.kind}-${set.name}`;
      const out = flags.out ?? `.rightsize/routers/${flags.kind}-${set.name}.json`;
      const started = Date.now();
      let model: import('../../routing/weak-strong/router-model.ts').RouterModel;
      let calibration: import('../../routing/weak-strong/calibrate-scorer-threshold.ts').ScorerThreshold | undefined;
      if (flags.kind === 'pre') {
        const { trainPreRouter } = await import('../../routing/weak-strong/pre-router.ts');
        model = trainPreRouter(set.items, { name, data: set.name, seed });
      } else {
        const { trainCascadeScorer, scoreAnswer } = await import('../../routing/weak-strong/cascade-scorer.ts');
        const options = { name, data: set.name, seed, label: flags.label } as const;
        model = trainCascadeScorer(set.items, options);
        if (flags.target !== undefined) {
          const target = flags.target;
          const { kFoldSplit, crossValidatedScores } = await import('../../routing/weak-strong/cross-validation.ts');
          const { calibrateScorerThreshold } = await import('../../routing/weak-strong/calibrate-scorer-threshold.ts');
          const folds = kFoldSplit(set.items, { folds: flags.folds, seed });
          const probabilities = crossValidatedScores(set.items, folds, (train) => {
            const foldModel = trainCascadeScorer(train, options);
            return (item) => scoreAnswer(foldModel, item.prompt, item.weakAnswer ?? '');
          });
          calibration = calibrateScorerThreshold({
            acceptProbabilities: probabilities,
            outcomes: set.items,
            targetShareOfStrong: target,
          });
          if (Number.isFinite(calibration.threshold)) model.threshold = calibration.threshold;
        }
      }
      const { makeFolder } = await import('../../internal/make-folder.ts');
      makeFolder(dirname(out));
      writeFileSync(out, JSON.stringify(model));
      const result = {
        out,
        kind: model.kind,
        name: model.name,
        trainedOn: model.trainedOn,
        threshold: model.threshold,
        calibration,
        durationMs: Date.now() - started,
      };
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const lines = [
        `trained ${model.kind} router ${model.name} on ${set.name} (${model.trainedOn.items} items, ${model.trainedOn.positives} positive) in ${result.durationMs} ms`,
        `written to ${out}`,
      ];
      if (calibration) {
        lines.push(
          `threshold ${calibration.threshold.toFixed(4)}: accepts ${(calibration.acceptShare * 100).toFixed(1)} % of weak answers, ` +
            `quality ${calibration.quality.toFixed(4)} against target ${calibration.targetQuality.toFixed(4)} (cross-validated)`,
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  router
    .command('score')
    .description('Score one prompt (pre-router) or one prompt and weak answer (cascade scorer)')
    .requiredOption('--model <file>', 'a router file written by `router train`')
    .requiredOption('--prompt <text>', 'the prompt')
    .option('--answer <text>', 'the weak model answer (cascade scorers)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: ScoreFlags) => {
      const { readRouterModel } = await import('../../routing/weak-strong/load-cascade-scorer.ts');
      const model = readRouterModel(flags.model);
      let result: Record<string, unknown>;
      if (model.kind === 'cascade') {
        if (flags.answer === undefined) {
          throw new RightsizeError(
            'invalid_input',
            `${flags.model} is a cascade scorer: pass the weak answer with --answer`,
          );
        }
        const { scoreAnswer } = await import('../../routing/weak-strong/cascade-scorer.ts');
        const probability = scoreAnswer(model, flags.prompt, flags.answer);
        result = { router: model.name, kind: model.kind, acceptProbability: probability };
        if (model.threshold !== undefined) {
          result['threshold'] = model.threshold;
          result['decision'] = probability >= model.threshold ? 'accept' : 'escalate';
        }
      } else {
        const { scorePrompt } = await import('../../routing/weak-strong/pre-router.ts');
        result = { router: model.name, kind: model.kind, strongWinProbability: scorePrompt(model, flags.prompt) };
      }
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(result, null, 2)}\n`
          : `${Object.entries(result)
              .map(([key, value]) => `${key}: ${typeof value === 'number' ? value.toFixed(4) : String(value)}`)
              .join('\n')}\n`,
      );
    });
}
