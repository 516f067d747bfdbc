import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRightsizeError } from '../errors/rightsize-error.ts';
import { readLabelledData } from './read-labelled-data.ts';

const folder = mkdtempSync(join(tmpdir(), 'rightsize-data-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function file(name: string, content: string): string {
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
});
