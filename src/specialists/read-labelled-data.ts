import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { RightsizeError } from '../errors/rightsize-error.ts';

/** One labelled example. */
export interface LabelledRow {
  text: string;
  label: string;
}

/** Where to read labelled rows from. */
export interface ReadLabelledDataOptions {
  /** A `.csv` file with a header row, or a `.jsonl` / `.ndjson` file of one JSON object a line. */
  path: string;
  /** Column (CSV) or field (JSONL) holding the text. @default 'text' */
  textColumn?: string;
  /** Column or field holding the label. @default 'label' */
  labelColumn?: string;
  /** Require at least two distinct labels (training); evaluation data may hold one. @default true */
  requireTwoLabels?: boolean;
}

/** The rows of a labelled file, with the SHA-256 of the file's bytes. */
export interface LabelledData {
  rows: LabelledRow[];
  /** SHA-256 hex of the file's bytes. */
  fileHash: string;
  labels: string[];
}

/**
 * Reads a labelled CSV or JSONL file (UTF-8, CSV comma-separated), checking it at the edge: one
 * column named for both text and label, an unreadable file, a file that is UTF-16 or not valid UTF-8
 * (e.g. Latin-1, whose accented letters would reach the labels as U+FFFD), a CSV delimited by
 * semicolons or tabs, a missing column, an empty text or label, or a single label throws
 * `RightsizeError('invalid_input')` with a message naming the file, the row (1-based line number) or
 * column, and the fix.
 */
export function readLabelledData(options: ReadLabelledDataOptions): LabelledData {
  const textColumn = options.textColumn ?? 'text';
  const labelColumn = options.labelColumn ?? 'label';
  if (textColumn === labelColumn) {
    // Every text would be its own label: nothing to learn, and the errors further on would not say why.
    throw new RightsizeError(
      'invalid_input',
      `the text and the label are both read from column "${textColumn}": pass the label's column with --label-column (or the text's with --text-column)`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(options.path);
  } catch (error) {
    throw new RightsizeError(
      'invalid_input',
      `cannot read data file ${options.path} (${(error as NodeJS.ErrnoException).code ?? 'error'}): check the path given with --data`,
      { cause: error },
    );
  }
  const fileHash = createHash('sha256').update(bytes).digest('hex');
  const content = decodeUtf8(options.path, bytes);
  const isJsonLines = /\.(jsonl|ndjson)$/i.test(options.path);
  if (!isJsonLines) checkCommaSeparated(options.path, content);
  const records = isJsonLines ? parseJsonLines(options.path, content) : parseCsv(options.path, content);
  if (records.length === 0) {
    throw new RightsizeError('invalid_input', `${options.path} holds no data rows: add labelled rows under the header`);
  }
  for (const column of [textColumn, labelColumn]) {
    const first = records[0];
    if (first && !(column in first.values)) {
      const flag = column === textColumn ? '--text-column' : '--label-column';
      throw new RightsizeError(
        'invalid_input',
        `${options.path} has no column "${column}" (found: ${Object.keys(first.values).join(', ')}): pass the right name with ${flag}`,
      );
    }
  }
  const rows: LabelledRow[] = [];
  for (const record of records) {
    const text = cell(record.values[textColumn]).trim();
    const label = cell(record.values[labelColumn]).trim();
    if (text === '' || label === '') {
      const column = text === '' ? textColumn : labelColumn;
      throw new RightsizeError(
        'invalid_input',
        `${options.path} line ${record.line}: column "${column}" is empty: fill it in or remove the row`,
      );
    }
    rows.push({ text, label });
  }
  const labels = [...new Set(rows.map((row) => row.label))].sort();
  if ((options.requireTwoLabels ?? true) && labels.length < 2) {
    throw new RightsizeError(
      'invalid_input',
      `${options.path} column "${labelColumn}" holds one label only (${labels[0]}): a classifier needs at least two; check --label-column`,
    );
  }
  return { rows, fileHash, labels };
}

/**
 * The file's text, from UTF-8 bytes (a UTF-8 BOM is left for the parser).
 * @throws RightsizeError `invalid_input` for a UTF-16 file (a UTF-16 BOM, or NUL bytes, which text
 *   files do not hold) and for bytes that are not UTF-8, naming the first such line.
 */
function decodeUtf8(path: string, bytes: Buffer): string {
  const utf16Bom = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (utf16Bom || bytes.includes(0)) {
    throw new RightsizeError(
      'invalid_input',
      `${path} looks UTF-16 encoded (${utf16Bom ? 'it starts with a UTF-16 byte order mark' : 'it holds NUL bytes'}): save it as UTF-8`,
    );
  }
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    return strict.decode(bytes);
  } catch {
    // Find the line, so the user can see which text is affected.
    let start = 0;
    for (let line = 1; start <= bytes.length; line++) {
      const end = bytes.indexOf(0x0a, start);
      const stop = end === -1 ? bytes.length : end;
      try {
        strict.decode(bytes.subarray(start, stop));
      } catch {
        throw new RightsizeError(
          'invalid_input',
          `${path} line ${line} is not valid UTF-8 (Latin-1 or Windows-1252, perhaps; its accented letters would be garbled): save it as UTF-8`,
        );
      }
      start = stop + 1;
    }
    throw new RightsizeError('invalid_input', `${path} is not valid UTF-8: save it as UTF-8`);
  }
}

/**
 * Refuses a CSV whose header line has no comma but a semicolon or a tab: parsed as comma-separated,
 * it would be one column, or rows with "too many fields".
 */
function checkCommaSeparated(path: string, content: string): void {
  const header = content.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  if (header.includes(',')) return;
  const delimiter = header.includes(';') ? 'semicolon' : header.includes('\t') ? 'tab' : undefined;
  if (delimiter === undefined) return;
  throw new RightsizeError(
    'invalid_input',
    `${path} looks ${delimiter}-delimited (its header line has ${delimiter}s and no comma): Rightsize reads comma-separated CSV (or JSONL); save it as comma-separated CSV`,
  );
}

interface RawRecord {
  line: number;
  values: Record<string, unknown>;
}

function cell(value: unknown): string {
  if (value == null) return '';
  return typeof value === 'string' ? value : String(value);
}

function parseCsv(path: string, content: string): RawRecord[] {
  try {
    const parsed = parse(content, {
      columns: true,
      bom: true,
      skip_empty_lines: true,
      trim: false,
      info: true,
    }) as Array<{ record: Record<string, string>; info: { lines: number } }>;
    return parsed.map((entry) => ({ line: entry.info.lines, values: entry.record }));
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new RightsizeError(
      'invalid_input',
      `${path}${line === undefined ? '' : ` line ${line}`} is not valid CSV (${(error as Error).message}): quote fields that hold commas or quotes`,
      { cause: error },
    );
  }
}

function parseJsonLines(path: string, content: string): RawRecord[] {
  const records: RawRecord[] = [];
  const lines = content.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]?.trim() ?? '';
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new RightsizeError(
        'invalid_input',
        `${path} line ${index + 1} is not valid JSON: write one JSON object per line`,
        { cause: error },
      );
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new RightsizeError(
        'invalid_input',
        `${path} line ${index + 1} is not a JSON object: write one object per line`,
      );
    }
    records.push({ line: index + 1, values: value as Record<string, unknown> });
  }
  return records;
}

/** SHA-256 hex of rows (text and label, in order), for the metadata of a training. */
export function hashRows(rows: readonly LabelledRow[]): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(row.text).update('\u0000').update(row.label).update('\u0001');
  return hash.digest('hex');
}
