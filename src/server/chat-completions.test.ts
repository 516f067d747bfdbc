import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
import { createSqliteStore } from '../store/sqlite/create-sqlite-store.ts';
import type { Store } from '../store/store.ts';
import type { OpenAIProtocolServer } from '../testing/openai-protocol-server.ts';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.ts';
import { type RunningGateway, startGateway } from './start-gateway.ts';

const PROVIDER_KEY = 'sk-test-provider-secret-0123456789abcdef';
const HEADER_KEY = 'header-secret-9876543210';
const scripted = [
  'echo',
  'flaky-429',
  'fail-500',
  'fail-400',
  'fail-401',
  'slow-3000',
  'no-usage',
  'cut-stream',
  'no-done',
  'in-band-error',
  'split-utf8',
  'unpriced',
  'error-first',
  'bad-event',
  'json-for-stream',
  'redirect',
  'huge-4000',
  'huge-2000',
  'stall-stream',
  'ping-stream',
  'trickle',
];

function configYaml(baseUrl: string): string {
  const models = scripted
    .map((id) =>
      id === 'unpriced'
        ? `  - { id: unpriced, provider: test, upstreamName: echo }`
        : `  - { id: ${id}, provider: test, prices: { inputPerMillionUsd: 1, outputPerMillionUsd: 2 } }`,
    )
    .join('\n');
  return `
server: { host: 127.0.0.1, port: 0, bodyLimitBytes: 20000 }
store: { url: "sqlite::memory:", flushIntervalMs: 10 }
providers:
  test: { baseUrl: "${baseUrl}", apiKeyEnv: TEST_PROVIDER_KEY, deployment: on-prem, timeoutMs: 300, maxRetries: 1, maxRetryDelayMs: 100, maxResponseBytes: 3000 }
  modern: { baseUrl: "${baseUrl}", deployment: on-prem, maxTokensParameter: max_completion_tokens, headers: { x-team: blue }, headersEnv: { api-key: TEST_HEADER_KEY } }
models:
${models}
  - { id: modern-echo, provider: modern, upstreamName: echo, prices: { inputPerMillionUsd: 1, outputPerMillionUsd: 2 } }
  - { id: renamed, provider: test, upstreamName: echo, prices: { inputPerMillionUsd: 1, outputPerMillionUsd: 2 } }
fallbacks:
  fail-500: [echo]
  error-first: [echo]
  json-for-stream: [echo]
`;
}

describe('POST /v1/chat/completions through the gateway', () => {
  let fixture: TestGateway;
  let upstream: OpenAIProtocolServer;
  let gateway: RunningGateway;
  let store: Store;
  let client: OpenAI;

  beforeAll(async () => {
    fixture = await startTestGateway({
      config: configYaml,
      environment: { TEST_PROVIDER_KEY: PROVIDER_KEY, TEST_HEADER_KEY: HEADER_KEY },
    });
    ({ upstream, gateway, store } = fixture);
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => fixture.close());

  const ask = (model: string, extra: Record<string, unknown> = {}) =>
    client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'hi there' }],
      ...extra,
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);

  async function streamText(
    model: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ text: string; chunks: OpenAI.ChatCompletionChunk[] }> {
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'hi there' }],
      stream: true,
      ...extra,
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    let text = '';
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    return { text, chunks };
  }

  it('answers a non-streaming request with the decision and cost in headers', async () => {
    const { data, response } = await ask('echo').withResponse();
    expect(data.choices[0]?.message.content).toBe('echo: hi there');
    expect(response.headers.get('x-rightsize-model')).toBe('echo');
    expect(response.headers.get('x-rightsize-route')).toBe('-');
    // 11 input x $1 + 7 output x $2, per 1M tokens
    expect(Number(response.headers.get('x-rightsize-cost-usd'))).toBeCloseTo(0.000025, 10);
    const sent = upstream.requests.at(-1);
    expect(sent?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
  });

  it('forwards unknown fields and rewrites the model to its upstream name', async () => {
    await ask('renamed', { seed: 7, metadata: { team: 'a' } });
    const sent = upstream.requests.at(-1)?.body;
    expect(sent?.['model']).toBe('echo');
    expect(sent?.['seed']).toBe(7);
    expect(sent?.['metadata']).toEqual({ team: 'a' });
  });

  it('passes max_tokens in the form the provider takes, and headers from the config and the environment', async () => {
    await ask('modern-echo', { max_tokens: 33 });
    const headers = upstream.requests.at(-1)?.headers;
    expect([headers?.['x-team'], headers?.['api-key'], headers?.['authorization']]).toEqual([
      'blue',
      HEADER_KEY,
      undefined,
    ]);
    const sent = upstream.requests.at(-1)?.body;
    expect(sent?.['max_completion_tokens']).toBe(33);
    expect(sent?.['max_tokens']).toBeUndefined();
    await ask('echo', { max_completion_tokens: 44 });
    expect(upstream.requests.at(-1)?.body['max_tokens']).toBe(44);
  });

  it('streams through, asking the provider for usage without showing it to a client that did not ask', async () => {
    const { text, chunks } = await streamText('echo');
    expect(text).toBe('echo: hi there');
    expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
    expect(upstream.requests.at(-1)?.body['stream_options']).toEqual({ include_usage: true });
    const withUsage = await streamText('echo', { stream_options: { include_usage: true } });
    expect(withUsage.chunks.at(-1)?.usage?.total_tokens).toBe(18);
  });

  it('reassembles multi-byte UTF-8 characters split across chunks', async () => {
    expect((await streamText('split-utf8')).text).toBe('héllo 👋');
  });

  it.each(['cut-stream', 'no-done', 'in-band-error', 'bad-event'])(
    'never reports %s as a clean success, in the log and in /metrics',
    async (model) => {
      await expect(streamText(model)).rejects.toThrow();
      await gateway.runtime.logWriter.flush();
      const [row] = await store.queryRequestLogs({ limit: 1 });
      expect([row?.requestedModel, row?.status, row?.errorCode]).toEqual([model, 502, 'upstream_stream_error']);
      // The error went in band, after the first event: counted all the same.
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metrics).toMatch(/rightsize_errors_total\{code="upstream_stream_error",status="502"\} [1-9]/);
    },
  );

  it.each(['stall-stream', 'ping-stream'])(
    'says a stream that stalls after its first event (%s) timed out (504), not that it was cut',
    async (model) => {
      await expect(streamText(model)).rejects.toThrow(/stopped sending mid-stream/);
      await gateway.runtime.logWriter.flush();
      const [row] = await store.queryRequestLogs({ limit: 1 });
      expect([row?.requestedModel, row?.status, row?.errorCode]).toEqual([model, 504, 'upstream_timeout']);
    },
  );

  it('times out an answer trickled after its headers instead of waiting for ever', async () => {
    await expect(ask('trickle')).rejects.toMatchObject({ status: 504, code: 'upstream_timeout' });
  });

  it('falls back when the first event of a stream is an error, or the provider ignores stream', async () => {
    expect((await streamText('error-first')).text).toBe('echo: hi there');
    expect((await streamText('json-for-stream')).text).toBe('echo: hi there');
    // The gateway is still up and answering (a body left unread used to end the process).
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });

  it('refuses a redirect naming where it points, without following it or retrying', async () => {
    const before = upstream.requests.length;
    for (const attempt of [() => ask('redirect'), () => streamText('redirect')]) {
      await expect(attempt()).rejects.toMatchObject({ status: 502, code: 'upstream_error' });
    }
    const error = (await ask('redirect').catch((caught: unknown) => caught)) as APIError;
    expect(error.message).toBe(
      '502 Provider test answered 301 (a redirect to https://127.0.0.1/v1/chat/completions); set its baseUrl to the address it redirects to.',
    );
    expect(upstream.requests.length - before).toBe(3);
  });

  it('refuses an answer over maxResponseBytes with a 502, once, without keeping it', async () => {
    const before = upstream.requests.length;
    const error = (await ask('huge-4000').catch((caught: unknown) => caught)) as APIError;
    expect(error.status).toBe(502);
    expect(error.message).toContain('more than 3000 bytes (maxResponseBytes)');
    expect(upstream.requests.length - before).toBe(1);
    const small = await ask('huge-2000');
    expect(small.choices[0]?.message.content).toHaveLength(2000);
  });

  it('retries a 429 after its retry-after-ms and succeeds', async () => {
    const before = upstream.requests.length;
    const answer = await ask('flaky-429');
    expect(answer.choices[0]?.message.content).toBe('echo: hi there');
    expect(upstream.requests.length - before).toBe(2);
  });

  it('falls back to the next model after retryable failures', async () => {
    const { data, response } = await ask('fail-500').withResponse();
    expect(data.choices[0]?.message.content).toBe('echo: hi there');
    expect(response.headers.get('x-rightsize-model')).toBe('echo');
  });

  it('falls back before the first token of a stream', async () => {
    expect((await streamText('fail-500')).text).toBe('echo: hi there');
  });

  it('answers 502 naming the provider and never the key', async () => {
    const error = await ask('fail-401').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    const apiError = error as APIError;
    expect(apiError.status).toBe(502);
    expect(apiError.message).toContain('test');
    expect(apiError.message).toContain('TEST_PROVIDER_KEY');
    expect(apiError.message).not.toContain(PROVIDER_KEY);
  });

  it('keeps a provider 400 a 400', async () => {
    // The provider's `param` is the client's field: it is kept.
    await expect(ask('fail-400')).rejects.toMatchObject({
      status: 400,
      code: 'upstream_invalid_request',
      param: 'messages',
    });
  });

  it('answers 504 when the provider is too slow to start', async () => {
    await expect(ask('slow-3000')).rejects.toMatchObject({ status: 504, code: 'upstream_timeout' });
  });

  it('aborts the upstream call when the client goes away', async () => {
    const before = upstream.aborted;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(
      client.chat.completions.create(
        { model: 'slow-3000', messages: [{ role: 'user', content: 'x' }] },
        { signal: controller.signal, timeout: 10_000 },
      ),
    ).rejects.toThrow();
    await expect.poll(() => upstream.aborted, { timeout: 2000 }).toBeGreaterThan(before);
    await gateway.runtime.logWriter.flush();
    const [row] = await store.queryRequestLogs({ limit: 1 });
    expect(row?.status).toBe(499);
    expect(row?.errorCode).toBe('client_closed_request');
    // What was asked is kept for a failed request too (logContent is on by default).
    expect(JSON.parse(row?.requestMessages ?? 'null')).toEqual([{ role: 'user', content: 'x' }]);
  });

  it.each([
    ['malformed JSON', '{"model":', 400, 'invalid_json'],
    ['a body that is not an object', '[1,2]', 400, 'invalid_request'],
    ['wrong types', '{"model":"echo","messages":"hi"}', 400, 'invalid_request'],
    ['empty messages', '{"model":"echo","messages":[]}', 400, 'invalid_request'],
    ['a missing model', '{"messages":[{"role":"user","content":"x"}]}', 400, 'invalid_request'],
    ['a model of the wrong type', '{"model":5,"messages":[{"role":"user","content":"x"}]}', 400, 'invalid_request'],
    [
      'an unknown specialist',
      '{"model":"specialist/nope","messages":[{"role":"user","content":"x"}]}',
      404,
      'model_not_found',
    ],
    ['an unknown model', '{"model":"gpt-9","messages":[{"role":"user","content":"x"}]}', 404, 'model_not_found'],
    [
      'a body over the limit',
      JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'x'.repeat(30_000) }] }),
      413,
      'payload_too_large',
    ],
  ])('rejects %s in OpenAI’s error envelope', async (_name, body, status, code) => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(status);
    const json = (await response.json()) as { error: { code: string; message: string; type: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(10);
    expect(typeof json.error.type).toBe('string');
    // Every chat completion answer has an id, the 413 refused before the route ran included.
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it('says a field has the wrong type rather than that it is missing', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model":5,"messages":[{"role":"user","content":"x"}]}',
    });
    const json = (await response.json()) as { error: { message: string; param: string } };
    expect(json.error.param).toBe('model');
    expect(json.error.message).not.toContain('required');
    expect(json.error.message).toContain('expected string');
  });

  it.each([
    [[{ type: 'audio_clip', data: 'x' }], 'messages[0].content: [0].type: expected one of "text", "image_url"'],
    [[{ type: 'text' }], 'messages[0].content: [0].text: is required'],
    [5, 'messages[0].content: expected string or array, got number'],
  ])('names what is wrong inside message content %j', async (content, message) => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'echo', messages: [{ role: 'user', content }] }),
    });
    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: { message: string; param: string } };
    expect(json.error.message).toContain(message);
    expect(json.error.param).toBe('messages[0].content');
  });

  it.each(
    ['301', '1e9', '0x10', 'abc', '-1', 'banana'].flatMap((value) => [
      [value, false],
      [value, true],
    ]),
  )('rejects x-rightsize-review-wait-seconds: %s (stream: %s)', async (value, stream) => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-rightsize-review-wait-seconds': String(value) },
      body: JSON.stringify({ model: 'echo', stream, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: { code: string; param: string } };
    expect(json.error).toMatchObject({ code: 'invalid_request', param: 'x-rightsize-review-wait-seconds' });
  });

  it('counts requests rejected before logging in /metrics', async () => {
    await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{oops',
    });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/rightsize_errors_total\{code="invalid_json",status="400"\} [1-9]/);
    expect(metrics).toMatch(/rightsize_requests_total\{route="-",model="echo",status="200"\} [1-9]/);
  });

  it('lists the models a client may name', async () => {
    const models = await client.models.list();
    const ids = models.data.map((model) => model.id);
    expect(ids).toContain('echo');
    expect(ids).toContain('modern-echo');
    // One by id, as the SDK's models.retrieve asks (ids may hold a slash).
    expect(await client.models.retrieve('modern-echo')).toMatchObject({ id: 'modern-echo', object: 'model' });
    await expect(client.models.retrieve('gpt-9')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    const human = await fetch(`${gateway.url}/v1/models/human`);
    expect(((await human.json()) as { owned_by: string }).owned_by).toBe('human');
  });

  it('logs every request with tokens, cost, and unpriced models as null', async () => {
    await ask('unpriced');
    await ask('no-usage');
    await gateway.runtime.logWriter.flush();
    const rows = await store.queryRequestLogs({ limit: 2 });
    const unpriced = rows.find((row) => row.requestedModel === 'unpriced');
    const counted = rows.find((row) => row.requestedModel === 'no-usage');
    expect(unpriced?.costUsd).toBeNull();
    expect(unpriced?.inputTokens).toBe(11);
    expect(counted?.usageSource).toBe('tokenizer');
    expect(counted?.outputTokens).toBeGreaterThan(0);
    expect(counted?.costUsd).toBeGreaterThan(0);
  });
});

describe('client API keys', () => {
  it('answers 401 without a valid key, and refuses a public address without keys', async () => {
    const store = await createSqliteStore(':memory:');
    const gateway = await startGateway({
      config: parseConfig(
        'server: { port: 0, apiKeys: [{ id: team-a, env: KEY_A }] }\nstore: { url: "sqlite::memory:" }',
      ),
      environment: readEnvironment({ KEY_A: 'client-secret-a' }),
      store,
    });
    try {
      const missing = await fetch(`${gateway.url}/v1/models`);
      expect(missing.status).toBe(401);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      const wrong = await fetch(`${gateway.url}/v1/models`, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      const refusedChat = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"model":"echo","messages":[{"role":"user","content":"hi"}]}',
      });
      expect(refusedChat.status).toBe(401);
      expect(refusedChat.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
      const right = await fetch(`${gateway.url}/v1/models`, { headers: { authorization: 'Bearer client-secret-a' } });
      expect(right.status).toBe(200);
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    } finally {
      await gateway.close();
    }
    await expect(
      startGateway({
        config: parseConfig('server: { host: 0.0.0.0, port: 0 }\nstore: { url: "sqlite::memory:" }'),
        environment: readEnvironment({}),
      }),
    ).rejects.toMatchObject({
      code: 'invalid_config',
    });
    // One secret under two ids: which id a request is logged under would depend on the order.
    await expect(
      startGateway({
        config: parseConfig(
          'server: { port: 0, apiKeys: [{ id: team-a, env: KEY_A }, { id: team-b, env: KEY_B }] }\nstore: { url: "sqlite::memory:" }',
        ),
        environment: readEnvironment({ KEY_A: 'same-secret', KEY_B: 'same-secret' }),
      }),
    ).rejects.toMatchObject({
      code: 'invalid_config',
      message: 'server.apiKeys: keys "team-a" and "team-b" hold the same value; give each key its own secret.',
    });
  });
});
