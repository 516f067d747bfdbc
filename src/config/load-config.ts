import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { describeZodIssue, zodIssueField } from '../errors/describe-zod-issue.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import { checkedConfigSchema, type RightsizeConfig } from './config-schema.ts';
import { DEFAULT_CONFIG_YAML } from './default-config.ts';

export interface LoadedConfig {
  config: RightsizeConfig;
  /** The file it came from, or `embedded default`. */
  source: string;
}

/**
 * Loads the config: `path` when given, else `./rightsize.yaml` when present, else the embedded
 * default. The result is deeply frozen.
 * @throws RightsizeError `invalid_config` naming the file, the key and the fix.
 */
export function loadConfig(options: { path?: string | undefined; cwd?: string } = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  let source = 'embedded default';
  let text = DEFAULT_CONFIG_YAML;
  const candidate = options.path ? resolve(cwd, options.path) : resolve(cwd, 'rightsize.yaml');
  if (options.path || existsSync(candidate)) {
    try {
      text = readFileSync(candidate, 'utf8');
    } catch (cause) {
      throw new RightsizeError('invalid_config', `Cannot read the config file ${candidate}; check the --config path.`, {
        cause,
      });
    }
    source = candidate;
  }
  return { config: parseConfig(text, source), source };
}

/** Parses and validates config text; `source` names it in errors. */
export function parseConfig(text: string, source = 'config'): RightsizeConfig {
  const document = YAML.parseDocument(text);
  if (document.errors.length > 0) {
    const first = document.errors[0];
    throw new RightsizeError('invalid_config', `${source}: YAML syntax error: ${first?.message ?? 'unknown'}`);
  }
  let input: unknown;
  try {
    input = document.toJS() ?? {};
  } catch (cause) {
    // E.g. "Excessive alias count": aliases nested to expand into a huge document.
    throw new RightsizeError(
      'invalid_config',
      `${source}: YAML that cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  const parsed = checkedConfigSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 10).map((issue) => `  - ${describeIssue(issue, input)}`);
    throw new RightsizeError(
      'invalid_config',
      `${source} is not a valid Rightsize config:\n${lines.join('\n')}\nSee rightsize.example.yaml for every key with a comment.`,
    );
  }
  return deepFreeze(parsed.data);
}

/** One config problem: the key, then what is wrong (`describeZodIssue`), with the config's own hints. */
function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // A value that fits no option (e.g. a provider, openai-compatible or recorded): describe what
    // is wrong against the option it comes closest to, the one with the fewest problems.
    const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
    if (closest.length > 0)
      return closest
        .slice(0, 3)
        .map((inner) => describeIssue({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue, input))
        .join('; ');
  }
  const key = zodIssueField(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return `${key || '(top level)'}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((name) => `"${name}"`).join(', ')}; remove or rename (check the spelling against rightsize.example.yaml)`;
  }
  return `${key || '(top level)'}: ${describeZodIssue(issue, input)}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
