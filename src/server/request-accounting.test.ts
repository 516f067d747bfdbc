import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLogRecord, Store } from '../store/store.ts';
import { keywordSpecialists } from '../testing/keyword-specialists.ts';
import { sendAndLeave } from '../testing/send-and-leave.ts';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.ts';
import type { RunningGateway } from './start-gateway.ts';

/** The specialist's price per call (`specialists.costPerCallUsd`). */
const SPECIALIST_USD = 0.001;
/** One upstream call of the protocol server: 11 input tokens at $1 and 7 output tokens at $2 per 1M. */
const LLM_USD = 0.000025;
const HUMAN_USD = 5;

describe('what the log and the headers say about paid tiers, failures and promotions', () => {
  let fixture: TestGateway;
  let gateway: RunningGateway;
  let store: Store;

  beforeAll(async () => {
    const llm = (id: string) =>
      `  - { id: "${id}", provider: local, class: llm, prices: { inputPerMillionUsd: 1, outputPerMillionUsd: 2 } }`;
    fixture = await startTestGateway({
      config: (baseUrl) => `
server: { port: 0 }
store: { flushIntervalMs: 10 }
providers:
  local: { baseUrl: "${baseUrl}", deployment: on-prem, maxRetries: 0 }
models:
${llm('label:no idea')}
${llm('label:refund')}
${llm('fail-500')}
${llm('fail-503')}
${llm('slow-3000')}
${llm('cut-stream')}
specialists: { costPerCallUsd: ${SPECIALIST_USD} }
human: { costPerItemUsd: ${HUMAN_USD} }
routes:
  paid-then-hang:
    labels: [card_arrival, refund]
    tiers:
      - { model: specialist/keywords, accept: { minConfidence: 0.5 } }
      - { model: "label:no idea", accept: { labels: true } }
      - { model: slow-3000 }
  paid-then-person:
    labels: [card_arrival, refund]
    tiers:
      - { model: "label:no idea", accept: { labels: true } }
      - { model: human }
  every-tier-fails:
    tiers:
      - { model: fail-500 }
      - { model: fail-503 }
  keywords-first:
    tiers:
      - { model: specialist/keywords, accept: { minConfidence: 0.5 } }
      - { model: "label:refund" }
`,
      specialists: keywordSpecialists({
        rules: [{ keyword: 'card', label: 'card_arrival', confidence: 0.9 }],
        otherwise: { label: 'refund', confidence: 0.2 },
        labels: ['card_arrival', 'refund'],
      }),
    });
    ({ gateway, store } = fixture);
    // Requests tagged `tickets` to a single model go to the keyword specialist first (accept at 0.5).
    await store.upsertPromotion({
      familyId: 'fam_tickets',
      matcher: JSON.stringify({ kind: 'tag', tag: 'tickets' }),
      specialist: 'keywords',
      mode: 'active',
      threshold: 0.5,
      updatedAt: Date.now(),
      note: null,
    });
    // Requests tagged `shadowed` are answered by the model named, the specialist beside it.
    await store.upsertPromotion({
      familyId: 'fam_shadowed',
      matcher: JSON.stringify({ kind: 'tag', tag: 'shadowed' }),
      specialist: 'keywords',
      mode: 'shadow',
      threshold: 0.5,
      updatedAt: Date.now(),
      note: null,
    });
    await gateway.runtime.promotions.refresh();
  });
  afterAll(() => fixture?.close());

  const post = (model: string, text: string, headers: Record<string, string> = {}, extra = {}) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: text }], ...extra }),
    });

  /** The one log row written since `since` (a failed request's row is queued before its answer is sent). */
  async function onlyRowSince(since: number): Promise<RequestLogRecord> {
    await gateway.runtime.logWriter.flush();
    const rows = await store.queryRequestLogs({ since });
    expect(rows).toHaveLength(1);
    return rows[0] as RequestLogRecord;
  }

  /** The newest log row of a route, once there is one more than `before`. */
  async function newestRow(route: string, before: number): Promise<RequestLogRecord> {
    await expect
      .poll(
        async () => {
          await gateway.runtime.logWriter.flush();
          return (await store.queryRequestLogs({ route })).length;
        },
        { timeout: 5000 },
      )
      .toBe(before + 1);
    return (await store.queryRequestLogs({ route, limit: 1 }))[0] as RequestLogRecord;
  }

  /** Sends a request to `route` and goes away when `leaveWhen` resolves (see `sendAndLeave`). */
  const leave = (route: string, headers: Record<string, string>, leaveWhen: () => Promise<void>) =>
    sendAndLeave({ gatewayUrl: gateway.url, model: route, text: 'where is my refund', headers, leaveWhen });

  const summary = (row: RequestLogRecord) =>
    row.tiers.map((tier) => [tier.tier, tier.model, tier.outcome, tier.reason, tier.costUsd]);

  describe('a client that leaves (499) after tiers were paid for', () => {
    it('logs the cost, tokens and tiers spent before it left', async () => {
      const before = (await store.queryRequestLogs({ route: 'paid-then-hang' })).length;
      // The specialist and the label tier answer at once (and escalate); the third tier hangs.
      await leave('paid-then-hang', {}, () => new Promise((resolve) => setTimeout(resolve, 400)));
      const row = await newestRow('paid-then-hang', before);
      expect([row.status, row.errorCode, row.servedModel]).toEqual([499, 'client_closed_request', null]);
      expect(summary(row).slice(0, 2)).toEqual([
        [0, 'specialist/keywords', 'escalated', 'low_confidence', SPECIALIST_USD],
        [1, 'label:no idea', 'escalated', 'invalid_output', LLM_USD],
      ]);
      expect(row.tiers[2]).toMatchObject({ tier: 2, model: 'slow-3000', outcome: 'failed', costUsd: 0 });
      expect(row.costUsd).toBeCloseTo(SPECIALIST_USD + LLM_USD, 12);
      expect([row.inputTokens, row.outputTokens, row.usageSource]).toEqual([11, 7, 'provider']);
    });

    it('logs the person it queued for when it leaves while waiting for the decision', async () => {
      const before = (await store.queryRequestLogs({ route: 'paid-then-person' })).length;
      await leave('paid-then-person', { 'x-rightsize-review-wait-seconds': '60' }, async () => {
        await expect
          .poll(async () => (await store.listReviewItems({ route: 'paid-then-person' })).length, { timeout: 3000 })
          .toBe(1);
      });
      const row = await newestRow('paid-then-person', before);
      expect([row.status, row.errorCode]).toEqual([499, 'client_closed_request']);
      // The item stays queued for a person, who is paid for deciding it.
      expect(row.tiers.map((tier) => [tier.model, tier.costUsd])).toEqual([
        ['label:no idea', LLM_USD],
        ['human', HUMAN_USD],
      ]);
      expect(row.costUsd).toBeCloseTo(LLM_USD + HUMAN_USD, 10);
      expect([row.inputTokens, row.outputTokens]).toEqual([11, 7]);
    });
  });

  it('reports the answering tier’s usage, streamed or not: a person’s answer has no tokens, whatever the tiers before it spent', async () => {
    const whole = (await (await post('paid-then-person', 'my card')).json()) as { usage: unknown };
    const streamed = await (
      await post('paid-then-person', 'my card', {}, { stream: true, stream_options: { include_usage: true } })
    ).text();
    const usageEvent = streamed
      .split('\n\n')
      .map((event) => event.replace(/^data: /, ''))
      .filter((data) => data.startsWith('{'))
      .map((data) => JSON.parse(data) as { usage?: unknown })
      .find((chunk) => chunk.usage);
    expect(whole.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect(usageEvent?.usage).toEqual(whole.usage);
  });

  describe('a request that fails (no tier answered, or none that may be served)', () => {
    it('logs every tier attempt of a cascade whose tiers all fail (502)', async () => {
      const since = Date.now();
      const response = await post('every-tier-fails', 'hello');
      expect(response.status).toBe(502);
      const row = await onlyRowSince(since);
      expect([row.status, row.errorCode, row.costUsd]).toEqual([502, 'upstream_error', 0]);
      // The error answer names its log row, as a success does.
      expect(response.headers.get('x-request-id')).toBe(row.id);
      // It moved past the first tier before the second ended it.
      expect(row.escalations).toBe(1);
      expect(summary(row)).toEqual([
        [0, 'fail-500', 'failed', 'upstream_error', 0],
        [1, 'fail-503', 'failed', 'upstream_error', 0],
      ]);
      expect(row.tiers.every((tier) => tier.latencyMs > 0)).toBe(true);
      expect(row.usageSource).toBeNull();
    });

    it('logs the attempt of a single model that fails, streamed or not', async () => {
      for (const stream of [false, true]) {
        const since = Date.now();
        const response = await post('fail-500', 'hello', {}, { stream });
        expect(response.status).toBe(502);
        const row = await onlyRowSince(since);
        expect([row.stream, summary(row)]).toEqual([stream, [[0, 'fail-500', 'failed', 'upstream_error', 0]]]);
      }
    });

    it('logs, with its cost, the promoted specialist that did not settle a request whose model then failed', async () => {
      const since = Date.now();
      const response = await post('fail-500', 'where is my refund', { 'x-rightsize-task': 'tickets' });
      expect(response.status).toBe(502);
      const row = await onlyRowSince(since);
      expect(summary(row)).toEqual([
        [0, 'specialist/keywords', 'escalated', 'low_confidence', SPECIALIST_USD],
        [1, 'fail-500', 'failed', 'upstream_error', 0],
      ]);
      expect(row.tiers[0]).toMatchObject({ confidence: 0.2, answer: 'refund' });
      expect([row.status, row.costUsd]).toEqual([502, SPECIALIST_USD]);
      // The promotion that shaped the plan is named, as for an answered request.
      expect([row.escalations, row.decision]).toEqual([1, expect.stringContaining('tickets')]);
    });

    it('logs the shadow of a failed request, unjudged, with its cost, streamed or not', async () => {
      const shadowed = { 'x-rightsize-task': 'shadowed' };
      const shadow = [-1, 'specialist/keywords', 'shadow', undefined, SPECIALIST_USD];
      // Before the first event (streamed or not): the model fails, the shadow had answered.
      for (const stream of [false, true]) {
        const since = Date.now();
        const response = await post('fail-500', 'my card has not arrived', shadowed, { stream });
        expect(response.status).toBe(502);
        const row = await onlyRowSince(since);
        expect([row.stream, summary(row), row.costUsd]).toEqual([
          stream,
          [[0, 'fail-500', 'failed', 'upstream_error', 0], shadow],
          SPECIALIST_USD,
        ]);
        expect(row.tiers[1]).toMatchObject({ answer: 'card_arrival', confidence: 0.9 });
      }
      // A stream cut after its first event: a 200 with an in-band error, logged as a 502.
      const since = Date.now();
      const response = await post('cut-stream', 'my card has not arrived', shadowed, { stream: true });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('upstream_stream_error');
      const row = await onlyRowSince(since);
      expect([row.status, row.errorCode]).toEqual([502, 'upstream_stream_error']);
      expect(row.tiers.map((tier) => [tier.model, tier.outcome, tier.reason])).toEqual([
        ['cut-stream', 'failed', 'upstream_stream_error'],
        ['specialist/keywords', 'shadow', undefined],
      ]);
      expect(row.tiers[0]?.costUsd).toBeGreaterThan(0);
      expect(row.costUsd).toBeCloseTo((row.tiers[0]?.costUsd ?? 0) + SPECIALIST_USD, 12);
    });
  });

  describe('the headers of a promoted request', () => {
    /** The `x-rightsize-*` headers of a response, but the route's name and the decision (which differ by design). */
    function decision(response: Response): Record<string, string> {
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => {
        if (key.startsWith('x-rightsize-') && key !== 'x-rightsize-route' && key !== 'x-rightsize-decision')
          headers[key] = value;
      });
      return headers;
    }

    it('say which tier answered, whether it was accepted and the escalations, as a route says them', async () => {
      for (const stream of [false, true]) {
        const promoted = { 'x-rightsize-task': 'tickets' };
        const settled = await post('label:refund', 'my card has not arrived', promoted, { stream });
        const escalated = await post('label:refund', 'where is my refund', promoted, { stream });
        expect(decision(settled)).toEqual({
          'x-rightsize-model': 'specialist/keywords',
          'x-rightsize-tier': '0',
          'x-rightsize-accepted': 'true',
          'x-rightsize-escalations': '0',
          'x-rightsize-confidence': '0.9000',
          'x-rightsize-cost-usd': String(SPECIALIST_USD),
        });
        expect(decision(escalated)).toEqual({
          'x-rightsize-model': 'label:refund',
          'x-rightsize-tier': '1',
          'x-rightsize-accepted': 'true',
          'x-rightsize-escalations': '1',
          'x-rightsize-cost-usd': String(Number((SPECIALIST_USD + LLM_USD).toFixed(10))),
        });
        expect(settled.headers.get('x-rightsize-route')).toBe('-');
        expect(settled.headers.get('x-rightsize-decision')).toBe(
          'family fam_tickets: specialist/keywords first (accept at 0.5000)',
        );
        // The same cascade as a route answers with the same headers.
        expect(decision(await post('keywords-first', 'my card has not arrived', {}, { stream }))).toEqual(
          decision(settled),
        );
        expect(decision(await post('keywords-first', 'where is my refund', {}, { stream }))).toEqual(
          decision(escalated),
        );
        for (const response of [settled, escalated]) await response.text();
      }
    });
  });
});
