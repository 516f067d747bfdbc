import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { RightsizeError } from '../errors/rightsize-error.ts';

/**
 * The rows of a CSV file (header row names the columns) or a JSONL file (one JSON object a line),
 * as plain objects, for loaders that validate them with their own schema.
 * @param what names the file in errors, e.g. `recording` or `outcome file`.
 * @throws RightsizeError `invalid_input` when the file cannot be read, a JSONL line is not JSON
 * (naming the line), or the extension is neither `.csv` nor `.jsonl`/`.ndjson`/`.json`.
 */
export function readTableRows(path: string, what: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new RightsizeError('invalid_input', `cannot read ${what} ${path}: check the path`, { cause });
  }
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return parse(text, { columns: true, skip_empty_lines: true }) as unknown[];
  if (extension !== '.jsonl' && extension !== '.ndjson' && extension !== '.json') {
    throw new RightsizeError('invalid_input', `${what} ${path} must end in .jsonl or .csv`);
  }
  const rows: unknown[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      rows.push(JSON.parse(line));
    } catch (cause) {
      throw new RightsizeError('invalid_input', `${path} line ${index + 1} is not JSON: one object a line`, { cause });
    }
  }
  return rows;
}
