import type { z } from 'zod';
import { RightsizeError } from './rightsize-error.ts';

/**
 * What is wrong with the value a zod issue is about, in words a client can act on, read against the
 * `input` that was parsed (zod 4 does not keep the offending value in its issues):
 * - a missing field: `is required`;
 * - a field of the wrong type: `expected boolean, got string`;
 * - a top-level value that is not an object (a body of `[]`): `expected a JSON object`;
 * - unknown keys: `unknown field mode` / `unknown fields a, b`;
 * - one of a set: `expected one of "pending", "claimed"`;
 * - a union none of whose shapes fits: see {@link describeUnionIssue};
 * - anything else (ranges, patterns, custom checks): zod's or the schema's own message.
 */
export function describeZodIssue(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      const value = valueAt(input, issue.path);
      if (value === undefined) return 'is required';
      if (issue.path.length === 0 && issue.expected === 'object') return 'expected a JSON object';
      return `expected ${issue.expected}, got ${typeName(value)}`;
    }
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_union':
      return describeUnionIssue(issue, valueAt(input, issue.path));
    default:
      return issue.message;
  }
}

/**
 * A value that fits none of a union's shapes: an unknown discriminator (`expected one of "text",
 * "image_url"`), a value of none of the types (`expected string or array, got number`), else the
 * shape it came closest to, with the field inside it (`[0].text: is required`).
 */
function describeUnionIssue(issue: z.core.$ZodIssueInvalidUnion, value: unknown): string {
  const options = (issue as { options?: unknown }).options;
  if (Array.isArray(options) && options.length > 0)
    return `expected one of ${options.map((option) => JSON.stringify(option)).join(', ')}`;
  const firsts = issue.errors.map((branch) => branch[0]).filter((first) => first !== undefined);
  if (firsts.length > 0 && firsts.every((first) => first.code === 'invalid_type' && first.path.length === 0)) {
    const expected = [...new Set(firsts.map((first) => (first as { expected: string }).expected))];
    return `expected ${expected.join(' or ')}, got ${typeName(value)}`;
  }
  const closest = firsts.reduce<z.core.$ZodIssue | undefined>(
    (best, first) => (best === undefined || first.path.length > best.path.length ? first : best),
    undefined,
  );
  if (closest && closest.path.length > 0) return `${zodIssueField(closest.path)}: ${describeZodIssue(closest, value)}`;
  return issue.message;
}

/** An issue's path as a field name: `requirements.minAccuracy`, `messages[0].content`; empty at the top. */
export function zodIssueField(path: ReadonlyArray<PropertyKey>): string {
  let field = '';
  for (const part of path) {
    if (typeof part === 'number') field += `[${part}]`;
    else field += field ? `.${String(part)}` : String(part);
  }
  return field;
}

/**
 * The issue to tell a client about: an unknown field if there is one (it is usually the misspelling
 * of a field reported missing: `{"task": ...}` for `profile`), else the first.
 */
export function issueToReport(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue | undefined {
  return issues.find((issue) => issue.code === 'unrecognized_keys') ?? issues[0];
}

/**
 * Parses an HTTP request's input (`where`: `body`, `query`, a path parameter's name) with `schema`.
 * @throws RightsizeError `invalid_request` naming an unknown field if there is one, else the first bad field, and what is wrong with it
 * ({@link describeZodIssue}): `Invalid body: shadow: expected boolean, got string.`, or for the
 * value as a whole `Invalid body: expected a JSON object.`; `param` is the field, else `where`.
 */
export function parseRequestInput<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = issueToReport(parsed.error.issues);
  const field = issue ? zodIssueField(issue.path) : '';
  const what = issue ? describeZodIssue(issue, value) : 'invalid';
  throw new RightsizeError('invalid_request', `Invalid ${where}: ${field ? `${field}: ` : ''}${what}.`, {
    param: field || where,
  });
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
