import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { RightsizeError } from '../errors/rightsize-error.ts';

/** One request to replay: the user message, and its gold label when the file has one. */
export interface ReplayRow {
  text: string;
  /** Gold label; absent when no label column was named or the cell is empty. */
  label?: string;
}

export interface ReadReplayRowsOptions {
  /** A `.csv` file with a header row, or a `.jsonl` / `.ndjson` file of one JSON object a line. */
  path: string;
  /** Column (CSV) or field (JSONL) holding the message text. */
  textColumn: string;
  /** Column or field holding the gold label. @default none (accuracy is not measured) */
  labelColumn?: string | undefined;
  /** Read at most this many rows, from the top. @default all */
  limit?: number | undefined;
}

/**
 * Reads the rows to replay from a CSV or JSONL file, checking them at the edge.
 * @throws RightsizeError `invalid_input` naming the file, the line or column, and the fix: an
 * unreadable file, a missing column, an empty text, bad CSV or JSON.
 */
export function readReplayRows(options: ReadReplayRowsOptions): ReplayRow[] {
  let content: string;
  try {
    content = readFileSync(options.path, 'utf8');
  } catch (cause) {
    throw new RightsizeError(
      'invalid_input',
      `Cannot read ${options.path} (${(cause as NodeJS.ErrnoException).code ?? 'error'}); check the --data path.`,
      { cause },
    );
  }
  const records = /\.(jsonl|ndjson)$/i.test(options.path)
    ? parseJsonLines(options.path, content)
    : parseCsv(options.path, content);
  const first = records[0];
  if (!first) throw new RightsizeError('invalid_input', `${options.path} holds no rows; add rows under the header.`);
  const columns: Array<[string, string]> = [[options.textColumn, '--text-column']];
  if (options.labelColumn !== undefined) columns.push([options.labelColumn, '--label-column']);
  for (const [column, flag] of columns) {
    if (!(column in first.values)) {
      throw new RightsizeError(
        'invalid_input',
        `${options.path} has no column "${column}" (found: ${Object.keys(first.values).join(', ')}); name the right one with ${flag}.`,
      );
    }
  }
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const rows: ReplayRow[] = [];
  for (const record of records) {
    if (rows.length >= limit) break;
    const text = cell(record.values[options.textColumn]);
    if (text.trim() === '') {
      throw new RightsizeError(
        'invalid_input',
        `${options.path} line ${record.line}: column "${options.textColumn}" is empty; fill it in or remove the row.`,
      );
    }
    const label = options.labelColumn === undefined ? '' : cell(record.values[options.labelColumn]).trim();
    rows.push(label === '' ? { text } : { text, label });
  }
  return rows;
}

interface RawRecord {
  /** 1-based line number in the file. */
  line: number;
  values: Record<string, unknown>;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : String(value);
}

function parseCsv(path: string, content: string): RawRecord[] {
  try {
    const parsed = parse(content, { columns: true, bom: true, skip_empty_lines: true, info: true }) as Array<{
      record: Record<string, string>;
      info: { lines: number };
    }>;
    return parsed.map((entry) => ({ line: entry.info.lines, values: entry.record }));
  } catch (cause) {
    const line = (cause as { lines?: number }).lines;
    throw new RightsizeError(
      'invalid_input',
      `${path}${line === undefined ? '' : ` line ${line}`} is not valid CSV (${(cause as Error).message}); quote fields that hold commas or quotes.`,
      { cause },
    );
  }
}

function parseJsonLines(path: string, content: string): RawRecord[] {
  const records: RawRecord[] = [];
  const lines = content.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw new RightsizeError(
        'invalid_input',
        `${path} line ${index + 1} is not valid JSON; write one object a line.`,
        {
          cause,
        },
      );
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new RightsizeError(
        'invalid_input',
        `${path} line ${index + 1} is not a JSON object; write one object a line.`,
      );
    }
    records.push({ line: index + 1, values: value as Record<string, unknown> });
  }
  return records;
}
