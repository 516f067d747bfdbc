import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOutcomeFile } from './load-outcome-file.ts';

const folder = mkdtempSync(join(tmpdir(), 'rightsize-outcomes-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('loadOutcomeFile', () => {
  it('reads a CSV with the columns it needs', () => {
    const path = join(folder, 'ok.csv');
    writeFileSync(path, 'prompt,weak_answer,weak_correct,strong_correct\nWhat is 1+1?,2,true,true\n');
    const set = loadOutcomeFile(path);
    expect(set.items).toEqual([
      { id: 'row-0', prompt: 'What is 1+1?', weakAnswer: '2', weakQuality: 1, strongQuality: 1 },
    ]);
    expect(set.qualityKind).toBe('accuracy');
  });

  it('names the columns it needs and the columns the file has, not a zod message', () => {
    const path = join(folder, 'wrong.csv');
    writeFileSync(path, 'question,answer,ok\nWhat is 1+1?,2,true\n');
    expect(() => loadOutcomeFile(path)).toThrow(
      `${path} row 1 has no prompt, no weak_quality or weak_correct, no strong_quality or strong_correct (found: question, answer, ok): an outcome file needs the columns prompt, weak_quality (or weak_correct) and strong_quality (or strong_correct), plus weak_answer for --kind cascade`,
    );
    const partly = join(folder, 'partly.jsonl');
    writeFileSync(partly, '{"prompt":"a","weak_correct":1,"strong_correct":1}\n{"prompt":"b","weak_correct":0}\n');
    expect(() => loadOutcomeFile(partly)).toThrow(
      `${partly} row 2 has no strong_quality or strong_correct (found: prompt, weak_correct): an outcome file needs`,
    );
  });
});
