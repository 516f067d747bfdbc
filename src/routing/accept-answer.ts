import { createRequire } from 'node:module';
import type { Ajv as AjvInstance, ValidateFunction } from 'ajv';
import { type AcceptRule, type RouteConfig, regexProblem } from '../config/config-schema.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';

/** Ajv, created on the first JSON-schema rule (it costs about 13 MB and most routes have none). */
let ajvInstance: AjvInstance | undefined;
function ajv(): AjvInstance {
  if (!ajvInstance) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    ajvInstance = new Ajv({ allErrors: false, strict: false });
  }
  return ajvInstance;
}
/** Compiled JSON schemas, per rule object (rules are frozen config, so identity is stable). */
const compiled = new WeakMap<object, ValidateFunction>();
const regexes = new Map<string, RegExp>();

/**
 * Compiles every regular expression and JSON schema of the routes' acceptance rules, at start, so
 * that one that cannot compile stops the gateway naming its key instead of failing every request on
 * its route with a 500. Ajv is loaded here only when some rule has a JSON schema. The compiled
 * forms are kept for {@link acceptAnswer}.
 * @throws RightsizeError `invalid_config` listing each bad rule, e.g.
 * `routes.re.tiers[0].accept.jsonSchema: invalid JSON schema: data/type must be equal to one of the allowed values`.
 */
export function compileAcceptRules(routes: Readonly<Record<string, RouteConfig>>): void {
  const problems: string[] = [];
  for (const [name, route] of Object.entries(routes)) {
    route.tiers.forEach((tier, index) => {
      const rule = tier.accept;
      const key = `routes.${name}.tiers[${index}].accept`;
      if (rule?.regex !== undefined && !regexes.has(rule.regex)) {
        const problem = regexProblem(rule.regex);
        if (problem) problems.push(`${key}.regex: invalid regular expression: ${problem}`);
        else regexes.set(rule.regex, new RegExp(rule.regex));
      }
      if (rule?.jsonSchema !== undefined && !compiled.has(rule.jsonSchema)) {
        try {
          compiled.set(rule.jsonSchema, ajv().compile(rule.jsonSchema));
        } catch (error) {
          problems.push(
            `${key}.jsonSchema: invalid JSON schema: ${error instanceof Error ? error.message.replace(/^schema is invalid: /, '') : String(error)}`,
          );
        }
      }
    });
  }
  if (problems.length > 0) {
    throw new RightsizeError(
      'invalid_config',
      `The config has acceptance rules that cannot compile:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nFix the regular expression (JavaScript syntax) or the JSON schema (draft-07, e.g. {type: object, required: [name]}).`,
    );
  }
}

export interface AcceptInput {
  /** The answer's text (already the label for specialists). */
  answer: string | null;
  /** The tier's confidence in [0, 1], when it reports one. */
  confidence: number | undefined;
  /** The model's calibrated threshold, when it has one. */
  calibratedThreshold: number | undefined;
  /** The route's labels, for `labels` rules. */
  labels: readonly string[] | null;
  /**
   * The tier answers with a label of its own (a specialist): on a route with labels, an answer that
   * is none of them (a specialist trained for another task: a config mistake) is refused whatever
   * the rule. @default false
   */
  answersWithLabel?: boolean;
  /** The cascade scorer's score of this answer and its default threshold, for `scorer` rules. */
  scorer?: { score: number; threshold: number | undefined } | undefined;
}

export type AcceptVerdict =
  | { accepted: true; answer: string | null }
  | { accepted: false; reason: 'low_confidence' | 'low_score' | 'invalid_output' | 'no_threshold'; detail: string };

/**
 * Judges one tier's answer against its acceptance rule. Every clause of the rule must hold.
 * For `labels` rules the answer may be a bare label or JSON `{"label": ...}` (what a JSON-schema
 * response format yields); it is matched case-insensitively and returned in its canonical spelling.
 */
export function acceptAnswer(rule: AcceptRule | undefined, input: AcceptInput): AcceptVerdict {
  let answer = input.answer;
  if (input.answersWithLabel && input.labels !== null && answer !== null && !input.labels.includes(answer)) {
    return {
      accepted: false,
      reason: 'invalid_output',
      detail: `the answer "${answer.slice(0, 60)}" is not one of the route's labels`,
    };
  }
  if (!rule) return { accepted: true, answer };
  if (rule.calibrated) {
    if (input.calibratedThreshold === undefined) {
      return {
        accepted: false,
        reason: 'no_threshold',
        detail: 'the model has no calibrated threshold; run `rightsize calibrate`',
      };
    }
    if ((input.confidence ?? 0) < input.calibratedThreshold) {
      return {
        accepted: false,
        reason: 'low_confidence',
        detail: `confidence ${round(input.confidence)} < calibrated ${round(input.calibratedThreshold)}`,
      };
    }
  }
  if (rule.minConfidence !== undefined && (input.confidence ?? 0) < rule.minConfidence) {
    return {
      accepted: false,
      reason: 'low_confidence',
      detail: `confidence ${round(input.confidence)} < ${rule.minConfidence}`,
    };
  }
  if (rule.scorer) {
    const threshold = rule.scorer.threshold ?? input.scorer?.threshold;
    if (!input.scorer || threshold === undefined) {
      return {
        accepted: false,
        reason: 'no_threshold',
        detail: `scorer ${rule.scorer.name} gave no score or has no threshold; train it with --target`,
      };
    }
    if (input.scorer.score < threshold) {
      return {
        accepted: false,
        reason: 'low_score',
        detail: `score ${round(input.scorer.score)} < ${round(threshold)}`,
      };
    }
  }
  if (rule.labels) {
    const label = matchLabel(answer, input.labels ?? []);
    if (label === undefined)
      return { accepted: false, reason: 'invalid_output', detail: 'the answer is not one of the route labels' };
    answer = label;
  }
  if (rule.regex !== undefined) {
    let regex = regexes.get(rule.regex);
    if (!regex) {
      regex = new RegExp(rule.regex);
      regexes.set(rule.regex, regex);
    }
    if (!regex.test(answer ?? ''))
      return { accepted: false, reason: 'invalid_output', detail: 'the answer does not match the route regex' };
  }
  if (rule.jsonSchema !== undefined) {
    let validate = compiled.get(rule.jsonSchema);
    if (!validate) {
      validate = ajv().compile(rule.jsonSchema);
      compiled.set(rule.jsonSchema, validate);
    }
    let value: unknown;
    try {
      value = JSON.parse(answer ?? '');
    } catch {
      return { accepted: false, reason: 'invalid_output', detail: 'the answer is not JSON' };
    }
    if (!validate(value))
      return {
        accepted: false,
        reason: 'invalid_output',
        detail: `the answer breaks the JSON schema: ${ajv().errorsText(validate.errors)}`,
      };
  }
  return { accepted: true, answer };
}

/** The canonical label an answer names, or undefined. */
export function matchLabel(answer: string | null, labels: readonly string[]): string | undefined {
  if (answer === null) return undefined;
  let text = answer.trim();
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && 'label' in parsed && typeof parsed.label === 'string')
        text = parsed.label;
    } catch {
      // Not JSON: match the text itself.
    }
  }
  // The label as written wins over one that only matches once punctuation is dropped ("yes?" vs "yes").
  const exact = labels.find((label) => label === text.trim());
  if (exact !== undefined) return exact;
  const wanted = normalise(text);
  return labels.find((label) => normalise(label) === wanted);
}

function normalise(text: string): string {
  return text
    .trim()
    .replace(/^["'`]+/, '')
    .replace(/[\s"'`.?!]+$/, '')
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

function round(value: number | undefined): string {
  return value === undefined ? 'none' : value.toFixed(3);
}
