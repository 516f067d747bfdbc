import { readFileSync } from 'node:fs';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import { makeFolder } from '../../internal/make-folder.ts';
import { scoreAnswer } from './cascade-scorer.ts';
import { scorePrompt } from './pre-router.ts';
import { ROUTER_FORMAT, type RouterModel } from './router-model.ts';

/** A cascade scorer ready to use as the acceptance rule of a cascade tier. */
export interface CascadeScorer {
  /** The model's name (from training, e.g. `cascade-gsm8k`). */
  readonly name: string;
  /** The threshold calibrated at training time, when one was asked for (`router train --target`). */
  readonly threshold: number | undefined;
  /** P(the weak answer is acceptable) in [0, 1]; accept when >= the tier's threshold. */
  score(prompt: string, answer: string): number;
}

/**
 * Reads a trained router file (JSON written by `rightsize router train`) and checks its format.
 * @throws RightsizeError `invalid_config` when the file is missing or is not a router file.
 */
export function readRouterModel(path: string): RouterModel {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new RightsizeError(
      'invalid_config',
      `cannot read router file ${path}: train one with \`npx rightsize router train --kind cascade --data gsm8k --out ${path}\``,
      { cause },
    );
  }
  const model = parsed as Partial<RouterModel> | null;
  if (
    !model ||
    model.format !== ROUTER_FORMAT ||
    !model.model ||
    !model.text ||
    (model.kind !== 'pre' && model.kind !== 'cascade')
  ) {
    throw new RightsizeError(
      'invalid_config',
      `${path} is not a ${ROUTER_FORMAT} file: train it again with \`npx rightsize router train\``,
    );
  }
  return model as RouterModel;
}

/**
 * Loads a cascade scorer for the gateway's cascade executor (`accept.scorer: { name, threshold }`).
 * @throws RightsizeError `invalid_config` when the file is missing, malformed or holds a pre-router.
 */
export function loadCascadeScorer(path: string): CascadeScorer {
  const model = readRouterModel(path);
  if (model.kind !== 'cascade') {
    throw new RightsizeError('invalid_config', `${path} holds a pre-router; an acceptance rule needs --kind cascade`);
  }
  return {
    name: model.name,
    threshold: model.threshold,
    score: (prompt, answer) => scoreAnswer(model, prompt, answer),
  };
}

/** A pre-router ready to score prompts: P(the strong model wins) in [0, 1]. */
export interface PreRouter {
  readonly name: string;
  score(prompt: string): number;
}

/**
 * Loads a pre-router file.
 * @throws RightsizeError `invalid_config` when the file is missing, malformed or holds a cascade scorer.
 */
export function loadPreRouter(path: string): PreRouter {
  const model = readRouterModel(path);
  if (model.kind !== 'pre')
    throw new RightsizeError('invalid_config', `${path} holds a cascade scorer, not a pre-router`);
  return { name: model.name, score: (prompt) => scorePrompt(model, prompt) };
}

/** Where router files live by default (gitignored). */
export const DEFAULT_ROUTER_DIR = '.rightsize/routers';

/** The file of a named router: `<dir>/<name>.json` (what `router train` writes by default). */
export function routerPath(name: string, dir: string = DEFAULT_ROUTER_DIR): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new RightsizeError('invalid_config', `scorer name "${name}" must be letters, digits, ".", "_" or "-"`);
  }
  return `${dir.replace(/\/+$/, '')}/${name}.json`;
}

/**
 * Loads the named cascade scorer from `dir` (config `accept.scorer.name`). When the file is missing
 * and the name is `cascade-gsm8k`, `cascade-mtbench` (a RouteLLM set with answer text), it is
 * trained from the shared data (about 3 s for GSM8K) and saved first, so demos work out of the box.
 * @throws RightsizeError `invalid_config` when the file is missing and cannot be trained, or is not a cascade scorer.
 */
export async function loadOrTrainCascadeScorer(options: {
  name: string;
  dir?: string;
  dataRoot?: string;
}): Promise<CascadeScorer> {
  const path = routerPath(options.name, options.dir);
  const { existsSync, writeFileSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  if (!existsSync(path)) {
    const data = /^cascade-(gsm8k|mtbench)$/.exec(options.name)?.[1];
    if (!data) {
      throw new RightsizeError(
        'invalid_config',
        `no cascade scorer at ${path}: train it with \`npx rightsize router train --kind cascade --data FILE --out ${path}\``,
      );
    }
    const { resolveOutcomeSet } = await import('./resolve-outcome-set.ts');
    const { trainCascadeScorer } = await import('./cascade-scorer.ts');
    const set = resolveOutcomeSet(data, options.dataRoot === undefined ? {} : { dataRoot: options.dataRoot });
    const model = trainCascadeScorer(set.items, { name: options.name, data: set.name });
    makeFolder(dirname(path));
    writeFileSync(path, JSON.stringify(model));
  }
  return loadCascadeScorer(path);
}
