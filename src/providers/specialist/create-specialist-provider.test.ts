import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../../config/environment.ts';
import { parseConfig } from '../../config/load-config.ts';
import { isRightsizeError } from '../../errors/rightsize-error.ts';
import { type RunningGateway, startGateway } from '../../server/start-gateway.ts';
import { banking77Sample } from '../../specialists/banking77-sample.ts';
import { trainSpecialist } from '../../specialists/training/train-specialist.ts';
import { createSpecialistProvider, type SpecialistProvider, toSpecialistSource } from './create-specialist-provider.ts';

const registryDir = mkdtempSync(join(tmpdir(), 'rightsize-provider-'));
const train = banking77Sample({ split: 'train', labels: 6, perLabel: 60 });
const test = banking77Sample({ split: 'test', labels: 6, perLabel: 10 });

describe('specialist provider, served over HTTP by the gateway', () => {
  let provider: SpecialistProvider;
  let gateway: RunningGateway;
  let client: OpenAI;

  beforeAll(async () => {
    // A real fastText specialist on six Banking77 intents (trains in about a second).
    await trainSpecialist({ rows: train, name: 'intents', arch: 'fasttext', registryDir, targetAccuracy: 0.9 });
    provider = createSpecialistProvider({ registryDir, costPerCallUsd: 0.000001 });
    const config = parseConfig(
      `server: { host: 127.0.0.1, port: 0 }\nstore: { url: "sqlite::memory:", flushIntervalMs: 10 }\nspecialists: { registry: ${JSON.stringify(registryDir)} }\n`,
    );
    gateway = await startGateway({
      config,
      environment: readEnvironment({}),
      specialists: toSpecialistSource(provider),
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(registryDir, { recursive: true, force: true });
  });

  it('is an edge provider of kind specialist that lists the registry', () => {
    expect(provider.id).toBe('specialist');
    expect(provider.kind).toBe('specialist');
    expect(provider.deployment).toBe('edge');
    expect(provider.names()).toEqual(['intents']);
    expect(provider.labels('intents')).toHaveLength(6);
    expect(provider.labels('unknown')).toBeNull();
  });

  it('answers a chat completion with the label, logprobs and the confidence header', async () => {
    const row = test[0];
    const { data, response } = await client.chat.completions
      .create({
        model: 'specialist/intents',
        messages: [
          { role: 'system', content: 'Classify the ticket.' },
          { role: 'user', content: row?.text ?? '' },
        ],
        logprobs: true,
        top_logprobs: 3,
      })
      .withResponse();
    const choice = data.choices[0];
    const labels = provider.labels('intents') ?? [];
    expect(labels).toContain(choice?.message.content);
    const entry = choice?.logprobs?.content?.[0];
    expect(entry?.token).toBe(choice?.message.content);
    expect(entry?.logprob).toBeLessThanOrEqual(0);
    expect(entry?.top_logprobs).toHaveLength(3);
    expect(entry?.top_logprobs[0]?.token).toBe(entry?.token);
    const confidence = Number(response.headers.get('x-rightsize-confidence'));
    expect(confidence).toBeCloseTo(Math.exp(entry?.logprob ?? 0), 3);
    expect(data.usage).toMatchObject({ prompt_tokens: 0, completion_tokens: 0 });
  });

  it('leaves logprobs out (null, as OpenAI) unless the request asks, and lists 5 alternatives by default', async () => {
    const messages = [{ role: 'user' as const, content: test[0]?.text ?? '' }];
    const plain = await client.chat.completions.create({ model: 'specialist/intents', messages });
    expect(plain.choices[0]?.logprobs).toBeNull();
    const asked = await client.chat.completions.create({ model: 'specialist/intents', messages, logprobs: true });
    expect(asked.choices[0]?.logprobs?.content?.[0]?.top_logprobs).toHaveLength(5);
  });

  it('reads the first 2,000 characters of a long message (3 MB answers like its start)', async () => {
    const [first, second] = provider.labels('intents') ?? [];
    const textOf = (label: string | undefined) => test.find((row) => row.label === label)?.text ?? '';
    const ask = async (content: string) =>
      (await client.chat.completions.create({ model: 'specialist/intents', messages: [{ role: 'user', content }] }))
        .choices[0]?.message.content;
    const head = `${textOf(first)} `.repeat(Math.ceil(2_000 / (textOf(first).length + 1))).slice(0, 2_000);
    const tail = ` ${textOf(second)}`.repeat(Math.ceil(3_000_000 / (textOf(second).length + 1)));
    expect(await ask(textOf(second))).toBe(second);
    expect(await ask(head)).toBe(first);
    // Read whole, the 3 MB of the second intent would outweigh the first 2,000 characters.
    expect(await ask(head + tail)).toBe(first);
    // Blank space before the text does not use up the 2,000 characters.
    expect(await ask(`${' '.repeat(5_000)}${textOf(second)}`)).toBe(second);
  });

  it('classifies held-out rows mostly right through HTTP', async () => {
    let right = 0;
    for (const row of test) {
      const answer = await client.chat.completions.create({
        model: 'specialist/intents',
        messages: [{ role: 'user', content: row.text }],
      });
      if (answer.choices[0]?.message.content === row.label) right++;
    }
    expect(right / test.length).toBeGreaterThan(0.75);
  });

  it('reports confidence, alternatives and the calibrated threshold to the router', async () => {
    const completion = await provider.complete({
      request: { model: 'specialist/intents', messages: [{ role: 'user', content: test[1]?.text ?? '' }] },
      upstreamModel: 'intents',
      signal: new AbortController().signal,
      requestId: 'test-1',
    });
    expect(completion.confidence).toBeGreaterThan(0);
    expect(completion.alternatives?.length).toBe(5);
    const specialist = await provider.specialist('intents');
    expect(completion.acceptThreshold).toBe(specialist.threshold);
    expect(completion.response.choices?.[0]?.message?.content).toBe(
      specialist.predictSync?.(test[1]?.text ?? '').label,
    );
  });

  it('reloads a specialist from the registry after a retraining', async () => {
    const before = await provider.specialist('intents');
    await trainSpecialist({ rows: train.slice(0, 120), name: 'intents', arch: 'fasttext', registryDir, seed: 3 });
    expect(await provider.specialist('intents')).toBe(before);
    await provider.reload('intents');
    const after = await provider.specialist('intents');
    expect(after).not.toBe(before);
    expect(after.metadata.training.rows).toBe(120);
  });

  it('refreshes a specialist only when its files changed, loading the new copy before the old one goes', async () => {
    const current = await provider.specialist('intents');
    // Nothing changed on disk: the loaded copy stays (one stat, no load).
    expect(await provider.refresh('intents')).toBe(false);
    expect(await provider.specialist('intents')).toBe(current);
    await trainSpecialist({ rows: train.slice(0, 90), name: 'intents', arch: 'fasttext', registryDir, seed: 4 });
    expect(await provider.refresh('intents')).toBe(true);
    const refreshed = await provider.specialist('intents');
    expect(refreshed).not.toBe(current);
    expect(refreshed.metadata.training.rows).toBe(90);
    // The replaced copy had no call in flight: it is closed, its WebAssembly memory freed.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(() => current.predictSync?.('my card has not arrived')).toThrow(/closed/);
    expect(await provider.refresh('intents')).toBe(false);
    // A specialist not loaded yet is loaded; one not in the registry is named.
    await provider.reload('intents');
    expect(await provider.refresh('intents')).toBe(true);
    await expect(provider.refresh('nope')).rejects.toSatisfy((error: unknown) =>
      isRightsizeError(error, 'model_not_found'),
    );
  });

  it('refuses a request without user text, and names unknown specialists', async () => {
    const call = (upstreamModel: string, content: string) =>
      provider.complete({
        request: { model: `specialist/${upstreamModel}`, messages: [{ role: 'user', content }] },
        upstreamModel,
        signal: new AbortController().signal,
        requestId: 'test-2',
      });
    await expect(call('intents', '  ')).rejects.toSatisfy((error: unknown) =>
      isRightsizeError(error, 'invalid_request'),
    );
    await expect(call('nope', 'hello')).rejects.toSatisfy(
      (error: unknown) => isRightsizeError(error, 'model_not_found') && error.message.includes('intents'),
    );
  });
});
