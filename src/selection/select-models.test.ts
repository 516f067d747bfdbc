import { describe, expect, it } from 'vitest';
import type { ModelEntryInput } from '../catalog/catalog.ts';
import { createCatalog } from '../catalog/create-catalog.ts';
import { isRightsizeError } from '../errors/rightsize-error.ts';
import { selectModels } from './select-models.ts';
import type { DeploymentProfileInput, RequirementsInput, SelectionResult, TaskProfileInput } from './selection.ts';

/** A fixed catalog, so that the expectations do not move with built-in prices. */
const FIXTURE: ModelEntryInput[] = [
  {
    id: 'big',
    provider: 'openai',
    class: 'llm',
    inputModalities: ['text'],
    contextWindow: 128_000,
    prices: { inputPerMillionUsd: 2, outputPerMillionUsd: 8 },
    latency: { ttftMs: 500, outputTokensPerSecond: 100 },
    capabilities: { tools: true },
    quality: { mmlu: { accuracy: 0.9, source: 'fixture' } },
  },
  {
    id: 'mini',
    provider: 'openai',
    class: 'llm',
    inputModalities: ['text', 'image'],
    contextWindow: 128_000,
    prices: { inputPerMillionUsd: 0.15, outputPerMillionUsd: 0.6 },
    latency: { ttftMs: 300, outputTokensPerSecond: 100 },
    capabilities: { tools: true },
    quality: { mmlu: { accuracy: 0.82, source: 'fixture' }, tickets: { accuracy: 0.95, source: 'fixture eval' } },
  },
  {
    id: 'thinker',
    provider: 'openai',
    capabilities: { reasoning: true, tools: true },
    contextWindow: 200_000,
    prices: { inputPerMillionUsd: 2, outputPerMillionUsd: 8 },
    latency: { ttftMs: 1000, outputTokensPerSecond: 50 },
    hiddenReasoningTokens: 1000,
    quality: { mmlu: { accuracy: 0.93, source: 'fixture' } },
  },
  {
    id: 'local-8b',
    provider: 'local',
    parameters: 8e9,
    contextWindow: 8_192,
    prices: { inputPerMillionUsd: 0.05, outputPerMillionUsd: 0.1 },
    latency: { ttftMs: 40, outputTokensPerSecond: 100 },
    capabilities: { tools: true },
    quality: { mmlu: { accuracy: 0.7, source: 'fixture' } },
  },
  {
    id: 'tiny-edge',
    provider: 'local',
    parameters: 0.5e9,
    deployments: ['on-prem', 'edge'],
    contextWindow: 2_048,
    prices: { inputPerMillionUsd: 0.01, outputPerMillionUsd: 0.02 },
    latency: { ttftMs: 10, outputTokensPerSecond: 200 },
  },
  {
    id: 'local-vision',
    provider: 'local',
    parameters: 7e9,
    inputModalities: ['text', 'image'],
    contextWindow: 32_000,
    prices: { inputPerMillionUsd: 0.05, outputPerMillionUsd: 0.1 },
    latency: { ttftMs: 100, outputTokensPerSecond: 50 },
  },
  {
    id: 'specialist/tickets',
    provider: 'specialist',
    scope: 'single-task',
    taskFamilies: ['tickets'],
    parameters: 10e6,
    contextWindow: 8_192,
    prices: { perCallUsd: 0.000001 },
    latency: { ttftMs: 0.05, outputTokensPerSecond: 1e6 },
    quality: { tickets: { accuracy: 0.91, source: 'fixture eval' } },
  },
  {
    id: 'human',
    provider: 'human',
    inputModalities: ['text', 'image', 'audio'],
    contextWindow: 100_000,
    prices: { perCallUsd: 5 },
    latency: { ttftMs: 600_000, outputTokensPerSecond: 5 },
  },
  { id: 'unpriced', provider: 'together', parameters: 70e9, contextWindow: 32_000 },
];
const catalog = createCatalog([], FIXTURE);

function select(
  profile: TaskProfileInput,
  requirements: RequirementsInput = {},
  deployment: DeploymentProfileInput = {},
): SelectionResult {
  return selectModels(profile, { tokensIn: 1000, tokensOut: 100, ...requirements }, deployment, catalog);
}
const ids = (result: SelectionResult) => result.ranked.map((model) => model.id);
const excludedBy = (result: SelectionResult, id: string) => result.excluded.find((model) => model.id === id);

describe('step 1: the task favours a class', () => {
  const cases: Array<{ name: string; profile: TaskProfileInput; first: string; favoured: string }> = [
    {
      name: 'repetitive and domain-specific -> slm',
      profile: { task: 'repetitive', domainSpecific: true, taskFamily: 'tickets' },
      first: 'specialist/tickets',
      favoured: 'step 1: repetitive, domain-specific task favours slm',
    },
    { name: 'varied -> llm', profile: { task: 'varied' }, first: 'mini', favoured: 'step 1: varied task favours llm' },
    {
      name: 'high-stakes -> reasoning',
      profile: { task: 'varied', highStakes: true },
      first: 'thinker',
      favoured: 'step 1: high-stakes task favours reasoning',
    },
    {
      name: 'image -> multimodal',
      profile: { task: 'varied', modalities: ['text', 'image'] },
      first: 'local-vision',
      favoured: 'step 1: image input favours multimodal',
    },
  ];
  it.each(cases)('$name', ({ profile, first, favoured }) => {
    const result = select(profile);
    expect(result.ranked[0]?.id).toBe(first);
    expect(result.ranked[0]?.favouredBy).toContain(favoured);
  });
});

describe('hard constraints exclude, whatever else', () => {
  const cases: Array<{
    name: string;
    profile: TaskProfileInput;
    requirements?: RequirementsInput;
    deployment?: DeploymentProfileInput;
    model: string;
    constraint: string;
    step: number;
  }> = [
    {
      name: 'image input never to a text-only model',
      profile: { task: 'varied', modalities: ['text', 'image'] },
      model: 'big',
      constraint: 'modality',
      step: 1,
    },
    {
      name: 'audio input never to an image-only model',
      profile: { task: 'varied', modalities: ['audio'] },
      model: 'mini',
      constraint: 'modality',
      step: 1,
    },
    {
      name: 'tools only to models with tools',
      profile: { task: 'varied', tools: true },
      model: 'tiny-edge',
      constraint: 'tools',
      step: 1,
    },
    {
      name: 'a long prompt never to a short context',
      profile: { task: 'varied' },
      requirements: { tokensIn: 3000 },
      model: 'tiny-edge',
      constraint: 'context',
      step: 2,
    },
    {
      name: 'a single-task model never for a varied task',
      profile: { task: 'varied' },
      model: 'specialist/tickets',
      constraint: 'versatility',
      step: 2,
    },
    {
      name: 'a specialist trained for another family',
      profile: { task: 'repetitive', domainSpecific: true, taskFamily: 'invoices' },
      model: 'specialist/tickets',
      constraint: 'versatility',
      step: 2,
    },
    {
      name: 'on-prem never reaches a cloud provider',
      profile: { task: 'varied' },
      deployment: { target: 'on-prem' },
      model: 'mini',
      constraint: 'deployment',
      step: 3,
    },
    {
      name: 'edge only in process or on device',
      profile: { task: 'varied' },
      deployment: { target: 'edge' },
      model: 'local-8b',
      constraint: 'deployment',
      step: 3,
    },
    {
      name: 'hybrid with sensitive data stays local',
      profile: { task: 'varied' },
      deployment: { target: 'hybrid', sensitiveData: true },
      model: 'big',
      constraint: 'deployment',
      step: 3,
    },
  ];
  it.each(cases)('$name', ({ profile, requirements, deployment, model, constraint, step }) => {
    const result = select(profile, requirements, deployment);
    expect(ids(result)).not.toContain(model);
    expect(excludedBy(result, model)).toMatchObject({ constraint, step });
  });

  it('hybrid without sensitive data may use the cloud', () => {
    expect(ids(select({ task: 'varied' }, {}, { target: 'hybrid' }))).toContain('big');
  });

  it('on-prem keeps local models and the in-house reviewer, nothing else', () => {
    expect(ids(select({ task: 'varied' }, {}, { target: 'on-prem' })).sort()).toEqual([
      'human',
      'local-8b',
      'local-vision',
      'tiny-edge',
    ]);
  });

  it('edge keeps only models that run on device', () => {
    expect(ids(select({ task: 'repetitive', domainSpecific: true }, {}, { target: 'edge' })).sort()).toEqual([
      'specialist/tickets',
      'tiny-edge',
    ]);
  });
});

describe('step 2: requirements', () => {
  it('a latency budget excludes slow models and says by how much', () => {
    const result = select({ task: 'varied' }, { maxLatencyMs: 100, tokensOut: 5 });
    expect(ids(result).sort()).toEqual(['local-8b', 'tiny-edge']);
    // 300 ms TTFT + 5 tokens at 100 tokens/s = 350 ms.
    expect(excludedBy(result, 'mini')?.reason).toBe('step 2: expected 350 ms exceeds the 100 ms budget');
    expect(result.favours.map((favour) => favour.reason)).toContain('step 2: 100 ms budget favours slm');
  });

  it('projects cost per request and per month from tokens and prices', () => {
    const result = select({ task: 'varied', volumePerDay: 100_000 });
    const mini = result.ranked.find((model) => model.id === 'mini');
    // 1000 x 0.15/1M + 100 x 0.6/1M = 0.00021
    expect(mini?.costPerRequestUsd).toBeCloseTo(0.00021, 10);
    expect(mini?.costPerMonthUsd).toBeCloseTo(0.00021 * 100_000 * 30, 6);
    // Hidden reasoning tokens are billed as output: 1000 x 2/1M + 1100 x 8/1M = 0.0108
    expect(result.ranked.find((model) => model.id === 'thinker')?.costPerRequestUsd).toBeCloseTo(0.0108, 10);
    expect(result.ranked.find((model) => model.id === 'unpriced')?.costPerRequestUsd).toBeUndefined();
  });

  it('a cost ceiling excludes dear and unpriced models', () => {
    const result = select({ task: 'varied' }, { maxCostUsd: 0.001 });
    expect(excludedBy(result, 'big')).toMatchObject({ constraint: 'cost' });
    expect(excludedBy(result, 'unpriced')).toMatchObject({ constraint: 'unpriced' });
    expect(ids(result)).toContain('mini');
  });

  it('uses measured accuracy for a named task family, else an estimate marked as such', () => {
    const measured = select({ task: 'repetitive', domainSpecific: true, taskFamily: 'tickets' });
    expect(measured.ranked.find((model) => model.id === 'mini')?.accuracy).toMatchObject({
      accuracy: 0.95,
      estimated: false,
    });
    const estimated = select({ task: 'varied' });
    expect(estimated.ranked.find((model) => model.id === 'mini')?.accuracy).toMatchObject({
      accuracy: 0.82,
      estimated: true,
    });
    expect(estimated.ranked.find((model) => model.id === 'human')?.accuracy.basis).toContain('prior');
  });

  it('an accuracy floor admits a small model only when its measured accuracy clears it', () => {
    const result = select({ task: 'repetitive', domainSpecific: true, taskFamily: 'tickets' }, { minAccuracy: 0.93 });
    // thinker's 0.93 is an MMLU proxy that just clears the floor; big's 0.9 does not.
    expect(ids(result)).toEqual(['mini', 'thinker', 'human']);
    expect(excludedBy(result, 'specialist/tickets')?.reason).toBe(
      'step 2: expected accuracy 0.91 is below the 0.93 floor',
    );
  });
});

describe('when nothing fits', () => {
  it('says which requirement to relax and by how much', () => {
    const strict = select({ task: 'varied' }, { maxCostUsd: 0.00001, maxLatencyMs: 50, tokensOut: 5 });
    expect(strict.ranked).toEqual([]);
    // tiny-edge: 1000 x 0.01/1M + 5 x 0.02/1M = 0.0000101 > 0.00001, in 10 + 25 = 35 ms.
    expect(strict.relaxations[0]?.message).toBe('raise --max-cost-usd to 0.000011 to admit tiny-edge');
    expect(strict.relaxations[0]?.changes[0]).toMatchObject({ requirement: 'maxCostUsd', from: 0.00001, to: 0.000011 });
    // local-8b needs two changes: 40 + 50 = 90 ms > 50 ms and $0.0000505 > $0.00001.
    expect(strict.relaxations.map((relaxation) => relaxation.admits)).toContain('local-8b');
    expect(strict.summary).toBe('no model fits; raise --max-cost-usd to 0.000011 to admit tiny-edge');
  });

  it('never suggests relaxing a hard constraint', () => {
    const result = select({ task: 'varied', modalities: ['audio'] }, { maxLatencyMs: 100 }, { target: 'edge' });
    expect(result.ranked).toEqual([]);
    expect(result.relaxations).toEqual([]);
    expect(result.summary).toContain('hard constraint');
  });
});

describe('output', () => {
  it('lists every model once, feasible or excluded', () => {
    const result = select({ task: 'varied' }, { maxLatencyMs: 1000 }, { target: 'on-prem' });
    expect(result.ranked.length + result.excluded.length).toBe(FIXTURE.length);
  });

  it('keeps the cost/latency/accuracy Pareto frontier', () => {
    const result = select({ task: 'varied' });
    // tiny-edge is cheapest and fastest; big is beaten by thinker on accuracy only at a higher cost.
    expect(result.paretoFrontier).toContain('tiny-edge');
    expect(result.paretoFrontier).toContain('thinker');
    expect(result.paretoFrontier).not.toContain('unpriced');
    // local-8b: dearer and slower than tiny-edge but more accurate (0.7 > 0.45) -> on the frontier.
    expect(result.paretoFrontier).toContain('local-8b');
    // big (0.9, $0.0028, 1500 ms) vs thinker (0.93, $0.0108, 23000 ms): neither dominates.
    expect(result.paretoFrontier).toContain('big');
  });

  it('rejects bad input with invalid_request naming the field', () => {
    try {
      select({ task: 'varied' }, { minAccuracy: 1.5 });
      expect.unreachable();
    } catch (error) {
      expect(isRightsizeError(error, 'invalid_request')).toBe(true);
      expect((error as Error).message).toMatch(/^requirements\.minAccuracy:/);
    }
  });
});

describe('built-in catalog seed scenarios', () => {
  const builtin = createCatalog();

  it('support tickets at 100k/day under 100 ms and $0.001: a specialist or a tiny local model', () => {
    const result = selectModels(
      { task: 'repetitive', domainSpecific: true, volumePerDay: 100_000 },
      { maxLatencyMs: 100, maxCostUsd: 0.001, tokensIn: 200, tokensOut: 10 },
      { target: 'cloud' },
      builtin,
    );
    expect(result.ranked[0]?.class).toBe('slm');
    expect(result.ranked.every((model) => (model.latencyMs ?? Infinity) <= 100)).toBe(true);
    expect(excludedBy(result, 'gpt-4o')?.constraint).toBe('latency');
  });

  it('an image question on-prem never gets a cloud model and always one that sees images', () => {
    const result = selectModels({ task: 'varied', modalities: ['text', 'image'] }, {}, { target: 'on-prem' }, builtin);
    expect(result.ranked.length).toBeGreaterThan(0);
    for (const model of result.ranked) {
      expect(model.provider).not.toMatch(/openai|anthropic|google|together/);
      expect(builtin.get(model.id)?.inputModalities).toContain('image');
    }
  });
});
