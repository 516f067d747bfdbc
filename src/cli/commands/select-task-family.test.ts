import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { SelectionResult } from '../../selection/selection.ts';
import { registerSelectCommand } from './select.ts';

const folder = mkdtempSync(join(tmpdir(), 'rightsize-select-family-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const config = join(folder, 'rightsize.yaml');
// A specialist of the config trained for a family of its own: that family becomes known.
writeFileSync(
  config,
  'models:\n  - id: my-ticket-specialist\n    provider: local\n    scope: single-task\n    taskFamilies: [tickets]\n    parameters: 300000000\n    deployments: [edge]\n    contextWindow: 2048\n    prices: { perCallUsd: 0.0000001 }\n    latency: { ttftMs: 1, outputTokensPerSecond: 500 }\n',
);

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerSelectCommand(program);
  let output = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    output += String(chunk);
    return true;
  });
  await program.parseAsync(['node', 'rightsize', 'select', '--config', config, '--task', 'repetitive', ...args]);
  return output;
}

afterEach(() => vi.restoreAllMocks());

describe('rightsize select --task-family', () => {
  it('refuses a family the catalog has no figures for, naming the known ones', async () => {
    await expect(run(['--task-family', 'nope'])).rejects.toThrow(
      /^--task-family nope: the catalog has no measurements for that task family \(known: .*banking77.*tickets.*\)/,
    );
  });

  it('uses the measured figures for a family written in another case', async () => {
    const result = JSON.parse(await run(['--task-family', 'Banking77', '--json'])) as SelectionResult;
    expect(result.profile.taskFamily).toBe('banking77');
    expect(result.ranked.some((model) => model.accuracy.basis.startsWith('measured on banking77'))).toBe(true);
  });

  it('knows the families of the config models', async () => {
    const result = JSON.parse(await run(['--task-family', 'tickets', '--json'])) as SelectionResult;
    expect(result.ranked.map((model) => model.id)).toContain('my-ticket-specialist');
  });
});
