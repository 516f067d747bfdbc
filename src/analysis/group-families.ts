import type { RequestLogRecord } from '../store/store.ts';
import {
  type FamilyMatcher,
  familyId,
  linePrefix,
  maskedLines,
  maskSlots,
  type RequestParts,
  requestParts,
  SLOT,
} from './family-matcher.ts';

/** `label`: short one-line answers (a classification task); `text`: free text. */
export type OutputShape = 'label' | 'text';

/** A logged request as the analysis reads it. */
export interface FamilyMember {
  record: RequestLogRecord;
  parts: RequestParts;
  shape: OutputShape;
}

/** Requests that share a template (or tag) and an output shape. */
export interface FamilyGroup {
  id: string;
  matcher: FamilyMatcher;
  shape: OutputShape;
  /** The template as text: system prompt, then the user message's lines (`<*>` marks slots). */
  template: string;
  members: FamilyMember[];
}

/** Options of {@link groupFamilies}. */
export interface GroupFamiliesOptions {
  /**
   * A user line (masked) is part of the template when at least this share of the requests with the
   * same system prompt contain it. @default 0.3
   */
  fixedLineShare?: number;
  /** ...and at least this many of them. @default 3 */
  minFixedLineCount?: number;
  /** A group is split by output shape only when the smaller shape holds at least this share. @default 0.2 */
  minShapeShare?: number;
}

/** Answers of at most this many characters, on one line, of at most 6 words, look like labels. */
const LABEL_MAX_CHARS = 60;

/** The output shape of one answer. */
export function outputShape(answer: string): OutputShape {
  const text = answer.trim();
  return text.length > 0 && text.length <= LABEL_MAX_CHARS && !text.includes('\n') && text.split(/\s+/).length <= 6
    ? 'label'
    : 'text';
}

/**
 * Groups successful logged requests with content into task families, without tags where there are
 * none. A tag wins. Otherwise, like a log-template miner (Drain, He et al. 2017, "Drain: an online
 * log parsing approach with fixed depth tree"), requests are first split by their masked system
 * prompt; within each, a line of the user message is fixed when it recurs in a good share of the
 * requests (`Label: value` lines keep their label when only the value varies), and every other line
 * is a slot. The template is the system prompt and that sequence of lines; a family is a template
 * and an output shape. Ids are hashes of the template, so they are stable across runs and logs.
 */
export function groupFamilies(records: readonly RequestLogRecord[], options: GroupFamiliesOptions = {}): FamilyGroup[] {
  const fixedLineShare = options.fixedLineShare ?? 0.3;
  const minFixedLineCount = options.minFixedLineCount ?? 3;
  const minShapeShare = options.minShapeShare ?? 0.2;

  const bySystem = new Map<string, FamilyMember[]>();
  const byTag = new Map<string, FamilyMember[]>();
  for (const record of records) {
    if (record.status !== 200 || record.requestMessages === null || record.responseText === null) continue;
    let messages: unknown;
    try {
      messages = JSON.parse(record.requestMessages);
    } catch {
      continue;
    }
    if (!Array.isArray(messages)) continue;
    const parts = requestParts(messages, record.tag);
    const member: FamilyMember = { record, parts, shape: outputShape(record.responseText) };
    if (record.tag) push(byTag, record.tag, member);
    else push(bySystem, maskSlots(parts.system), member);
  }

  const groups: FamilyGroup[] = [];
  for (const [tag, members] of byTag) {
    const matcher: FamilyMatcher = { kind: 'tag', tag };
    const shape = dominantShape(members);
    groups.push({ id: familyId(matcher, shape), matcher, shape, template: `tag: ${tag}`, members });
  }
  for (const [system, members] of bySystem) {
    const lineSets = members.map((member) => maskedLines(member.parts.user));
    const lineCounts = new Map<string, number>();
    const prefixCounts = new Map<string, number>();
    for (const lines of lineSets) {
      for (const line of new Set(lines)) lineCounts.set(line, (lineCounts.get(line) ?? 0) + 1);
      for (const prefix of new Set(lines.map(linePrefix).filter((prefix) => prefix !== undefined)))
        prefixCounts.set(prefix, (prefixCounts.get(prefix) ?? 0) + 1);
    }
    const needed = Math.max(minFixedLineCount, Math.ceil(members.length * fixedLineShare));
    const byTemplate = new Map<string, { lines: string[]; members: FamilyMember[] }>();
    members.forEach((member, index) => {
      const lines = templateLines(lineSets[index] ?? [], lineCounts, prefixCounts, needed);
      const key = lines.join('\n');
      const entry = byTemplate.get(key);
      if (entry) entry.members.push(member);
      else byTemplate.set(key, { lines, members: [member] });
    });
    for (const { lines, members: templateMembers } of byTemplate.values()) {
      const matcher: FamilyMatcher = { kind: 'template', system, lines };
      for (const [shape, shapeMembers] of splitByShape(templateMembers, minShapeShare)) {
        groups.push({
          id: familyId(matcher, shape),
          matcher,
          shape,
          template: `${system ? `[system] ${system}\n` : ''}[user] ${lines.join('\n')}`,
          members: shapeMembers,
        });
      }
    }
  }
  return groups.sort((a, b) => b.members.length - a.members.length);
}

function templateLines(
  lines: readonly string[],
  lineCounts: ReadonlyMap<string, number>,
  prefixCounts: ReadonlyMap<string, number>,
  needed: number,
): string[] {
  const template: string[] = [];
  for (const line of lines) {
    let entry: string;
    if ((lineCounts.get(line) ?? 0) >= needed) entry = line;
    else {
      const prefix = linePrefix(line);
      entry = prefix && (prefixCounts.get(prefix) ?? 0) >= needed ? `${prefix} ${SLOT}` : SLOT;
    }
    // Consecutive slots are one slot: free text runs over any number of lines.
    if (entry === SLOT && template[template.length - 1] === SLOT) continue;
    template.push(entry);
  }
  return template;
}

function dominantShape(members: readonly FamilyMember[]): OutputShape {
  const labels = members.filter((member) => member.shape === 'label').length;
  return labels * 2 >= members.length ? 'label' : 'text';
}

function splitByShape(members: FamilyMember[], minShapeShare: number): Array<[OutputShape, FamilyMember[]]> {
  const label = members.filter((member) => member.shape === 'label');
  const text = members.filter((member) => member.shape === 'text');
  const minor = Math.min(label.length, text.length);
  if (minor === 0 || minor < members.length * minShapeShare) return [[dominantShape(members), members]];
  return [
    ['label', label],
    ['text', text],
  ];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
