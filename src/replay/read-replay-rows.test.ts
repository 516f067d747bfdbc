import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReplayRows } from './read-replay-rows.ts';

describe('readReplayRows', () => {
  const folder = mkdtempSync(join(tmpdir(), 'rightsize-rows-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(folder, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads CSV with quoted commas, keeps empty labels out, and stops at the limit', () => {
    const path = file('a.csv', 'text,category\n"card, please",card_arrival\nno label here,\nthird,refund\n');
    expect(readReplayRows({ path, textColumn: 'text', labelColumn: 'category' })).toEqual([
      { text: 'card, please', label: 'card_arrival' },
      { text: 'no label here' },
      { text: 'third', label: 'refund' },
    ]);
    expect(readReplayRows({ path, textColumn: 'text', limit: 1 })).toEqual([{ text: 'card, please' }]);
  });

  it('reads JSONL, numbers as text', () => {
    const path = file('a.jsonl', '{"q":"where is my card","y":"card_arrival"}\n\n{"q":"refund","y":7}\n');
    expect(readReplayRows({ path, textColumn: 'q', labelColumn: 'y' })).toEqual([
      { text: 'where is my card', label: 'card_arrival' },
      { text: 'refund', label: '7' },
    ]);
  });

  it('names the file, line or column, and the fix', () => {
    const csv = file('b.csv', 'text,category\nhello,a\n,b\n');
    expect(() => readReplayRows({ path: csv, textColumn: 'body', labelColumn: 'category' })).toThrow(
      /has no column "body" \(found: text, category\); name the right one with --text-column/,
    );
    expect(() => readReplayRows({ path: csv, textColumn: 'text', labelColumn: 'label' })).toThrow(/--label-column/);
    expect(() => readReplayRows({ path: csv, textColumn: 'text' })).toThrow(/line 3: column "text" is empty/);
    const jsonl = file('c.jsonl', '{"text":"a"}\nnot json\n');
    expect(() => readReplayRows({ path: jsonl, textColumn: 'text' })).toThrow(/line 2 is not valid JSON/);
    expect(() => readReplayRows({ path: join(folder, 'none.csv'), textColumn: 'text' })).toThrow(
      /Cannot read .*none\.csv \(ENOENT\); check the --data path/,
    );
  });
});
