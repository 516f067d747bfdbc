import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRightsizeError } from '../errors/rightsize-error.ts';
import { readLabelledData } from './read-labelled-data.ts';

const folder = mkdtempSync(join(tmpdir(), 'rightsize-data-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

function failure(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isRightsizeError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a RightsizeError');
}

describe('readLabelledData', () => {
  it('reads CSV with quoted commas, CRLF and a BOM, and hashes the file', () => {
    const path = file('ok.csv', '\uFEFFtext,category\r\n"Hello, my card?",card\r\nrefund please,refund\r\n\r\n');
    const data = readLabelledData({ path, labelColumn: 'category' });
    expect(data.rows).toEqual([
      { text: 'Hello, my card?', label: 'card' },
      { text: 'refund please', label: 'refund' },
    ]);
    expect(data.labels).toEqual(['card', 'refund']);
    expect(data.fileHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads JSONL', () => {
    const path = file('ok.jsonl', '{"q":"where is my card","y":"card"}\n\n{"q":"refund","y":"refund"}\n');
    const data = readLabelledData({ path, textColumn: 'q', labelColumn: 'y' });
    expect(data.rows.map((row) => row.label)).toEqual(['card', 'refund']);
  });

  it('names the missing column, the columns found, and the flag to pass', () => {
    const path = file('columns.csv', 'text,category\nhello,a\nbye,b\n');
    const error = failure(() => readLabelledData({ path, labelColumn: 'intent' }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('no column "intent"');
    expect(error.message).toContain('found: text, category');
    expect(error.message).toContain('--label-column');
  });

  it('refuses one column for both the text and the label', () => {
    const path = file('same.csv', 'text,category\nhello,a\nbye,b\n');
    const error = failure(() => readLabelledData({ path, textColumn: 'category', labelColumn: 'category' }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe(
      'the text and the label are both read from column "category": pass the label\'s column with --label-column (or the text\'s with --text-column)',
    );
  });

  it('names the line of an empty text or label', () => {
    const path = file('empty.csv', 'text,label\nhello,a\n   ,b\nbye,b\n');
    const error = failure(() => readLabelledData({ path }));
    expect(error.message).toContain('line 3');
    expect(error.message).toContain('column "text" is empty');
  });

  it('refuses a single label for training, and allows it for evaluation', () => {
    const path = file('one.csv', 'text,label\nhello,a\nbye,a\n');
    expect(failure(() => readLabelledData({ path })).message).toContain('one label only');
    expect(readLabelledData({ path, requireTwoLabels: false }).rows).toHaveLength(2);
  });

  it('explains unreadable files, bad JSON lines and empty files', () => {
    expect(failure(() => readLabelledData({ path: join(folder, 'nope.csv') })).message).toContain(
      'cannot read data file',
    );
    const bad = file('bad.jsonl', '{"text":"a","label":"x"}\n{not json}\n');
    expect(failure(() => readLabelledData({ path: bad })).message).toContain('line 2 is not valid JSON');
    const empty = file('header-only.csv', 'text,label\n');
    expect(failure(() => readLabelledData({ path: empty })).message).toContain('no data rows');
  });

  it('says a UTF-16 file is UTF-16, with or without a byte order mark', () => {
    const text = 'text,label\nwhere is my card,card\nrefund please,refund\n';
    const little = file('utf16le.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(failure(() => readLabelledData({ path: little })).message).toBe(
      `${little} looks UTF-16 encoded (it starts with a UTF-16 byte order mark): save it as UTF-8`,
    );
    const big = file('utf16be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
    expect(failure(() => readLabelledData({ path: big })).message).toContain('looks UTF-16 encoded (it starts with');
    const noMark = file('utf16-no-bom.csv', Buffer.from(text, 'utf16le'));
    expect(failure(() => readLabelledData({ path: noMark })).message).toBe(
      `${noMark} looks UTF-16 encoded (it holds NUL bytes): save it as UTF-8`,
    );
    const jsonl = file('utf16.jsonl', Buffer.from('{"text":"a","label":"b"}\n', 'utf16le'));
    const message = failure(() => readLabelledData({ path: jsonl })).message;
    expect(message).toContain('looks UTF-16 encoded');
    expect(message).not.toContain('\u0000');
  });

  it('names the first line that is not UTF-8 (a Latin-1 file) instead of garbling its labels', () => {
    const path = file(
      'latin1.csv',
      Buffer.from('text,label\nwhere is my card,card\nmon relevé est faux,relevé\n', 'latin1'),
    );
    expect(failure(() => readLabelledData({ path })).message).toBe(
      `${path} line 3 is not valid UTF-8 (Latin-1 or Windows-1252, perhaps; its accented letters would be garbled): save it as UTF-8`,
    );
    // The same text in UTF-8 is read, accents and all.
    const utf8 = file('utf8.csv', 'text,label\nwhere is my card,card\nmon relevé est faux,relevé\n');
    expect(readLabelledData({ path: utf8 }).labels).toEqual(['card', 'relevé']);
  });

  it('says a semicolon- or tab-delimited file is not comma-separated', () => {
    const semicolons = file('semi.csv', 'text;label\n"hello, my card?";card\nrefund please;refund\n');
    expect(failure(() => readLabelledData({ path: semicolons })).message).toBe(
      `${semicolons} looks semicolon-delimited (its header line has semicolons and no comma): Rightsize reads comma-separated CSV (or JSONL); save it as comma-separated CSV`,
    );
    const tabs = file('tabs.csv', '\uFEFFtext\tlabel\nhello\tcard\nrefund\trefund\n');
    expect(failure(() => readLabelledData({ path: tabs })).message).toContain('looks tab-delimited');
    // A comma in the header line means comma-separated, semicolons in the texts notwithstanding.
    const commas = file('commas.csv', 'text,label\nhello; my card?,card\nrefund,refund\n');
    expect(readLabelledData({ path: commas }).rows).toHaveLength(2);
  });
});
