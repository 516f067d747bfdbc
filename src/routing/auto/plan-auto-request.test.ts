import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelEntryInput } from '../../catalog/catalog.ts';
import { createCatalog } from '../../catalog/create-catalog.ts';
import { isRightsizeError } from '../../errors/rightsize-error.ts';
import type { ChatCompletionRequest } from '../../providers/chat-completion.ts';
import { createOpenAICompatibleProvider } from '../../providers/openai-compatible/create-openai-compatible-provider.ts';
import type { AutoRequirements } from '../../selection/selection-config.ts';
import { type ConfiguredProvider, planAutoRequest } from './plan-auto-request.ts';

const FIXTURE: ModelEntryInput[] = [
  {
    id: 'cloud-big',
    provider: 'openai',
    class: 'llm',
    inputModalities: ['text', 'image'],
    contextWindow: 128_000,
    prices: { inputPerMillionUsd: 2.5, outputPerMillionUsd: 10 },
    latency: { ttftMs: 400, outputTokensPerSecond: 100 },
    capabilities: { tools: true },
    quality: { mmlu: { accuracy: 0.88, source: 'fixture' } },
  },
  {
    id: 'cloud-mini',
    provider: 'openai',
    class: 'llm',
    contextWindow: 128_000,
    prices: { inputPerMillionUsd: 0.15, outputPerMillionUsd: 0.6 },
    latency: { ttftMs: 300, outputTokensPerSecond: 100 },
    capabilities: { tools: true },
    quality: { mmlu: { accuracy: 0.82, source: 'fixture' } },
  },
  {
    id: 'local-small',
    provider: 'local',
    parameters: 1e9,
    contextWindow: 4_096,
    prices: { inputPerMillionUsd: 0.01, outputPerMillionUsd: 0.02 },
    latency: { ttftMs: 20, outputTokensPerSecond: 200 },
  },
  {
    id: 'local-tools',
    provider: 'local',
    parameters: 8e9,
    contextWindow: 32_768,
    prices: { inputPerMillionUsd: 0.05, outputPerMillionUsd: 0.1 },
    latency: { ttftMs: 60, outputTokensPerSecond: 60 },
    capabilities: { tools: true },
  },
  {
    id: 'local-vision',
    provider: 'local',
    class: 'multimodal',
    parameters: 7e9,
    inputModalities: ['text', 'image'],
    contextWindow: 32_768,
    prices: { inputPerMillionUsd: 0.05, outputPerMillionUsd: 0.1 },
    latency: { ttftMs: 100, outputTokensPerSecond: 50 },
  },
  {
    id: 'specialist/tickets',
    provider: 'specialist',
    scope: 'single-task',
    taskFamilies: ['tickets'],
    contextWindow: 8_192,
    prices: { perCallUsd: 0.000001 },
    latency: { ttftMs: 0.05, outputTokensPerSecond: 1e6 },
    quality: { tickets: { accuracy: 0.91, source: 'fixture eval' } },
  },
  {
    id: 'specialist/untrained',
    provider: 'specialist',
    scope: 'single-task',
    contextWindow: 8_192,
    prices: { perCallUsd: 0.0000001 },
    latency: { ttftMs: 0.01, outputTokensPerSecond: 1e6 },
  },
  {
    id: 'unconfigured',
    provider: 'anthropic',
    inputModalities: ['text', 'image', 'audio'],
    contextWindow: 200_000,
    prices: { inputPerMillionUsd: 0.01, outputPerMillionUsd: 0.01 },
    latency: { ttftMs: 1, outputTokensPerSecond: 1000 },
    capabilities: { tools: true },
  },
];
const catalog = createCatalog([], FIXTURE);
const providers = new Map<string, ConfiguredProvider>([
  ['openai', { deployment: 'cloud' }],
  ['local', { deployment: 'on-prem' }],
  ['specialist', { deployment: 'edge' }],
]);

const text = (content: string): ChatCompletionRequest => ({ model: 'auto', messages: [{ role: 'user', content }] });
const withImage: ChatCompletionRequest = {
  model: 'auto',
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
      ],
    },
  ],
};
const withTools: ChatCompletionRequest = {
  ...text('What is the weather in Paris?'),
  tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }],
};
/** About 6,000 tokens of varied English: too long for a 4,096-token window, fine for 32k. */
const longPrompt = text(
  Array.from({ length: 600 }, (_, index) => `Sentence ${index} talks about item ${index * 7}.`).join(' '),
);

function plan(request: ChatCompletionRequest, headers: Record<string, string> = {}, defaults: AutoRequirements = {}) {
  return planAutoRequest({ request, headers, catalog, configuredProviders: providers, defaults });
}
const ids = (result: ReturnType<typeof plan>) => result.candidates.map((model) => model.id);

describe('planAutoRequest: hard constraints', () => {
  const cases: Array<{
    name: string;
    request: ChatCompletionRequest;
    headers?: Record<string, string>;
    defaults?: AutoRequirements;
    expected: string[];
  }> = [
    {
      name: 'plain text in the cloud: every configured general model, never an unconfigured one',
      request: text('Write a haiku about the sea.'),
      expected: ['cloud-mini', 'cloud-big', 'local-small', 'local-tools', 'local-vision'],
    },
    {
      name: 'on-prem header: never a cloud provider',
      request: text('Write a haiku about the sea.'),
      headers: { 'x-rightsize-deployment': 'on-prem' },
      expected: ['local-small', 'local-tools', 'local-vision'],
    },
    {
      name: 'image: never a text-only model',
      request: withImage,
      expected: ['local-vision', 'cloud-big'],
    },
    {
      name: 'image on-prem: only the local vision model',
      request: withImage,
      headers: { 'x-rightsize-deployment': 'on-prem' },
      expected: ['local-vision'],
    },
    {
      name: 'tools: only models with tool calling',
      request: withTools,
      expected: ['cloud-mini', 'cloud-big', 'local-tools'],
    },
    {
      name: 'an over-long prompt never reaches a short context window',
      request: longPrompt,
      expected: ['cloud-mini', 'cloud-big', 'local-tools', 'local-vision'],
    },
    {
      name: 'hybrid with an e-mail address: local only',
      request: text('Please update the address of jane.doe@example.com on file.'),
      headers: { 'x-rightsize-deployment': 'hybrid' },
      expected: ['local-small', 'local-tools', 'local-vision'],
    },
    {
      name: 'hybrid without sensitive data: the cloud is allowed',
      request: text('Please update the shipping address on file.'),
      headers: { 'x-rightsize-deployment': 'hybrid' },
      expected: ['cloud-mini', 'cloud-big', 'local-small', 'local-tools', 'local-vision'],
    },
    {
      name: 'a header cannot loosen the configured on-prem policy',
      request: text('Write a haiku.'),
      headers: { 'x-rightsize-deployment': 'cloud' },
      defaults: { deployment: 'on-prem' },
      expected: ['local-small', 'local-tools', 'local-vision'],
    },
    {
      name: 'a task family with a trained specialist puts it first; an untrained one is never called',
      request: text('My card has not arrived yet.'),
      headers: { 'x-rightsize-task': 'tickets' },
      expected: ['specialist/tickets', 'local-small', 'local-tools', 'local-vision', 'cloud-mini', 'cloud-big'],
    },
  ];
  it.each(cases)('$name', ({ request, headers, defaults, expected }) => {
    expect(ids(plan(request, headers, defaults))).toEqual(expected);
  });

  it('counts long prompts exactly and short ones by the cheap bound', () => {
    expect(plan(longPrompt).inspection.tokenCount).toBe('exact');
    expect(plan(longPrompt).inspection.inputTokens).toBeGreaterThan(4_096);
    expect(plan(text('hi')).inspection.tokenCount).toBe('estimate');
  });

  it('says why, without the prompt or the sensitive data', () => {
    const result = plan(text('Mail jane.doe@example.com the invoice.'), { 'x-rightsize-deployment': 'hybrid' });
    const reasons = result.reasons.join(' | ');
    expect(reasons).toContain('sensitive data (email): local models only');
    expect(reasons).toContain('chose local-small');
    expect(reasons).toContain('excluded by versatility 2, deployment 2');
    expect(reasons).not.toMatch(/jane|invoice/);
    // Header values must be ASCII.
    expect(reasons).toMatch(/^[\x20-\x7e|]*$/);
  });

  it('notes a header that tried to loosen the policy', () => {
    const result = plan(text('hi'), { 'x-rightsize-deployment': 'cloud' }, { deployment: 'on-prem' });
    expect(result.reasons[0]).toBe('x-rightsize-deployment cloud ignored: policy is on-prem');
  });
});

describe('planAutoRequest: requirements', () => {
  it('applies latency, accuracy and cost from headers over defaults', () => {
    // 20 ms + 10 tokens at 200/s = 70 ms; local-tools 60 + 167 ms; cloud-mini 300 + 100 ms.
    expect(ids(plan({ ...text('hi'), max_tokens: 10 }, { 'x-rightsize-max-latency-ms': '100' }))).toEqual([
      'local-small',
    ]);
    expect(ids(plan(text('hi'), { 'x-rightsize-min-accuracy': '0.85' }))).toEqual(['cloud-big']);
    expect(ids(plan(text('hi'), {}, { minAccuracy: 0.85 }))).toEqual(['cloud-big']);
    expect(ids(plan(text('hi'), { 'x-rightsize-min-accuracy': '0.5' }, { minAccuracy: 0.85 }))).toContain('cloud-mini');
  });
});

describe('planAutoRequest: when nothing qualifies', () => {
  function failure(run: () => unknown): Error & { code?: string } {
    try {
      run();
    } catch (error) {
      expect(isRightsizeError(error, 'no_model_qualifies')).toBe(true);
      return error as Error;
    }
    throw new Error('expected no_model_qualifies');
  }

  it('names the hard constraint that failed', () => {
    const error = failure(() =>
      plan({ ...withImage, tools: withTools.tools }, { 'x-rightsize-deployment': 'on-prem' }),
    );
    expect(error.message).toContain('modality excluded');
    expect(error.message).toContain(
      'tools excluded 1 (e.g. step 1: the requests need tool calls and local-vision has none)',
    );
    expect(error.message).toContain('These are hard constraints');
  });

  it('says which header to relax and by how much', () => {
    const error = failure(() => plan(text('hi'), { 'x-rightsize-max-cost-usd': '0.0000001' }));
    expect(error.message).toMatch(/raise x-rightsize-max-cost-usd to 0\.0000\d+ to admit local-small/);
  });

  it('says when no provider of the catalog is configured', () => {
    const error = failure(() =>
      planAutoRequest({ request: text('hi'), headers: {}, catalog, configuredProviders: new Map() }),
    );
    expect(error.message).toContain(
      '"auto" has nothing to choose from: no catalog model\'s provider is available here',
    );
    // The specialist provider always runs: the advice is a key to set, and specialists by name.
    expect(error.message).toContain('e.g. OPENAI_API_KEY');
    expect(error.message).not.toContain('local, specialist)');
    expect(error.message).toContain('Specialists are called by name (specialist/NAME)');
  });
});

describe('an on-prem request makes no connection to a cloud provider', () => {
  let cloud: Server;
  let local: Server;
  let cloudConnections = 0;
  let localRequests = 0;
  const answer = JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
  });

  beforeAll(async () => {
    cloud = createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(answer),
    );
    cloud.on('connection', () => {
      cloudConnections++;
    });
    local = createServer((request, response) => {
      localRequests++;
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(answer));
    });
    await Promise.all([
      new Promise<void>((resolve) => cloud.listen(0, '127.0.0.1', resolve)),
      new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve)),
    ]);
  });
  afterAll(async () => {
    await Promise.all([new Promise((resolve) => cloud.close(resolve)), new Promise((resolve) => local.close(resolve))]);
  });

  function gatewayProviders() {
    const make = (id: string, server: Server, deployment: 'cloud' | 'on-prem') =>
      createOpenAICompatibleProvider({
        id,
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
        deployment,
        timeoutMs: 5_000,
        maxRetries: 0,
        maxRetryDelayMs: 0,
        maxTokensParameter: 'max_tokens',
      });
    return new Map([
      ['openai', make('openai', cloud, 'cloud')],
      ['local', make('local', local, 'on-prem')],
    ]);
  }

  /** What the gateway does with a plan: try the candidates in order until one answers. */
  async function execute(request: ChatCompletionRequest, headers: Record<string, string>): Promise<string> {
    const byId = gatewayProviders();
    const configured = new Map([...byId].map(([id, provider]) => [id, { deployment: provider.deployment }]));
    const result = planAutoRequest({ request, headers, catalog, configuredProviders: configured });
    for (const model of result.candidates) {
      const provider = byId.get(model.provider);
      if (!provider) continue;
      await provider.complete({
        request,
        upstreamModel: model.upstreamName ?? model.id,
        signal: AbortSignal.timeout(5_000),
        requestId: 'test',
      });
      return model.id;
    }
    throw new Error('no candidate answered');
  }

  it('serves the on-prem request locally and never connects to the cloud server', async () => {
    const served = await execute(text('Summarise our Q3 board minutes.'), { 'x-rightsize-deployment': 'on-prem' });
    expect(served).toBe('local-small');
    expect(localRequests).toBe(1);
    expect(cloudConnections).toBe(0);
  });

  it('(control) the same request without the header does reach the cloud server', async () => {
    const served = await execute(text('Write a haiku.'), { 'x-rightsize-min-accuracy': '0.8' });
    expect(served).toBe('cloud-mini');
    expect(cloudConnections).toBe(1);
  });
});
