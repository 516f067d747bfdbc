import { readFileSync } from 'node:fs';
import { RightsizeError } from '../../errors/rightsize-error.ts';
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
