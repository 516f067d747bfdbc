import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SelectionResult } from '../../selection/selection.ts';
import { registerSelectCommand } from './select.ts';

const folder = mkdtempSync(join(tmpdir(), 'rightsize-select-'));
const config = join(folder, 'rightsize.yaml');
// A config model overrides nothing built in and joins the catalog.
writeFileSync(
  config,
  'models:\n  - id: my-edge-model\n    provider: local\n    parameters: 300000000\n    deployments: [edge]\n    contextWindow: 2048\n    prices: { perCallUsd: 0.0000001 }\n    latency: { ttftMs: 1, outputTokensPerSecond: 500 }\n',
);

// A specialist of a config trained for a family of its own: that family becomes known.
const familyConfig = join(folder, 'families.yaml');
writeFileSync(
  familyConfig,
  'models:\n  - id: my-ticket-specialist\n    provider: local\n    scope: single-task\n    taskFamilies: [tickets]\n    parameters: 300000000\n    deployments: [edge]\n    contextWindow: 2048\n    prices: { perCallUsd: 0.0000001 }\n    latency: { ttftMs: 1, outputTokensPerSecond: 500 }\n',
);

/** Runs `rightsize select --config CONFIG ...args` in this process; what it printed. */
async function run(args: string[], configPath = config): Promise<string> {
  const program = new Command().exitOverride();
  registerSelectCommand(program);
  let output = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    output += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'rightsize', 'select', '--config', configPath, ...args]);
  } finally {
    write.mockRestore();
  }
  return output;
}

afterEach(() => vi.restoreAllMocks());

describe('rightsize select', () => {
  it('prints JSON with the config models in the catalog', async () => {
    const result = JSON.parse(
      await run([
        '--task',
        'repetitive',
        '--domain-specific',
        '--deployment',
        'edge',
        '--tokens-in',
        '100',
        '--tokens-out',
        '5',
        '--json',
      ]),
    ) as SelectionResult;
    expect(result.deployment.target).toBe('edge');
    expect(result.ranked.map((model) => model.id)).toContain('my-edge-model');
    expect(result.ranked.every((model) => model.deployment === 'edge')).toBe(true);
  });

  it('prints tables with the ranking, the frontier and the exclusions', async () => {
    const text = await run(['--task', 'varied', '--modalities', 'text,image', '--deployment', 'on-prem']);
    expect(text).toContain('Feasible models, best first');
    expect(text).toContain('Pareto frontier');
    expect(text).toMatch(/gpt-4o +│ multimodal │ deployment/);
  });

  it('prints what to relax when nothing fits', async () => {
    const text = await run(['--task', 'varied', '--max-cost-usd', '0.00000001', '--max-latency-ms', '5000']);
    expect(text).toContain('To admit a model, relax:');
    expect(text).toMatch(/raise --max-cost-usd to [\d.]+ to admit /);
  });
});

describe('rightsize select --task-family', () => {
  const runFamily = (args: string[]) => run(['--task', 'repetitive', ...args], familyConfig);

  it('refuses a family the catalog has no figures for, naming the known ones', async () => {
    await expect(runFamily(['--task-family', 'nope'])).rejects.toThrow(
      /^--task-family nope: the catalog has no measurements for that task family \(known: .*banking77.*tickets.*\)/,
    );
  });

  it('uses the measured figures for a family written in another case', async () => {
    const result = JSON.parse(await runFamily(['--task-family', 'Banking77', '--json'])) as SelectionResult;
    expect(result.profile.taskFamily).toBe('banking77');
    expect(result.ranked.some((model) => model.accuracy.basis.startsWith('measured on banking77'))).toBe(true);
  });

  it('knows the families of the config models', async () => {
    const result = JSON.parse(await runFamily(['--task-family', 'tickets', '--json'])) as SelectionResult;
    expect(result.ranked.map((model) => model.id)).toContain('my-ticket-specialist');
  });
});
