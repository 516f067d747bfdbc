import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupFamilies } from '../analysis/group-families.ts';
import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
import type { Provider } from '../providers/provider.ts';
import {
  createSpecialistProvider,
  type SpecialistProvider,
  toSpecialistSource,
} from '../providers/specialist/create-specialist-provider.ts';
import { type RunningGateway, startGateway } from '../server/start-gateway.ts';
import { banking77Sample } from '../specialists/banking77-sample.ts';
import type { LabelledRow } from '../specialists/read-labelled-data.ts';
import { trainSpecialist } from '../specialists/training/train-specialist.ts';
import { createSqliteStore } from '../store/sqlite/create-sqlite-store.ts';
import type { RequestLogRecord, Store, TierAttempt } from '../store/store.ts';
import { type OpenAIProtocolServer, startOpenAIProtocolServer } from '../testing/openai-protocol-server.ts';
import { promoteFamily } from './promote-family.ts';
import { PROMOTION_POLL_MS } from './promotion-registry.ts';

// A system prompt of this test's own, so that no distillation record of another run names its family.
const SYSTEM = 'Route each card-services ticket of the promotion-routes test. Reply with its intent label only.';
const KEY = 'rs-test-admin-key-4f1c9a';
/** A key with the default scopes (chat, review): an application's. */
const APP_KEY = 'rs-test-app-key-77b2e0';
const train = banking77Sample({ split: 'train', labels: 6, perLabel: 40 });
const test = banking77Sample({ split: 'test', labels: 6, perLabel: 12 });
const gold = new Map([...train, ...test].map((row) => [row.text, row.label]));
const folder = mkdtempSync(join(tmpdir(), 'rightsize-promotion-routes-'));
const registryDir = join(folder, 'registry');
const fastText = { epoch: 25, dim: 16, bucket: 20_000, minn: 0, maxn: 0 };
// Whether training finds a guaranteed threshold on so few validation rows is beside the point here.
const THRESHOLD = 0.5;

const trainTickets = (rows: LabelledRow[]) =>
  trainSpecialist({
    rows,
    name: 'tickets',
    arch: 'fasttext',
    registryDir,
    targetAccuracy: 0.8,
    hyperParameters: { fasttext: fastText },
  });

describe('promotion over HTTP, stream shadows and specialist reloads, with the gateway running', () => {
  let upstream: OpenAIProtocolServer;
  let specialists: SpecialistProvider;
  let gateway: RunningGateway;
  let store: Store;
  let client: OpenAI;
  let familyId: string;
  /** Added before every shadow call: to show that a stream does not wait for its shadow. */
  let shadowDelayMs = 0;

  beforeAll(async () => {
    // The large model is a local OpenAI-protocol server that answers each ticket's gold label.
    upstream = await startOpenAIProtocolServer({ answer: (text) => gold.get(text), record: false });
    await trainTickets(train);
    specialists = createSpecialistProvider({ registryDir, costPerCallUsd: 0.000001 });
    const provider: Provider = {
      ...specialists,
      async complete(call) {
        if (shadowDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, shadowDelayMs));
        return specialists.complete(call);
      },
    };
    store = await createSqliteStore(join(folder, 'log.db'));
    gateway = await startGateway({
      config: parseConfig(`
server: { host: 127.0.0.1, port: 0, apiKeys: [{ id: admin, env: RS_TEST_KEY, scopes: [chat, review, admin] }, { id: app, env: RS_TEST_APP_KEY }] }
store: { flushIntervalMs: 10 }
providers:
  large: { baseUrl: "${upstream.baseUrl}", deployment: on-prem }
  absent: { baseUrl: "http://127.0.0.1:9/v1", apiKeyEnv: RS_TEST_ABSENT_KEY }
models:
  - { id: big-model, provider: large, class: llm, prices: { inputPerMillionUsd: 2.5, outputPerMillionUsd: 10 } }
  - { id: offline-model, provider: absent, class: llm }
specialists: { registry: ${JSON.stringify(registryDir)} }
`),
      environment: readEnvironment({ RS_TEST_KEY: KEY, RS_TEST_APP_KEY: APP_KEY }),
      store,
      // The delaying wrapper serves; the provider itself lists, labels and refreshes.
      specialists: { ...toSpecialistSource(specialists), provider },
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: KEY, maxRetries: 0 });
    await send(train.map((row) => row.text));
    await gateway.runtime.logWriter.flush();
    const [family] = groupFamilies(await store.queryRequestLogs());
    familyId = family?.id ?? '';
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const messages = (text: string) => [
    { role: 'system' as const, content: SYSTEM },
    { role: 'user' as const, content: text },
  ];

  /** Sends tickets without streaming, 8 at a time; returns the model that served each. */
  async function send(texts: readonly string[]): Promise<string[]> {
    const served: string[] = [];
    for (let start = 0; start < texts.length; start += 8) {
      const batch = await Promise.all(
        texts.slice(start, start + 8).map(async (text) => {
          const { response } = await client.chat.completions
            .create({ model: 'big-model', messages: messages(text) })
            .withResponse();
          return response.headers.get('x-rightsize-model') ?? '';
        }),
      );
      served.push(...batch);
    }
    return served;
  }

  /** Streams one ticket; returns the assembled content, the serving model and the time to the first chunk. */
  async function stream(text: string): Promise<{ content: string; model: string; firstChunkMs: number }> {
    const started = performance.now();
    const { data, response } = await client.chat.completions
      .create({ model: 'big-model', messages: messages(text), stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let content = '';
    let firstChunkMs = -1;
    for await (const chunk of data) {
      if (firstChunkMs < 0) firstChunkMs = performance.now() - started;
      content += chunk.choices[0]?.delta?.content ?? '';
    }
    return { content, model: response.headers.get('x-rightsize-model') ?? '', firstChunkMs };
  }

  async function api(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    key: string | null = KEY,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  const errorOf = (json: Record<string, unknown>) =>
    json['error'] as { message: string; type: string; code: string; param: string | null };

  async function newRows(since: number): Promise<RequestLogRecord[]> {
    await gateway.runtime.logWriter.flush();
    return store.queryRequestLogs({ since });
  }

  const shadowOf = (row: RequestLogRecord): TierAttempt | undefined =>
    row.tiers.find((tier) => tier.outcome === 'shadow');

  const specialistAnswer = async (text: string) =>
    (await client.chat.completions.create({ model: 'specialist/tickets', messages: messages(text) })).choices[0]
      ?.message.content ?? '';

  it('needs a client key, like every /v1/rightsize/ endpoint', async () => {
    const anonymous = await api('GET', '/v1/rightsize/promotions', undefined, null);
    expect(anonymous.status).toBe(401);
    expect(errorOf(anonymous.json).code).toBe('unauthorized');
    const post = await api('POST', '/v1/rightsize/promotions', { family: familyId, specialist: 'tickets' }, 'wrong');
    expect(post.status).toBe(401);
    // An application's key (default scopes) may chat but not change routing, nor read every team's traffic.
    for (const [method, path] of [
      ['POST', '/v1/rightsize/promotions'],
      ['GET', '/v1/rightsize/promotions'],
      ['POST', `/v1/rightsize/promotions/${familyId}/rollback`],
      ['GET', '/v1/rightsize/analysis'],
    ] as const) {
      const refused = await api(
        method,
        path,
        method === 'POST' ? { family: familyId, specialist: 'tickets' } : undefined,
        APP_KEY,
      );
      expect([refused.status, errorOf(refused.json).type, errorOf(refused.json).code]).toEqual([
        403,
        'permission_error',
        'forbidden',
      ]);
      expect(errorOf(refused.json).message).toBe(
        'The key "app" (scopes: chat, review) may not do this: it needs the "admin" scope; add it to the key\'s server.apiKeys[].scopes.',
      );
    }
    // A path that is no endpoint is a 404 for any valid key, not a scope refusal.
    expect((await api('GET', '/v1/rightsize/promotions/x/y/z', undefined, APP_KEY)).status).toBe(404);
    expect((await api('GET', '/v1/models', undefined, APP_KEY)).status).toBe(200);
    expect((await api('GET', '/v1/rightsize/review?status=pending', undefined, APP_KEY)).status).toBe(200);
    const listed = await api('GET', '/v1/rightsize/promotions');
    expect(listed).toEqual({ status: 200, json: { object: 'list', data: [] } });
  });

  it('answers bad input with 400 and unknown families or specialists with 404, in the OpenAI envelope', async () => {
    const cases: Array<[unknown, number, string, string | null]> = [
      ['{"family":', 400, 'invalid_json', null],
      [[], 400, 'invalid_request', 'body'],
      [{}, 400, 'invalid_request', 'family'],
      [{ family: 'fam_xyz', specialist: 'tickets' }, 400, 'invalid_request', 'family'],
      [{ family: familyId }, 400, 'invalid_request', 'specialist'],
      [{ family: familyId, specialist: 'Tickets Two' }, 400, 'invalid_request', 'specialist'],
      [{ family: familyId, specialist: 'tickets', shadow: 'yes' }, 400, 'invalid_request', 'shadow'],
      [{ family: familyId, specialist: 'tickets', threshold: 2 }, 400, 'invalid_request', 'threshold'],
      [{ family: familyId, specialist: 'tickets', mode: 'active' }, 400, 'invalid_request', 'body'],
      [{ family: 'fam_0123456789', specialist: 'tickets', shadow: true }, 404, 'not_found', 'family'],
      [{ family: familyId, specialist: 'nope', shadow: true }, 404, 'model_not_found', 'specialist'],
    ];
    for (const [body, status, code, param] of cases) {
      const { status: got, json } = await api('POST', '/v1/rightsize/promotions', body);
      expect([JSON.stringify(body), got, errorOf(json).code, errorOf(json).param]).toEqual([
        JSON.stringify(body),
        status,
        code,
        param,
      ]);
      expect(errorOf(json).message.length).toBeGreaterThan(10);
    }
    // The message says what is wrong: a wrong type is not a missing field, a non-object body is named.
    const messages: Array<[unknown, string]> = [
      [
        { family: familyId, specialist: 'tickets', shadow: 'yes' },
        'Invalid body: shadow: expected boolean, got string.',
      ],
      [[], 'Invalid body: expected a JSON object.'],
      [{ specialist: 'tickets' }, 'Invalid body: family: is required.'],
      [{ family: familyId, specialist: 'tickets', mode: 'active' }, 'Invalid body: unknown field mode.'],
    ];
    for (const [body, message] of messages)
      expect(errorOf((await api('POST', '/v1/rightsize/promotions', body)).json).message).toBe(message);
    const missing = await api('POST', '/v1/rightsize/promotions/fam_0123456789/rollback');
    expect([missing.status, errorOf(missing.json).code]).toEqual([404, 'not_found']);
    const malformed = await api('POST', '/v1/rightsize/promotions/not-a-family/rollback');
    expect([malformed.status, errorOf(malformed.json).param]).toEqual([400, 'family']);
    const extra = await api('POST', `/v1/rightsize/promotions/${familyId}/rollback`, { force: true });
    expect(extra.status).toBe(400);
    expect(await store.listPromotions()).toEqual([]);
  });

  it('refuses to go active without shadow data unless forced (409)', async () => {
    const refused = await api('POST', '/v1/rightsize/promotions', {
      family: familyId,
      specialist: 'tickets',
      threshold: THRESHOLD,
    });
    expect(refused.status).toBe(409);
    expect(errorOf(refused.json).code).toBe('conflict');
    expect(errorOf(refused.json).message).toContain('0 shadowed requests');
    // The advice is in HTTP terms, not the CLI's flags.
    expect(errorOf(refused.json).message).toContain(
      `run POST /v1/rightsize/promotions {"family":"${familyId}","specialist":"tickets","shadow":true} first and let traffic flow, or send "force": true.`,
    );
    expect(errorOf(refused.json).message).not.toContain('--');
    expect(await store.listPromotions()).toEqual([]);
  });

  it('puts the specialist in shadow over HTTP, applied before the answer; streams are shadowed and logged', async () => {
    const { status, json } = await api('POST', '/v1/rightsize/promotions', {
      family: familyId,
      specialist: 'tickets',
      shadow: true,
      threshold: THRESHOLD,
    });
    expect(status).toBe(200);
    expect(json['promotion']).toMatchObject({
      familyId,
      specialist: 'tickets',
      mode: 'shadow',
      note: 'shadow by admin',
    });
    // Applied by this gateway before the response: no poll to wait for.
    expect(gateway.runtime.promotions.current().map((entry) => entry.promotion.mode)).toEqual(['shadow']);
    const listed = await api('GET', '/v1/rightsize/promotions');
    expect((listed.json['data'] as Array<{ mode: string }>).map((entry) => entry.mode)).toEqual(['shadow']);
    // The family's matcher as an object, not the store's JSON text.
    expect((listed.json['data'] as Array<{ matcher: unknown }>)[0]?.matcher).toMatchObject({
      kind: expect.any(String),
    });
    expect(typeof (json['promotion'] as { matcher: unknown }).matcher).toBe('object');

    const since = Date.now();
    for (let start = 0; start < test.length; start += 8) {
      const answers = await Promise.all(test.slice(start, start + 8).map((row) => stream(row.text)));
      // The large model's stream reaches the client unchanged.
      answers.forEach((answer, index) => {
        expect(answer.content).toBe(test[start + index]?.label);
        expect(answer.model).toBe('big-model');
      });
    }
    const rows = await newRows(since);
    expect(rows).toHaveLength(test.length);
    expect(rows.every((row) => row.stream && row.status === 200 && row.servedModel === 'big-model')).toBe(true);
    const shadows = rows.map(shadowOf);
    expect(shadows.every((attempt) => attempt?.model === 'specialist/tickets' && attempt.tier === -1)).toBe(true);
    for (const [index, row] of rows.entries()) {
      const attempt = shadows[index] as TierAttempt;
      expect(attempt.reason).toBe(attempt.answer === row.responseText ? 'agrees' : 'disagrees');
      expect(attempt.confidence).toBeGreaterThan(0);
      // The shadow's compute is in the request's cost, next to the model's.
      expect(row.costUsd).toBeCloseTo((row.tiers[0]?.costUsd ?? 0) + 0.000001, 12);
    }
    const agreeing = shadows.filter((attempt) => attempt?.reason === 'agrees').length;
    expect(agreeing / rows.length).toBeGreaterThan(0.7);

    // `analyze` (here over HTTP) sees the streamed shadow's agreement.
    const analysis = await api('GET', '/v1/rightsize/analysis');
    const family = (
      analysis.json['families'] as Array<{ id: string; shadow?: { requests: number; agreement: number } }>
    )
      .filter((entry) => entry.id === familyId)
      .at(0);
    expect(family?.shadow?.requests).toBe(test.length);
    expect(family?.shadow?.agreement).toBeCloseTo(agreeing / rows.length, 10);
  }, 60_000);

  it('does not hold a stream for its shadow: the first chunk comes before a slow shadow answers', async () => {
    shadowDelayMs = 1_500;
    try {
      const since = Date.now();
      const row = test[0] as LabelledRow;
      const answer = await stream(row.text);
      expect(answer.content).toBe(row.label);
      expect(answer.firstChunkMs).toBeLessThan(1_000);
      const [logged] = await newRows(since);
      expect(logged?.ttftMs).toBeLessThan(1_000);
      // The shadow still ran to the end, and was judged on the streamed content.
      expect(shadowOf(logged as RequestLogRecord)?.latencyMs).toBeGreaterThanOrEqual(1_400);
      expect(shadowOf(logged as RequestLogRecord)?.reason).toMatch(/^(agrees|disagrees)$/);
    } finally {
      shadowDelayMs = 0;
    }
  });

  it('goes active over HTTP on the streamed shadow data, live, without a restart', async () => {
    // A threshold whose settled shadow answers all agreed: the most confident run of agreeing answers.
    const shadows = (await store.queryRequestLogs())
      .map(shadowOf)
      .filter((attempt): attempt is TierAttempt => attempt?.confidence !== undefined)
      .sort((a, b) => (b.confidence ?? 0) - (a.confidence ?? 0));
    const firstDisagreement = shadows.findIndex((attempt) => attempt.reason !== 'agrees');
    const settled = shadows.slice(0, firstDisagreement < 0 ? shadows.length : firstDisagreement);
    expect(settled.length).toBeGreaterThan(0);
    const threshold = settled.at(-1)?.confidence ?? 1;

    const { status, json } = await api('POST', '/v1/rightsize/promotions', {
      family: familyId,
      specialist: 'tickets',
      threshold,
    });
    expect(status).toBe(200);
    expect(json['promotion']).toMatchObject({ mode: 'active', threshold });
    // promote's shadow-data check counted the streamed requests.
    expect((json['shadow'] as { requests: number }).requests).toBe(test.length + 1);
    expect(gateway.runtime.promotions.current()[0]?.promotion.mode).toBe('active');

    const served = await send(test.map((row) => row.text));
    expect(served.filter((model) => model === 'specialist/tickets').length).toBeGreaterThan(0);
    expect(served.filter((model) => model === 'big-model').length).toBeGreaterThan(0);
  }, 30_000);

  it('never answers with a specialist below its threshold when the model named cannot run: the model’s 503', async () => {
    const threshold = gateway.runtime.promotions.current()[0]?.promotion.threshold ?? 1;
    const since = Date.now();
    const outcomes = await Promise.all(
      test.map(async (row) => {
        const response = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'offline-model', messages: messages(row.text) }),
        });
        const json = (await response.json()) as Record<string, unknown>;
        return {
          text: row.text,
          status: response.status,
          model: response.headers.get('x-rightsize-model'),
          confidence: Number(response.headers.get('x-rightsize-confidence') ?? Number.NaN),
          error: response.ok ? undefined : errorOf(json),
        };
      }),
    );
    const served = outcomes.filter((outcome) => outcome.status === 200);
    const refused = outcomes.filter((outcome) => outcome.status !== 200);
    // The specialist settles what clears its threshold; the rest gets what the model named gets alone.
    expect(served.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const outcome of served) {
      expect(outcome.model).toBe('specialist/tickets');
      expect(outcome.confidence).toBeGreaterThanOrEqual(Number(threshold.toFixed(4)));
    }
    for (const outcome of refused) {
      expect([outcome.status, outcome.error?.code, outcome.error?.message]).toEqual([
        503,
        'provider_not_configured',
        'provider absent is not configured: set RS_TEST_ABSENT_KEY',
      ]);
    }
    const rows = await newRows(since);
    expect(rows.filter((row) => row.status === 503)).toHaveLength(refused.length);
    // With `edge` the model is dropped: what the specialist does not settle, nothing may answer (422).
    const edge = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'x-rightsize-deployment': 'edge' },
      body: JSON.stringify({ model: 'big-model', messages: messages(refused[0]?.text ?? '') }),
    });
    expect([edge.status, errorOf((await edge.json()) as Record<string, unknown>).code]).toEqual([
      422,
      'no_model_qualifies',
    ]);
  }, 30_000);

  it('rolls back over HTTP: at once, every request goes to the model again', async () => {
    const { status, json } = await api('POST', `/v1/rightsize/promotions/${familyId}/rollback`);
    expect(status).toBe(200);
    expect(json['promotion']).toMatchObject({ mode: 'rolled-back', note: 'rolled back by admin' });
    expect(gateway.runtime.promotions.current()).toEqual([]);
    const served = await send(test.slice(0, 16).map((row) => row.text));
    expect(new Set(served)).toEqual(new Set(['big-model']));
    const listed = await api('GET', '/v1/rightsize/promotions');
    expect((listed.json['data'] as Array<{ mode: string }>).map((entry) => entry.mode)).toEqual(['rolled-back']);
    const again = await api('POST', `/v1/rightsize/promotions/${familyId}/rollback`);
    expect([again.status, errorOf(again.json).code, errorOf(again.json).param]).toEqual([404, 'not_found', 'family']);
  });

  it('serves a specialist retrained under the same name once it is promoted again, without a restart', async () => {
    const text = test[1]?.text ?? '';
    expect(await specialistAnswer(text)).not.toMatch(/^v2-/);
    // Retrained under the same name on relabelled rows (as `distill --name tickets` would replace it).
    await trainTickets(train.map((row) => ({ ...row, label: `v2-${row.label}` })));
    // Requests alone never look at the disk: the copy in memory still answers.
    expect(await specialistAnswer(text)).not.toMatch(/^v2-/);

    // `rightsize promote --shadow`, as the CLI does it: straight on the store, picked up by the poll.
    await promoteFamily({ store, familyId, registryDir, specialist: 'tickets', shadow: true, threshold: THRESHOLD });
    const deadline = Date.now() + PROMOTION_POLL_MS * 5;
    while (gateway.runtime.promotions.current()[0]?.promotion.mode !== 'shadow') {
      if (Date.now() > deadline) throw new Error('the gateway did not apply the promotion');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const since = Date.now();
    await send(test.slice(0, 8).map((row) => row.text));
    const rows = await newRows(since);
    expect(rows.map((row) => shadowOf(row)?.answer?.startsWith('v2-'))).toEqual(rows.map(() => true));
    expect(rows.every((row) => shadowOf(row)?.reason === 'disagrees')).toBe(true);
    expect(await specialistAnswer(text)).toMatch(/^v2-/);
  }, 60_000);
});
