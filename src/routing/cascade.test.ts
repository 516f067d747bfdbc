import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
import { type RunningGateway, startGateway } from '../server/start-gateway.ts';
import { createSqliteStore } from '../store/sqlite/create-sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { type OpenAIProtocolServer, startOpenAIProtocolServer } from '../testing/openai-protocol-server.ts';
import { sendAndLeave } from '../testing/send-and-leave.ts';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.ts';

const labels = ['card_arrival', 'lost_or_stolen_card', 'exchange_rate'];

function config(baseUrl: string): string {
  const model = (id: string) =>
    `  - { id: "${id}", provider: local, class: llm, prices: { inputPerMillionUsd: 1, outputPerMillionUsd: 2 } }`;
  return `
server: { port: 0 }
store: { url: "sqlite::memory:", flushIntervalMs: 10 }
providers:
  local: { baseUrl: "${baseUrl}", deployment: on-prem, maxRetries: 0 }
  absent: { baseUrl: "http://127.0.0.1:9/v1", apiKeyEnv: ABSENT_PROVIDER_KEY }
models:
${model('label:CARD_ARRIVAL')}
${model('label:no idea')}
${model('label:exchange_rate')}
${model('fail-500')}
  - { id: cloud-llm, provider: absent, class: llm }
human: { costPerItemUsd: 5 }
routes:
  accept-first:
    labels: [${labels.join(', ')}]
    tiers:
      - { model: "label:CARD_ARRIVAL", accept: { labels: true } }
      - { model: "label:exchange_rate", accept: { labels: true } }
  escalate-invalid:
    labels: [${labels.join(', ')}]
    tiers:
      - { model: "label:no idea", accept: { labels: true } }
      - { model: "label:exchange_rate", accept: { labels: true } }
  error-mid-cascade:
    labels: [${labels.join(', ')}]
    tiers:
      - { model: "fail-500", accept: { labels: true } }
      - { model: "label:exchange_rate", accept: { labels: true } }
  skip-unconfigured:
    labels: [${labels.join(', ')}]
    tiers:
      - { model: cloud-llm, accept: { labels: true } }
      - { model: "label:exchange_rate", accept: { labels: true } }
  to-human:
    labels: [${labels.join(', ')}]
    tiers:
      - { model: "label:no idea", accept: { labels: true } }
      - { model: human }
  only-people:
    labels: [${labels.join(', ')}]
    tiers: [{ model: human }]
`;
}

describe('cascades', () => {
  let upstream: OpenAIProtocolServer;
  let gateway: RunningGateway;
  let store: Store;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startOpenAIProtocolServer();
    store = await createSqliteStore(':memory:');
    gateway = await startGateway({
      config: parseConfig(config(upstream.baseUrl)),
      environment: readEnvironment({}),
      store,
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  async function route(name: string, headers: Record<string, string> = {}) {
    const { data, response } = await client.chat.completions
      .create({ model: name, messages: [{ role: 'user', content: 'My card still has not arrived' }] }, { headers })
      .withResponse();
    return { content: data.choices[0]?.message.content, header: (key: string) => response.headers.get(key) };
  }

  it('accepts the first tier whose answer is a label, in its canonical spelling', async () => {
    const answer = await route('accept-first');
    expect(answer.content).toBe('card_arrival');
    expect(answer.header('x-rightsize-tier')).toBe('0');
    expect(answer.header('x-rightsize-escalations')).toBe('0');
    expect(answer.header('x-rightsize-route')).toBe('accept-first');
    // The large-model tier was asked for one of the labels.
    const sent = upstream.requests.at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    expect(sent.messages[0]?.role).toBe('system');
    expect(sent.messages[0]?.content).toContain('lost_or_stolen_card');
  });

  it('escalates an invalid answer and pays for both tiers', async () => {
    const answer = await route('escalate-invalid');
    expect(answer.content).toBe('exchange_rate');
    expect(answer.header('x-rightsize-tier')).toBe('1');
    expect(answer.header('x-rightsize-escalations')).toBe('1');
    // Two calls of 11 input x $1 + 7 output x $2 per 1M tokens.
    expect(Number(answer.header('x-rightsize-cost-usd'))).toBeCloseTo(0.00005, 10);
  });

  it('escalates past a provider error mid-cascade', async () => {
    const answer = await route('error-mid-cascade');
    expect(answer.content).toBe('exchange_rate');
    expect(answer.header('x-rightsize-tier')).toBe('1');
  });

  it('skips an unconfigured tier and says so', async () => {
    const answer = await route('skip-unconfigured');
    expect(answer.content).toBe('exchange_rate');
    expect(answer.header('x-rightsize-skipped')).toBe('cloud-llm');
    await gateway.runtime.logWriter.flush();
    const [row] = await store.queryRequestLogs({ route: 'skip-unconfigured', limit: 1 });
    expect(row?.tiers.map((tier) => [tier.model, tier.outcome, tier.reason])).toEqual([
      ['cloud-llm', 'skipped', 'not_configured'],
      ['label:exchange_rate', 'accepted', undefined],
    ]);
  });

  it('queues nothing for a person when the request has no text: a 400, not a $5 review', async () => {
    const post = (model: string) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: ' ' }] }),
      });
    const response = await post('only-people');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toContain('nothing for a person to review');
    // After a model that answered (refused), the cascade serves that answer, marked not accepted.
    const refused = await post('to-human');
    expect([refused.status, refused.headers.get('x-rightsize-accepted')]).toEqual([200, 'false']);
    expect(await store.listReviewItems({ route: 'only-people' })).toHaveLength(0);
    expect((await store.listReviewItems({ route: 'to-human' })).filter((item) => item.input.trim() === '')).toEqual([]);
  });

  it('queues for a person what no model settles, and stores the decision as gold', async () => {
    const answer = await route('to-human');
    expect(answer.header('x-rightsize-review-status')).toBe('pending');
    expect(answer.header('x-rightsize-accepted')).toBeNull();
    const id = answer.header('x-rightsize-review-id') ?? '';
    expect(answer.content).toContain(id);
    expect(Number(answer.header('x-rightsize-cost-usd'))).toBeCloseTo(5.000025, 8);
    // Waiting for a person is neither accepted nor refused: the log says pending.
    await gateway.runtime.logWriter.flush();
    const [logged] = await store.queryRequestLogs({ route: 'to-human', limit: 1 });
    expect(logged?.tiers.at(-1)).toMatchObject({ model: 'human', outcome: 'pending' });

    const pending = (await (await fetch(`${gateway.url}/v1/rightsize/review?status=pending`)).json()) as {
      data: Array<{ id: string; labels: string[]; candidates: Array<{ answer: string; reason: string }> }>;
    };
    const item = pending.data.find((entry) => entry.id === id);
    expect(item?.labels).toEqual(labels);
    expect(item?.candidates[0]).toMatchObject({ answer: 'no idea', reason: 'invalid_output' });

    const claims = await Promise.all(
      ['alice', 'bob'].map((reviewer) =>
        fetch(`${gateway.url}/v1/rightsize/review/${id}/claim`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ reviewer }),
        }),
      ),
    );
    expect(claims.map((response) => response.status).sort()).toEqual([200, 409]);
    const won = claims.find((response) => response.status === 200);
    const winner = ((await won?.json()) as { claimedBy: string } | undefined)?.claimedBy ?? '';
    const bad = await fetch(`${gateway.url}/v1/rightsize/review/${id}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reviewer: winner, decision: 'not_a_label' }),
    });
    expect(bad.status).toBe(400);
    const resolved = await fetch(`${gateway.url}/v1/rightsize/review/${id}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reviewer: winner, decision: 'card_arrival' }),
    });
    expect(resolved.status).toBe(200);
    expect((await store.getReviewItem(id))?.decision).toBe('card_arrival');
  });

  it('lets a client wait for the decision', async () => {
    const waiting = route('to-human', { 'x-rightsize-review-wait-seconds': '5' });
    await expect
      .poll(async () => (await store.listReviewItems({ status: 'pending' })).length, { timeout: 3000 })
      .toBeGreaterThan(0);
    const [item] = await store.listReviewItems({ status: 'pending' });
    await gateway.runtime.reviewQueue.resolve(item?.id ?? '', { reviewer: 'carol', decision: 'lost_or_stolen_card' });
    const answer = await waiting;
    expect(answer.content).toBe('lost_or_stolen_card');
    expect(answer.header('x-rightsize-review-status')).toBe('resolved');
  });

  it('streams a cascade answer', async () => {
    const stream = await client.chat.completions.create({
      model: 'escalate-invalid',
      stream: true,
      messages: [{ role: 'user', content: 'rate?' }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('exchange_rate');
  });
});

describe('shutdown while a client waits for a person', () => {
  it('answers the waiting request as pending instead of dropping it', async () => {
    const store = await createSqliteStore(':memory:');
    const gateway = await startGateway({
      config: parseConfig(
        'server: { port: 0 }\nroutes:\n  people:\n    labels: [a, b]\n    tiers: [{ model: human }]\n',
      ),
      environment: readEnvironment({}),
      store: { ...store, close: async () => {} },
    });
    const waiting = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-rightsize-review-wait-seconds': '60' },
      body: JSON.stringify({ model: 'people', messages: [{ role: 'user', content: 'decide this' }] }),
    });
    await expect
      .poll(async () => (await store.listReviewItems({ status: 'pending' })).length, { timeout: 3000 })
      .toBe(1);
    // A route that starts with a person still names itself, its labels, and the wait on the item.
    expect((await store.listReviewItems({ route: 'people' }))[0]?.labels).toEqual(['a', 'b']);
    const started = Date.now();
    await gateway.close();
    const response = await waiting;
    expect(response.status).toBe(200);
    expect(response.headers.get('x-rightsize-review-status')).toBe('pending');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await store.countRequestLogs()).toBe(1);
    await store.close();
  });
});

describe('a client that leaves mid-cascade', () => {
  let fixture: TestGateway;
  let gateway: RunningGateway;
  let store: Store;

  beforeAll(async () => {
    fixture = await startTestGateway({
      config: (baseUrl) => `
server: { port: 0 }
store: { flushIntervalMs: 10 }
providers:
  local: { baseUrl: "${baseUrl}", deployment: on-prem, maxRetries: 0 }
models:
  - { id: slow-3000, provider: local, class: llm }
routes:
  hang-then-human:
    labels: [a, b]
    tiers:
      - { model: slow-3000, accept: { labels: true } }
      - { model: human }
  people:
    labels: [a, b]
    tiers: [{ model: human }]
`,
    });
    ({ gateway, store } = fixture);
  });
  afterAll(() => fixture.close());

  /** Sends a request to `route` and goes away when `leaveWhen` resolves (see `sendAndLeave`). */
  const leave = (route: string, headers: Record<string, string>, leaveWhen: () => Promise<void>) =>
    sendAndLeave({ gatewayUrl: gateway.url, model: route, text: 'decide this', headers, leaveWhen });

  async function loggedRow(route: string) {
    await expect
      .poll(
        async () => {
          await gateway.runtime.logWriter.flush();
          return store.queryRequestLogs({ route });
        },
        { timeout: 5000 },
      )
      .toHaveLength(1);
    return (await store.queryRequestLogs({ route }))[0];
  }

  it('runs no further tier once the client is gone: no review item, and the log says 499', async () => {
    const aborted = fixture.upstream.aborted;
    await leave('hang-then-human', {}, () => new Promise((resolve) => setTimeout(resolve, 300)));
    const row = await loggedRow('hang-then-human');
    expect([row?.status, row?.errorCode]).toEqual([499, 'client_closed_request']);
    // The hanging upstream call was cancelled, and the human tier never ran.
    expect(fixture.upstream.aborted).toBeGreaterThan(aborted);
    expect(await store.listReviewItems({ route: 'hang-then-human' })).toEqual([]);
  });

  it('logs 499 for a client that leaves while it waits for a person', async () => {
    await leave('people', { 'x-rightsize-review-wait-seconds': '60' }, async () => {
      await expect
        .poll(async () => (await store.listReviewItems({ route: 'people' })).length, { timeout: 3000 })
        .toBe(1);
    });
    const row = await loggedRow('people');
    expect([row?.status, row?.errorCode]).toEqual([499, 'client_closed_request']);
    // The item was queued while the client was there: it stays for a person (its decision is still gold).
    expect((await store.listReviewItems({ route: 'people' })).map((item) => item.status)).toEqual(['pending']);
  });
});
