import { basename, extname } from 'node:path';
import { z } from 'zod';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import { readTableRows } from '../../internal/read-table-rows.ts';
import type { OutcomeItem, OutcomeSet } from './outcome-set.ts';

const quality = z.union([
  z.number(),
  z.boolean().transform((value) => (value ? 1 : 0)),
  z
    .string()
    .regex(/^(true|false|True|False|-?\d+(\.\d+)?)$/, 'a number, true or false')
    .transform((value) => (/^(true|True)$/.test(value) ? 1 : /^(false|False)$/.test(value) ? 0 : Number(value))),
]);

const optionalText = z
  .string()
  .nullish()
  .transform((value) => (value == null || value === '' ? undefined : value));

/**
 * One row of an outcome file. Qualities are 0/1 (or true/false) for correctness, or judge scores.
 * Column names: `prompt`, `weak_quality` (or `weak_correct`), `strong_quality` (or `strong_correct`),
 * optional `weak_answer`, `strong_answer`, `id`, `category`.
 */
const outcomeRowSchema = z
  .looseObject({
    id: z.union([z.string(), z.number()]).nullish(),
    prompt: z.string().min(1, 'prompt must not be empty'),
    weak_answer: optionalText,
    strong_answer: optionalText,
    weak_quality: quality.optional(),
    weak_correct: quality.optional(),
    strong_quality: quality.optional(),
    strong_correct: quality.optional(),
    category: optionalText,
  })
  .refine((row) => row.weak_quality !== undefined || row.weak_correct !== undefined, 'needs weak_quality')
  .refine((row) => row.strong_quality !== undefined || row.strong_correct !== undefined, 'needs strong_quality');

/** The columns an outcome row needs, each with the names it may go by. */
const REQUIRED_COLUMNS: ReadonlyArray<readonly string[]> = [
  ['prompt'],
  ['weak_quality', 'weak_correct'],
  ['strong_quality', 'strong_correct'],
];

/** What an outcome file needs, for messages. */
const COLUMNS_NEEDED =
  'an outcome file needs the columns prompt, weak_quality (or weak_correct) and strong_quality (or strong_correct), plus weak_answer for --kind cascade';

/**
 * Refuses a row without a column the schema needs, naming the columns needed and those the row has
 * (a CSV header with other names would otherwise give zod's "expected string, received undefined").
 */
function checkColumns(path: string, row: unknown, index: number): void {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) {
    throw new RightsizeError('invalid_input', `${path} row ${index + 1} is not an object: ${COLUMNS_NEEDED}`);
  }
  const values = row as Record<string, unknown>;
  const missing = REQUIRED_COLUMNS.filter((names) => names.every((name) => values[name] === undefined));
  if (missing.length === 0) return;
  const found = Object.keys(values);
  throw new RightsizeError(
    'invalid_input',
    `${path} row ${index + 1} has no ${missing.map((names) => names.join(' or ')).join(', no ')} (found: ${found.length === 0 ? 'no columns' : `${found.slice(0, 12).join(', ')}${found.length > 12 ? ', ...' : ''}`}): ${COLUMNS_NEEDED}`,
  );
}

/**
 * Loads a labelled outcome file of your own: JSONL (one object a line) or CSV with a header, by
 * extension (`.jsonl`, `.json` for JSONL; `.csv`). See the row columns above. Qualities that are all
 * 0/1 make an `accuracy` set; anything else a `judge` set.
 * @throws RightsizeError `invalid_input` naming the file, the row and the column at fault.
 */
export function loadOutcomeFile(path: string): OutcomeSet {
  const rows = readTableRows(path, 'outcome file');
  const items: OutcomeItem[] = rows.map((row, index) => {
    checkColumns(path, row, index);
    const parsed = outcomeRowSchema.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RightsizeError(
        'invalid_input',
        `${path} row ${index + 1}: ${issue?.path.join('.') || 'row'} ${issue?.message ?? 'is invalid'}`,
      );
    }
    const data = parsed.data;
    const item: OutcomeItem = {
      id: data.id == null ? `row-${index}` : String(data.id),
      prompt: data.prompt,
      weakQuality: (data.weak_quality ?? data.weak_correct)!,
      strongQuality: (data.strong_quality ?? data.strong_correct)!,
    };
    if (data.weak_answer !== undefined) item.weakAnswer = data.weak_answer;
    if (data.strong_answer !== undefined) item.strongAnswer = data.strong_answer;
    if (data.category !== undefined) item.category = data.category;
    return item;
  });
  if (items.length === 0) throw new RightsizeError('invalid_input', `outcome file ${path} has no rows`);
  const binary = items.every(
    (item) =>
      (item.weakQuality === 0 || item.weakQuality === 1) && (item.strongQuality === 0 || item.strongQuality === 1),
  );
  return {
    name: basename(path, extname(path)),
    qualityKind: binary ? 'accuracy' : 'judge',
    weakModel: 'weak',
    strongModel: 'strong',
    items,
  };
}
