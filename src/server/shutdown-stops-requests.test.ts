import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
import { createSqliteStore } from '../store/sqlite/create-sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { keywordSpecialists } from '../testing/keyword-specialists.ts';
import { type OpenAIProtocolServer, startOpenAIProtocolServer } from '../testing/openai-protocol-server.ts';
import { startGateway } from './start-gateway.ts';

describe('close() with requests still running after the grace period', () => {
  let upstream: OpenAIProtocolServer;
  let store: Store;
  beforeAll(async () => {
    upstream = await startOpenAIProtocolServer();
    store = await createSqliteStore(':memory:');
  });
  afterAll(async () => {
    await upstream.close();
    await store.close();
  });

  it('answers each 503 shutting_down and logs it, instead of cutting the connection with no row', async () => {
    const gateway = await startGateway({
      config: parseConfig(`
server: { port: 0 }
providers:
  local: { baseUrl: "${upstream.baseUrl}", deployment: on-prem }
models:
  - { id: slow-30000, provider: local, prices: { inputPerMillionUsd: 1, outputPerMillionUsd: 1 } }
routes:
  triage:
    labels: [cards, other]
    tiers:
      - { model: specialist/keywords, accept: { minConfidence: 0.9 } }
      - { model: slow-30000, accept: { labels: true } }
`),
      environment: readEnvironment({}),
      // Kept open after the gateway closes, to read what it logged.
      store: { ...store, close: async () => {} },
      specialists: keywordSpecialists({
        rules: [{ keyword: 'stuck', label: 'cards', confidence: 0.99, delayMs: 60_000 }],
        otherwise: { label: 'other', confidence: 0.2 },
      }),
      shutdownGraceMs: 300,
    });
    const ask = (body: Record<string, unknown>) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (response) => ({
        status: response.status,
        id: response.headers.get('x-request-id'),
        body: (await response.json()) as { error?: { code: string; message: string } },
      }));
    const answers = Promise.all([
      // A provider that takes 30 s, plain and streamed (no event before its headers).
      ask({ model: 'slow-30000', messages: [{ role: 'user', content: 'hello' }] }),
      ask({ model: 'slow-30000', stream: true, messages: [{ role: 'user', content: 'hello' }] }),
      // A specialist busy for 60 s: it cannot be stopped, only no longer waited for.
      ask({ model: 'specialist/keywords', messages: [{ role: 'user', content: 'stuck ticket' }] }),
      // A cascade whose second tier is the slow provider.
      ask({ model: 'triage', messages: [{ role: 'user', content: 'unsure ticket' }] }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closing = performance.now();
    await gateway.close();
    expect(performance.now() - closing).toBeLessThan(5_000);

    const settled = await answers;
    for (const answer of settled) {
      expect(answer.status).toBe(503);
      expect(answer.body.error?.code).toBe('shutting_down');
      expect(answer.body.error?.message).toContain('retry it');
    }
    const rows = await store.queryRequestLogs();
    expect(rows.map((row) => row.id).sort()).toEqual(settled.map((answer) => answer.id).sort());
    expect(rows.every((row) => row.status === 503 && row.errorCode === 'shutting_down')).toBe(true);
    // The cascade's row keeps the tier it settled nothing with, and the one it was stopped in.
    const cascade = rows.find((row) => row.route === 'triage');
    expect(cascade?.tiers.map((attempt) => [attempt.model, attempt.outcome])).toEqual([
      ['specialist/keywords', 'escalated'],
      ['slow-30000', 'failed'],
    ]);
  });
});
