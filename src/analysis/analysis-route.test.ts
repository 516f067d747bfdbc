import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
import { type RunningGateway, startGateway } from '../server/start-gateway.ts';
import { type OpenAIProtocolServer, startOpenAIProtocolServer } from '../testing/openai-protocol-server.ts';

describe('GET /v1/rightsize/analysis', () => {
  let upstream: OpenAIProtocolServer;
  let gateway: RunningGateway;

  beforeAll(async () => {
    upstream = await startOpenAIProtocolServer({ record: false });
    gateway = await startGateway({
      config: parseConfig(`
server: { port: 0 }
store: { url: "sqlite::memory:", flushIntervalMs: 10 }
providers:
  site: { baseUrl: "${upstream.baseUrl}", deployment: on-prem }
models:
  - { id: big, provider: site, upstreamName: "label:card_arrival", prices: { inputPerMillionUsd: 2.5, outputPerMillionUsd: 10 } }
  - { id: writer, provider: site, upstreamName: echo, prices: { inputPerMillionUsd: 2.5, outputPerMillionUsd: 10 } }
`),
      environment: readEnvironment({}),
    });
    const send = (model: string, system: string, user: string) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model,
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: user },
          ],
        }),
      }).then((response) => response.text());
    for (let index = 0; index < 30; index++) {
      await send(
        'big',
        'Classify the support ticket into one intent label.',
        `Ticket: my card number ${1000 + index} has not arrived after ${index} days`,
      );
    }
    for (let index = 0; index < 10; index++) {
      await send('writer', 'You write friendly product descriptions.', `Describe product ${index} for a catalogue`);
    }
    await gateway.runtime.logWriter.flush();
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('finds the ticket family and its cost from the live log', async () => {
    const response = await fetch(`${gateway.url}/v1/rightsize/analysis?since=1d`);
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      rows: number;
      families: Array<{ requests: number; topOutputs: Array<{ output: string }>; costPerRequestUsd: number }>;
    };
    expect(report.rows).toBe(40);
    const tickets = report.families.find((family) => family.requests === 30);
    expect(tickets?.topOutputs[0]?.output).toBe('card_arrival');
    // 11 input x $2.5 + 7 output x $10, per 1M tokens
    expect(tickets?.costPerRequestUsd).toBeCloseTo(0.0000975, 10);
    expect(report.families.some((family) => family.requests === 10)).toBe(true);
  });

  it('rejects a bad duration in the error envelope', async () => {
    const response = await fetch(`${gateway.url}/v1/rightsize/analysis?since=yesterday`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('since');
  });
});
