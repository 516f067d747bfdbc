import { readFileSync } from 'node:fs';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import { makeFolder } from '../../internal/make-folder.ts';
import { scoreAnswer } from './cascade-scorer.ts';
import { scorePrompt } from './pre-router.ts';
import { ROUTER_FORMAT, type RouterModel } from './router-model.ts';
import { shellQuote } from './shell-quote.ts';

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
 * How to make a router file at `out`. For a file that exists but is not a router, `out` is a fresh
 * path in the routers folder, never the file the user named (it may be their data).
 */
function trainHint(out: string): string {
  return `train one with \`npx rightsize router train --kind cascade --data gsm8k --out ${shellQuote(out)}\``;
}

/**
 * Reads a trained router file (JSON written by `rightsize router train`) and checks its format.
 * @throws RightsizeError `invalid_config` when the file is missing or unreadable, or is not a router
 *   file (the message says what it holds instead: not JSON, JSON lines, an array, an object with
 *   other fields).
 */
export function readRouterModel(path: string): RouterModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new RightsizeError(
      'invalid_config',
      code === 'ENOENT'
        ? `no router file at ${shellQuote(path)}: ${trainHint(path)}`
        : `cannot read router file ${shellQuote(path)} (${code ?? 'error'}): check the path`,
      { cause },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw notARouterFile(path, describeNonJson(text));
  }
  const model = parsed as Partial<RouterModel> | null;
  if (
    !model ||
    typeof model !== 'object' ||
    Array.isArray(model) ||
    model.format !== ROUTER_FORMAT ||
    !model.model ||
    !model.text ||
    (model.kind !== 'pre' && model.kind !== 'cascade')
  ) {
    throw notARouterFile(path, describeJson(parsed));
  }
  return model as RouterModel;
}

function notARouterFile(path: string, found: string): RightsizeError {
  return new RightsizeError(
    'invalid_config',
    `${shellQuote(path)} is not a router file (${ROUTER_FORMAT}): it holds ${found}; give a file written by \`rightsize router train\`, or ${trainHint(`${DEFAULT_ROUTER_DIR}/cascade-gsm8k.json`)}`,
  );
}

/** What a file that is not one JSON value holds, without quoting its content. */
function describeNonJson(text: string): string {
  if (text.trim() === '') return 'nothing';
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const jsonLines = lines.every((line) => {
    try {
      JSON.parse(line);
      return true;
    } catch {
      return false;
    }
  });
  return jsonLines
    ? `JSON lines (${lines.length} lines: an outcome or labelled data file, perhaps)`
    : 'text that is not JSON';
}

/** What a JSON value that is not a router holds: its type, or an object's fields (names only). */
function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a JSON array of ${value.length} items`;
  if (typeof value !== 'object') return `a JSON ${typeof value}`;
  const record = value as Record<string, unknown>;
  if (typeof record['format'] === 'string' && record['format'] !== ROUTER_FORMAT)
    return `a file of format "${record['format'].slice(0, 60)}"`;
  const keys = Object.keys(record);
  return keys.length === 0
    ? 'an empty JSON object'
    : `a JSON object with fields ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', ...' : ''}`;
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
        `no cascade scorer at ${shellQuote(path)}: train it with \`npx rightsize router train --kind cascade --data FILE --out ${shellQuote(path)}\``,
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
