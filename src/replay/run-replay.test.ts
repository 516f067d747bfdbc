import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReplay } from './run-replay.ts';

/**
 * Answers `ok` rows with a chat completion and headers, `deny` rows with a 401 envelope, `slow` rows
 * after 5 s, and `die` rows not at all (the connection is destroyed).
 */
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: Array<{ content: string }> };
      const text = body.messages[0]?.content ?? '';
      if (text === 'slow') {
        setTimeout(() => response.end('{}'), 5_000).unref();
        return;
      }
      if (text === 'die') {
        // No HTTP answer at all, as from a gateway that died.
        request.socket.destroy();
        return;
      }
      if (text === 'deny') {
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ error: { message: 'Missing API key', type: 'invalid_request_error', code: 'x' } }),
        );
        return;
      }
      response.writeHead(200, {
        'content-type': 'application/json',
        'x-rightsize-tier': '1',
        'x-rightsize-model': 'specialist/s',
        'x-rightsize-cost-usd': '0.000002',
        'x-rightsize-skipped': 'gpt-4o-mini',
      });
      response.end(
        JSON.stringify({
          id: 'c1',
          object: 'chat.completion',
          created: 0,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: `label:${text}` }, finish_reason: 'stop' }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('runReplay over the request-based fetch', () => {
  it('reads answers and headers, and turns HTTP errors into outcomes with their status', async () => {
    const outcomes = await runReplay({
      url: `${url}/v1`,
      route: 'triage',
      rows: [{ text: 'ok', label: 'label:ok' }, { text: 'deny' }],
      concurrency: 1,
    });
    expect(outcomes[0]).toMatchObject({
      kind: 'answer',
      answer: 'label:ok',
      tier: 1,
      model: 'specialist/s',
      costUsd: 0.000002,
      skipped: ['gpt-4o-mini'],
    });
    expect(outcomes[1]).toMatchObject({
      kind: 'error',
      status: 401,
      message: expect.stringContaining('Missing API key'),
    });
  });

  it('aborts requests in flight when stopped, and reports an unreachable gateway without a status', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    const started = performance.now();
    const outcomes = await runReplay({ url, route: 'triage', rows: [{ text: 'slow' }], signal: stop.signal });
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(outcomes[0]).toMatchObject({ kind: 'error', status: null });
    const unreachable = await runReplay({ url: 'http://127.0.0.1:9', route: 'triage', rows: [{ text: 'ok' }] });
    expect(unreachable[0]).toMatchObject({ kind: 'error', status: null });
  });

  it('stops when the gateway stops answering, saying after how many rows, and not on scattered failures', async () => {
    const rows = [
      ...Array.from({ length: 3 }, () => ({ text: 'ok' })),
      ...Array.from({ length: 20 }, () => ({ text: 'die' })),
    ];
    const gone = await runReplay({ url, route: 'triage', rows, concurrency: 1, maxConnectionFailures: 5 }).catch(
      (error: unknown) => error,
    );
    expect(gone).toMatchObject({ code: 'upstream_error' });
    expect((gone as Error).message).toMatch(
      /^The gateway at http:\/\/127\.0\.0\.1:\d+ stopped answering: 5 requests in a row got no response \(.*\) after 8 of 23 rows; nothing is summarised\./,
    );
    // Failures between answers are outcomes like any other.
    const scattered = Array.from({ length: 12 }, (_, index) => ({ text: index % 3 === 2 ? 'ok' : 'die' }));
    const outcomes = await runReplay({
      url,
      route: 'triage',
      rows: scattered,
      concurrency: 1,
      maxConnectionFailures: 3,
    });
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(
      scattered.map((row) => (row.text === 'ok' ? 'answer' : 'error')),
    );
  });
});
