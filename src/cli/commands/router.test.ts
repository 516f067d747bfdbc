import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerRouterCommand } from './router.ts';

const fixture = fileURLToPath(new URL('../../routing/weak-strong/fixtures/tiny-outcomes.jsonl', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'rightsize-router-cli-'));

async function run(args: string[]): Promise<string> {
  const program = new Command('rightsize').exitOverride();
  registerRouterCommand(program);
  let output = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'rightsize', ...args]);
  } finally {
    spy.mockRestore();
  }
  return output;
}

afterEach(() => vi.restoreAllMocks());

describe('rightsize router', () => {
  it('trains a cascade scorer with a calibrated threshold, then scores an answer', async () => {
    const out = join(folder, 'cascade.json');
    const trained = JSON.parse(
      await run([
        'router',
        'train',
        '--kind',
        'cascade',
        '--data',
        fixture,
        '--out',
        out,
        '--target',
        '1',
        '--folds',
        '5',
        '--json',
      ]),
    );
    expect(trained.kind).toBe('cascade');
    expect(trained.trainedOn).toEqual({ data: 'tiny-outcomes', items: 5, positives: 3 });
    // target = the strong model's quality (0.6): the cascade must escalate at least one strong win
    expect(trained.calibration.quality).toBeGreaterThanOrEqual(0.6 - 1e-12);
    expect(JSON.parse(readFileSync(out, 'utf8')).format).toBe('rightsize-weak-strong-router/1');
    const scored = JSON.parse(
      await run([
        'router',
        'score',
        '--model',
        out,
        '--prompt',
        'What is 2 + 3?',
        '--answer',
        '2 + 3 = 6. #### 6',
        '--json',
      ]),
    );
    expect(scored.acceptProbability).toBeGreaterThan(0);
    expect(scored.acceptProbability).toBeLessThan(1);
  });

  it('trains a pre-router and refuses a cascade score without an answer', async () => {
    const pre = join(folder, 'pre.json');
    await run(['router', 'train', '--kind', 'pre', '--data', fixture, '--out', pre]);
    const scored = JSON.parse(await run(['router', 'score', '--model', pre, '--prompt', 'What is 7 - 2?', '--json']));
    expect(scored.kind).toBe('pre');
    expect(scored.strongWinProbability).toBeGreaterThan(0);
    const cascade = join(folder, 'cascade-2.json');
    await run(['router', 'train', '--kind', 'cascade', '--data', fixture, '--out', cascade]);
    await expect(run(['router', 'score', '--model', cascade, '--prompt', 'x'])).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it.each([
    [['--folds', 'x'], '--folds must be a whole number from 2 to 100, got "x"'],
    [['--folds', '1'], '--folds must be a whole number from 2 to 100, got "1"'],
    [['--seed', '-1'], '--seed must be a whole number of at least 0, got "-1"'],
    [['--target', 'abc'], '--target must be a number above 0 and at most 1, got "abc"'],
    [['--target', '0'], '--target must be a number above 0 and at most 1, got "0"'],
  ])('refuses %j before training', async (flags, message) => {
    const args = ['router', 'train', '--kind', 'cascade', '--data', fixture, '--out', join(folder, 'x.json'), ...flags];
    await expect(run(args)).rejects.toMatchObject({ message: expect.stringContaining(message) });
  });

  it('refuses --target for a pre-router (only cascade scorers have a threshold)', async () => {
    const args = ['router', 'train', '--kind', 'pre', '--data', fixture, '--target', '0.9'];
    await expect(run(args)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('--kind cascade'),
    });
  });

  it('rejects an unknown kind', async () => {
    await expect(run(['router', 'train', '--kind', 'big', '--data', fixture])).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
