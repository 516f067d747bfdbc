import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAIProtocolServer, startOpenAIProtocolServer } from '../testing/openai-protocol-server.ts';
import { runDemo } from './run-demo.ts';

/** Whether anything still answers on `url`. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

describe('runDemo: the gateway as a child process, replayed and stopped', () => {
  let folder: string;
  let upstream: OpenAIProtocolServer;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'rightsize-demo-'));
    upstream = await startOpenAIProtocolServer();
    writeFileSync(
      join(folder, 'tickets.csv'),
      'text,category\nwhere is my card,card_arrival\nmy card is late,card_arrival\nrefund me,refund\n',
    );
  });
  afterAll(async () => {
    await upstream.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('starts the gateway, replays the file through the route, and stops the gateway', async () => {
    const config = join(folder, 'ok.yaml');
    writeFileSync(
      config,
      `
store: { url: "sqlite:${join(folder, 'ok.db')}" }
providers:
  local: { baseUrl: "${upstream.baseUrl}", deployment: on-prem }
models:
  - { id: small, provider: local, upstreamName: "label:card_arrival", prices: { inputPerMillionUsd: 1, outputPerMillionUsd: 2 } }
specialists: { registry: "${join(folder, 'specialists')}" }
routes:
  triage:
    labels: [card_arrival, refund]
    tiers:
      - { model: small, accept: { labels: true } }
      - { model: human }
`,
    );
    const lines: string[] = [];
    const summary = await runDemo({
      route: 'triage',
      data: join(folder, 'tickets.csv'),
      config,
      log: (line) => lines.push(line),
    });
    expect(summary.tiers.map((tier) => [tier.model, tier.requests, tier.correct, tier.judged])).toEqual([
      ['small', 3, 2, 3],
    ]);
    // 11 input x $1 + 7 output x $2 per 1M tokens (the test server's usage).
    expect(summary.total.costPerRequestUsd).toBeCloseTo(0.000025, 12);
    expect(lines.some((line) => line.startsWith('gateway | Rightsize listening on http://127.0.0.1:'))).toBe(true);
    expect(lines.at(-1)).toBe('demo: gateway stopped (exit code 0)');
    const url = /listening on (http:\/\/\S+)/.exec(lines.find((line) => line.includes('listening on')) ?? '')?.[1];
    expect(url).toBeDefined();
    expect(await answers(url as string)).toBe(false);
  });

  it('fails in one message, and still stops the gateway, when a specialist cannot be trained', async () => {
    const config = join(folder, 'missing.yaml');
    writeFileSync(
      config,
      `
store: { url: "sqlite:${join(folder, 'missing.db')}" }
specialists:
  registry: "${join(folder, 'specialists')}"
  train:
    - { name: nowhere, data: "${join(folder, 'no-such-file.csv')}" }
routes:
  triage:
    labels: [card_arrival, refund]
    tiers:
      - { model: specialist/nowhere, accept: { minConfidence: 0.5 } }
      - { model: human }
`,
    );
    const lines: string[] = [];
    const failure = await runDemo({
      route: 'triage',
      data: join(folder, 'tickets.csv'),
      config,
      readyTimeoutMs: 60_000,
      log: (line) => lines.push(line),
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'upstream_error' });
    expect((failure as Error).message).toMatch(
      /^The gateway cannot make specialist\/nowhere ready: .*no-such-file\.csv/,
    );
    expect(lines.at(-1)).toBe('demo: gateway stopped (exit code 0)');
  });

  it('does not take another server on its port for its gateway: the gateway that could not listen is the error', async () => {
    // Another gateway already on the port: healthy, and serving the route.
    const other = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(request.url === '/healthz' ? '{"status":"ok"}' : '{"object":"list","data":[{"id":"triage"}]}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    const config = join(folder, 'busy.yaml');
    writeFileSync(
      config,
      `store: { url: "sqlite:${join(folder, 'busy.db')}" }\nroutes:\n  triage:\n    tiers: [{ model: human }]\n`,
    );
    const lines: string[] = [];
    const failure = await runDemo({
      route: 'triage',
      data: join(folder, 'tickets.csv'),
      config,
      port,
      readyTimeoutMs: 60_000,
      log: (line) => lines.push(line),
    })
      .catch((error: unknown) => error)
      .finally(() => other.close());
    expect(failure).toMatchObject({ code: 'upstream_error' });
    expect((failure as Error).message).toBe(
      'The gateway exited (code 2) before it was ready; its output is above (prefixed "gateway |").',
    );
    expect(lines).toContain(
      `gateway | rightsize: Cannot listen on 127.0.0.1:${port} (EADDRINUSE); pick another --port or stop what holds it.`,
    );
  });
});
