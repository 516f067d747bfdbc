import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerRouterCommand } from './router.ts';

const folder = mkdtempSync(join(tmpdir(), 'rightsize router errors '));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Runs `rightsize ...args` in process and returns the message it failed with. */
async function failure(args: string[]): Promise<string> {
  const program = new Command('rightsize').exitOverride();
  registerRouterCommand(program);
  try {
    await program.parseAsync(['node', 'rightsize', ...args]);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the command to fail');
}

describe('rightsize router: files that are not what they should be', () => {
  const sub = join(folder, 'with space');
  mkdirSync(sub, { recursive: true });
  const data = join(sub, 'sub.jsonl');
  const lines = '{"prompt":"What is 1+1?","weak_answer":"2","weak_correct":1,"strong_correct":1}\n';
  writeFileSync(data, lines);

  it('score --model on a data file says it is not a router and suggests a fresh --out, quoted', async () => {
    const message = await failure(['router', 'score', '--model', data, '--prompt', 'hi']);
    expect(message).toMatch(/^'.*with space\/sub\.jsonl' is not a router file \(rightsize-weak-strong-router\/1\)/);
    expect(message).toContain('it holds a JSON object with fields prompt, weak_answer, weak_correct, strong_correct;');
    expect(message).toContain('--out .rightsize/routers/cascade-gsm8k.json`');
    expect(message).not.toContain('cannot read router file');
    expect(message).not.toContain(`--out ${data}`);
  });

  it('train --out naming an existing file that is not a router refuses, and leaves it alone', async () => {
    const message = await failure(['router', 'train', '--kind', 'pre', '--data', data, '--out', data]);
    expect(message).toBe(
      `--out '${data}' exists and is not a router file: choose a fresh path (e.g. .rightsize/routers/NAME.json), or remove that file first`,
    );
    expect(readFileSync(data, 'utf8')).toBe(lines);
  });

  it('train --kind cascade on a CSV with other columns names the columns needed and found', async () => {
    const csv = join(folder, 'wrong.csv');
    writeFileSync(csv, 'question,reply\nWhat is 1+1?,2\n');
    expect(await failure(['router', 'train', '--kind', 'cascade', '--data', csv])).toBe(
      `${csv} row 1 has no prompt, no weak_quality or weak_correct, no strong_quality or strong_correct (found: question, reply): an outcome file needs the columns prompt, weak_quality (or weak_correct) and strong_quality (or strong_correct), plus weak_answer for --kind cascade`,
    );
  });
});
