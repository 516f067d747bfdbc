import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
import { loadRouteLLMGsm8kRecordings } from '../providers/recorded/load-recorded-answers.ts';
import { type RunningGateway, startGateway } from '../server/start-gateway.ts';
import { loadCascadeScorer, routerPath } from './weak-strong/load-cascade-scorer.ts';

describe('a weak -> strong cascade accepted by the cascade scorer, on RouteLLM GSM8K recordings', () => {
  const folder = mkdtempSync(join(tmpdir(), 'rightsize-cascade-'));
  let gateway: RunningGateway;
  let client: OpenAI;

  beforeAll(async () => {
    gateway = await startGateway({
      config: parseConfig(`
server: { port: 0 }
store: { url: "sqlite::memory:" }
routers: { dir: "${folder}" }
providers:
  weak: { kind: recorded, dataset: routellm-gsm8k-weak }
  strong: { kind: recorded, dataset: routellm-gsm8k-strong }
models:
  - { id: mixtral-8x7b, provider: weak, class: llm, prices: { inputPerMillionUsd: 0.6, outputPerMillionUsd: 0.6 } }
  - { id: gpt-4-1106, provider: strong, class: llm, prices: { inputPerMillionUsd: 10, outputPerMillionUsd: 30 } }
routes:
  math:
    tiers:
      - { model: mixtral-8x7b, accept: { scorer: { name: cascade-gsm8k, threshold: 0.6 } } }
      - { model: gpt-4-1106 }
`),
      environment: readEnvironment({}),
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('keeps the weak answer exactly when the scorer clears the threshold, else pays for the strong one', async () => {
    const scorer = loadCascadeScorer(routerPath('cascade-gsm8k', folder));
    const { weak, strong } = loadRouteLLMGsm8kRecordings();
    let escalated = 0;
    for (let index = 0; index < 40; index++) {
      const prompt = weak[index]?.prompt ?? '';
      const expectWeak = scorer.score(prompt, weak[index]?.answer ?? '') >= 0.6;
      const { data, response } = await client.chat.completions
        .create({ model: 'math', messages: [{ role: 'user', content: prompt }] })
        .withResponse();
      expect(response.headers.get('x-rightsize-tier')).toBe(expectWeak ? '0' : '1');
      expect(data.choices[0]?.message.content).toBe(expectWeak ? weak[index]?.answer : strong[index]?.answer);
      if (!expectWeak) escalated++;
    }
    // Both branches were exercised.
    expect(escalated).toBeGreaterThan(0);
    expect(escalated).toBeLessThan(40);
  });
});
