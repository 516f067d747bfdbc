/**
 * Task families as the gateway recognises them at request time. A family is either a client tag
 * (`x-rightsize-task`) or a prompt template: the system prompt and the fixed lines of the last user
 * message, with slots (numbers, quoted strings, free text) masked. `rightsize analyze` learns the
 * templates from the log (`group-families.ts`); a promotion stores the matcher. {@link matchesFamily}
 * is the rule; the gateway's promotion registry applies the same rule through an index (tag, then
 * masked system prompt, then {@link linesMatchTemplate}), a few string operations per request.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** The slot mark in templates: a part of the prompt that varies between requests. */
export const SLOT = '<*>';

/** How requests of one family are recognised. */
export const familyMatcherSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tag'), tag: z.string() }),
  z.object({
    kind: z.literal('template'),
    /** The masked system prompt ('' when there is none). */
    system: z.string(),
    /** The masked lines of the last user message: fixed lines, `Label: <*>` lines, and `<*>` slots. */
    lines: z.array(z.string()),
  }),
  /** Free-form prompts grouped by meaning (see `cluster-free-form.ts`): not recognisable per request. */
  z.object({ kind: z.literal('cluster'), medoid: z.string() }),
]);
export type FamilyMatcher = z.infer<typeof familyMatcherSchema>;

/**
 * Whether a template matcher recognises nothing but "a request with no system prompt": no system
 * prompt and only `<*>` slots in the user message. Such a family catches every untemplated request
 * of every task, so it may be analysed but never promoted (tag the requests instead).
 */
export function isCatchAllTemplate(matcher: FamilyMatcher): boolean {
  return matcher.kind === 'template' && !matcher.system && matcher.lines.every((line) => line === SLOT);
}

/** The parts of a request a matcher reads. */
export interface RequestParts {
  /** Text of the system and developer messages, joined by newlines. */
  system: string;
  /** Text of the last user message. */
  user: string;
  tag: string | null;
}

interface MessageLike {
  role?: unknown;
  content?: unknown;
}

/** The system text and last user text of a chat request's messages. */
export function requestParts(messages: readonly MessageLike[], tag: string | null): RequestParts {
  const system: string[] = [];
  let user = '';
  for (const message of messages) {
    const text = contentText(message.content);
    if (message.role === 'system' || message.role === 'developer') system.push(text);
    else if (message.role === 'user') user = text;
  }
  return { system: system.join('\n'), user, tag };
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) =>
      part && typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? part.text : '',
    )
    .filter((text) => text !== '')
    .join('\n');
}

const QUOTED = /"[^"\n]{1,200}"|'[^'\n]{1,200}'|`[^`\n]{1,200}`/g;
const NUMBER = /[-+]?\d(?:[\d,.:/]*\d)?/g;
// Bounded local part and a look-behind so a long run of word characters is scanned once, not once per start.
const EMAIL = /(?<![\w.+-])[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+/g;
const URL = /https?:\/\/\S+/g;

/**
 * Masks the slots every template shares: URLs, e-mail addresses, quoted strings and numbers
 * become `<*>`, and runs of whitespace one space.
 */
export function maskSlots(text: string): string {
  return text
    .replace(URL, SLOT)
    .replace(EMAIL, SLOT)
    .replace(QUOTED, SLOT)
    .replace(NUMBER, SLOT)
    .replace(/\s+/g, ' ')
    .trim();
}

/** The masked, non-empty lines of a user message. */
export function maskedLines(user: string): string[] {
  return user
    .split(/\n+/)
    .map(maskSlots)
    .filter((line) => line !== '');
}

/** `Label: value` lines: the label part (with its colon), or undefined. */
export function linePrefix(line: string): string | undefined {
  const match = /^([^:]{1,40}):\s*\S/.exec(line);
  return match ? `${match[1]}:` : undefined;
}

/**
 * Whether a request belongs to the family: the same tag; or, untagged, the same masked system prompt
 * and every fixed line of the template (and every `Label: <*>` prefix) among the user message's lines,
 * in order.
 * Cluster families never match: recognising them would take a sentence encoder per request.
 */
export function matchesFamily(matcher: FamilyMatcher, parts: RequestParts): boolean {
  if (matcher.kind === 'tag') return parts.tag === matcher.tag;
  if (matcher.kind === 'cluster') return false;
  // A tagged request belongs to its tag's family (as `analyze` groups it), not to a template's.
  if (parts.tag) return false;
  if (maskSlots(parts.system) !== matcher.system) return false;
  return linesMatchTemplate(matcher.lines, maskedLines(parts.user));
}

/**
 * Whether masked user lines fit a template's lines: every fixed line present, and every
 * `Label: <*>` line's label starting a line, in the template's order; slots match anything.
 */
export function linesMatchTemplate(template: readonly string[], lines: readonly string[]): boolean {
  let position = 0;
  for (const expected of template) {
    if (expected === SLOT) continue;
    const prefix = expected.endsWith(` ${SLOT}`) ? expected.slice(0, -SLOT.length - 1) : undefined;
    let found = false;
    while (position < lines.length) {
      const line = lines[position++] as string;
      if (prefix ? line.startsWith(prefix) : line === expected) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/** The stable id of a family: `fam_` and 10 hex digits of SHA-256 over its matcher and output shape. */
export function familyId(matcher: FamilyMatcher, shape: string): string {
  const key =
    matcher.kind === 'tag'
      ? `tag\n${matcher.tag}`
      : matcher.kind === 'cluster'
        ? `cluster\n${matcher.medoid}\n${shape}`
        : `template\n${matcher.system}\n${matcher.lines.join('\n')}\n${shape}`;
  return `fam_${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
}
