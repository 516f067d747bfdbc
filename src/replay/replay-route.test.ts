import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCatalog } from '../catalog/create-catalog.ts';
import { main } from '../cli/main.ts';
import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
import { countUsage } from '../routing/count-tokens.ts';
import { priceUsage } from '../routing/price-usage.ts';
import { type RunningGateway, startGateway } from '../server/start-gateway.ts';
import { createSqliteStore } from '../store/sqlite/create-sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { keywordSpecialists } from '../testing/keyword-specialists.ts';
import { renderReplayTable } from './render-replay-table.ts';
import type { ReplaySummary } from './replay.ts';
import { replayRoute } from './replay-route.ts';

/** Run by the judge before it answers a message, when set (a reviewer acting mid-replay). */
let beforeJudging: ((text: string) => Promise<void>) | undefined;

/** An OpenAI-protocol "large model" whose answer depends on the message (10 tokens in, 2 out). */
async function startJudge(answers: Record<string, string>): Promise<{ baseUrl: string; server: Server }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        messages: Array<{ role: string; content: string }>;
      };
      const text = body.messages.findLast((message) => message.role === 'user')?.content ?? '';
      await beforeJudging?.(text);
      const json = JSON.stringify({
        id: 'chatcmpl-judge',
        object: 'chat.completion',
        created: 0,
        model: 'judge',
        choices: [
          { index: 0, message: { role: 'assistant', content: answers[text] ?? 'no idea' }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
      });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(json);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}

const rows: Array<[string, string]> = [
  ['where is my card', 'card_arrival'], // tier 0, right
  ['my card has not arrived', 'card_arrival'], // tier 0, right
  ['card payment refund please', 'refund'], // tier 0, wrong (sure of card)
  ['I want a refund', 'refund'], // tier 0 unsure -> judge, right
  ['what exchange rate do you use', 'exchange_rate'], // tier 0 unsure -> judge, wrong
  ['something odd happened', 'refund'], // judge answers no label -> a person
  ['x'.repeat(3000), 'refund'], // over the body limit: an HTTP error
];
const judgeAnswers = {
  'I want a refund': 'refund',
  'what exchange rate do you use': 'refund',
};

function configYaml(judgeUrl: string): string {
  return `
server: { host: 127.0.0.1, port: 0, bodyLimitBytes: 2000 }
store: { url: "sqlite::memory:", flushIntervalMs: 10 }
providers:
  openai: { baseUrl: "https://api.openai.com/v1", apiKeyEnv: OPENAI_API_KEY }
  local: { baseUrl: "${judgeUrl}", deployment: on-prem, maxRetries: 0 }
models:
  - { id: judge, provider: local, prices: { inputPerMillionUsd: 1, outputPerMillionUsd: 2 } }
specialists: { costPerCallUsd: 0.000002 }
human: { costPerItemUsd: 3 }
routes:
  triage:
    labels: [card_arrival, refund, exchange_rate]
    tiers:
      - { model: specialist/keywords, accept: { minConfidence: 0.5 } }
      - { model: gpt-4o-mini, accept: { labels: true } }
      - { model: judge, accept: { labels: true } }
      - { model: human }
`;
}

describe('replay through a running gateway', () => {
  let folder: string;
  let dataPath: string;
  let configPath: string;
  let judge: Awaited<ReturnType<typeof startJudge>>;
  let store: Store;
  let gateway: RunningGateway;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'rightsize-replay-'));
    dataPath = join(folder, 'tickets.csv');
    writeFileSync(dataPath, `text,category\n${rows.map(([text, label]) => `"${text}",${label}`).join('\n')}\n`);
    judge = await startJudge(judgeAnswers);
    configPath = join(folder, 'rightsize.yaml');
    writeFileSync(configPath, configYaml(judge.baseUrl));
    store = await createSqliteStore(':memory:');
    gateway = await startGateway({
      config: parseConfig(configYaml(judge.baseUrl)),
      // No OPENAI_API_KEY: the gpt-4o-mini tier is skipped, and says so.
      environment: readEnvironment({}),
      store,
      specialists: keywordSpecialists({
        rules: [
          { keyword: 'card', label: 'card_arrival', confidence: 0.9 },
          { keyword: 'refund', label: 'refund', confidence: 0.4 },
          { keyword: 'rate', label: 'exchange_rate', confidence: 0.3 },
        ],
        otherwise: { label: 'refund', confidence: 0.1 },
      }),
    });
  });
  afterAll(async () => {
    await gateway.close();
    await new Promise((resolve) => judge.server.close(resolve));
    rmSync(folder, { recursive: true, force: true });
  });

  async function replay(): Promise<ReplaySummary> {
    return replayRoute({
      url: gateway.url,
      route: 'triage',
      data: dataPath,
      textColumn: 'text',
      labelColumn: 'category',
      concurrency: 3,
      config: parseConfig(configYaml(judge.baseUrl)),
      progress: false,
    });
  }

  it('reports each tier’s share, accuracy, cost and latency from the gateway’s headers', async () => {
    const summary = await replay();
    expect(summary.requests).toBe(7);
    expect(summary.tiers.map((tier) => [tier.tier, tier.model, tier.requests])).toEqual([
      [0, 'specialist/keywords', 3],
      [2, 'judge', 2],
      [3, 'human', 1],
    ]);
    const [specialist, llm, human] = summary.tiers;
    expect(specialist).toMatchObject({ share: 3 / 7, judged: 3, correct: 2, pending: 0 });
    expect(specialist?.costPerRequestUsd).toBeCloseTo(0.000002, 12);
    expect(specialist?.p50LatencyMs).toBeGreaterThan(0);
    // One specialist call, the skipped tier (free), then the judge: (10 x $1 + 2 x $2) / 1M.
    expect(llm).toMatchObject({ share: 2 / 7, judged: 2, correct: 1, accuracy: 0.5 });
    expect(llm?.costPerRequestUsd).toBeCloseTo(0.000002 + 0.000014, 12);
    // The person has not decided: pending, neither right nor wrong.
    expect(human).toMatchObject({ share: 1 / 7, pending: 1, judged: 0, accuracy: null });
    expect(human?.costPerRequestUsd).toBeCloseTo(3.000016, 9);
    expect(summary.automated).toMatchObject({ requests: 5, judged: 5, correct: 3, accuracy: 0.6 });
    expect(summary.total).toMatchObject({ requests: 6, judged: 5, correct: 3, pending: 1 });
    expect(summary.skipped).toEqual([{ model: 'gpt-4o-mini', requests: 3 }]);
    expect(summary.errors.requests).toBe(1);
    expect(summary.errors.messages[0]?.message).toMatch(/^413: /);

    const items = await store.listReviewItems({ status: 'pending', route: 'triage' });
    expect(items.map((item) => item.input)).toContain('something odd happened');
  });

  it('prices the same answered requests at the route’s large model for the saving', async () => {
    const summary = await replay();
    // The route's first llm-class tier is gpt-4o-mini (skipped here, priced from the catalog).
    expect(summary.baseline.model).toBe('gpt-4o-mini');
    const prices = createCatalog().get('gpt-4o-mini')?.prices;
    let expected = 0;
    for (const [text, label] of rows.slice(0, 6))
      expected += priceUsage(prices, countUsage({ messages: [{ role: 'user', content: text }] }, label)) ?? Number.NaN;
    expect(summary.baseline.requests).toBe(6);
    expect(summary.baseline.totalUsd).toBeCloseTo(expected, 12);
    const rightsize = 3 * 0.000002 + 2 * 0.000016 + 3.000016;
    expect(summary.baseline.rightsizeTotalUsd).toBeCloseTo(rightsize, 9);
    expect(summary.baseline.savingPercent).toBeCloseTo(((expected - rightsize) / expected) * 100, 3);
    const automatedBaseline =
      expected -
      (priceUsage(prices, countUsage({ messages: [{ role: 'user', content: 'something odd happened' }] }, 'refund')) ??
        0);
    expect(summary.baseline.automated?.savingPercent).toBeCloseTo(
      ((automatedBaseline - (3 * 0.000002 + 2 * 0.000016)) / automatedBaseline) * 100,
      6,
    );

    const table = renderReplayTable(summary);
    if (process.env['SHOW_TABLE']) console.log(table);
    expect(table).toContain('specialist/keywords');
    expect(table).toContain('66.7% (2/3)');
    expect(table).toContain('Skipped (not configured): gpt-4o-mini');
    expect(table).toContain('All-LLM baseline');
    expect(table).toMatch(/Error x1: 413: /);
  });

  it('waits for reviewers on request, and reads back decisions made before the replay ends', async () => {
    const later = join(folder, 'later.csv');
    // Concurrency 1: the escalated ticket is answered pending at once; when the judge then sees the
    // next ticket, a reviewer resolves it (wrongly: the label is refund), before the replay ends.
    writeFileSync(later, 'text,category\n"something odd happened",refund\n"I want a refund",refund\n');
    beforeJudging = async (text) => {
      if (text !== 'I want a refund') return;
      for (const item of await store.listReviewItems({ status: 'pending', route: 'triage' }))
        await store.resolveReviewItem(item.id, { reviewer: 'alice', decision: 'exchange_rate' });
    };
    try {
      const options = {
        url: gateway.url,
        route: 'triage',
        textColumn: 'text',
        labelColumn: 'category',
        concurrency: 1,
        config: parseConfig(configYaml(judge.baseUrl)),
        progress: false as const,
      };
      const summary = await replayRoute({ ...options, data: later });
      expect(summary.tiers.find((tier) => tier.human)).toMatchObject({ pending: 1, judged: 0 });
      expect(summary.resolvedLater).toEqual({ requests: 1, judged: 1, correct: 0, accuracy: 0 });
      expect(renderReplayTable(summary)).toContain(
        "Reviewed by the end of the replay: 1 of those; the reviewers' decisions match the labels on 0.0% (0/1).",
      );

      // Waiting: a reviewer decides while the request waits, so the client gets the decision.
      beforeJudging = undefined;
      const resolver = setInterval(async () => {
        for (const item of await store.listReviewItems({ status: 'pending', route: 'triage' }))
          await store.resolveReviewItem(item.id, { reviewer: 'bob', decision: 'refund' }).catch(() => {});
      }, 20);
      try {
        const waited = await replayRoute({ ...options, data: later, limit: 1, reviewWaitSeconds: 5 });
        expect(waited.tiers.find((tier) => tier.human)).toMatchObject({ pending: 0, judged: 1, correct: 1 });
        expect(waited.resolvedLater.requests).toBe(0);
      } finally {
        clearInterval(resolver);
      }
    } finally {
      beforeJudging = undefined;
    }
  });

  it('runs as `rightsize replay --json`, and fails in one line when the gateway is down', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const base = ['node', 'rightsize', 'replay', '--route', 'triage', '--data', dataPath, '--text-column', 'text'];
      await main([
        ...base,
        '--label-column',
        'category',
        '--url',
        gateway.url,
        '--config',
        configPath,
        '--limit',
        '4',
        '--json',
      ]);
      const printed = JSON.parse(out.mock.calls.map(([chunk]) => String(chunk)).join('')) as ReplaySummary;
      expect(printed.requests).toBe(4);
      expect(printed.tiers.map((tier) => [tier.model, tier.requests])).toEqual([
        ['specialist/keywords', 3],
        ['judge', 1],
      ]);
      expect(printed.baseline.model).toBe('gpt-4o-mini');
      expect(process.exitCode ?? 0).toBe(0);

      await main([...base, '--url', 'http://127.0.0.1:1']);
      const message = err.mock.calls.map(([chunk]) => String(chunk)).join('');
      expect(message).toMatch(/^rightsize: Cannot reach the gateway at http:\/\/127\.0\.0\.1:1 .*\n$/);
      expect(process.exitCode).toBe(2);

      // Something else answers there (here a plain file server's 404), or the URL is not one.
      const other = createServer((_request, response) => {
        response.writeHead(404, { 'content-type': 'text/html' });
        response.end('<html>Not Found</html>');
      });
      await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
      const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      try {
        err.mockClear();
        await main([...base, '--url', otherUrl]);
        expect(err.mock.calls.map(([chunk]) => String(chunk)).join('')).toBe(
          `rightsize: The server at ${otherUrl} is not a Rightsize gateway: GET /healthz answered 404; check --url (the gateway prints where it listens).\n`,
        );
      } finally {
        other.close();
      }
      err.mockClear();
      await main([...base, '--url', 'notaurl']);
      expect(err.mock.calls.map(([chunk]) => String(chunk)).join('')).toContain(
        'rightsize: --url "notaurl" is not an http:// or https:// URL',
      );
    } finally {
      out.mockRestore();
      err.mockRestore();
      process.exitCode = 0;
    }
  });
});
