import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../config/default-config.ts';
import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
import { createSpecialistProvider, toSpecialistSource } from '../providers/specialist/create-specialist-provider.ts';
import { createSqliteStore } from '../store/sqlite/create-sqlite-store.ts';
import { keywordSpecialists } from '../testing/keyword-specialists.ts';
import { type OpenAIProtocolServer, startOpenAIProtocolServer } from '../testing/openai-protocol-server.ts';
import { type RunningGateway, startGateway } from './start-gateway.ts';

describe('model: auto through the gateway', () => {
  let local: OpenAIProtocolServer;
  let cloud: OpenAIProtocolServer;
  let gateway: RunningGateway;

  beforeAll(async () => {
    local = await startOpenAIProtocolServer();
    cloud = await startOpenAIProtocolServer();
    gateway = await startGateway({
      config: parseConfig(`
server: { port: 0 }
store: { url: "sqlite::memory:", flushIntervalMs: 10 }
providers:
  site: { baseUrl: "${local.baseUrl}", deployment: on-prem }
  vendor: { baseUrl: "${cloud.baseUrl}", deployment: cloud }
models:
  - { id: local-8b, provider: site, class: slm, parameters: 8000000000, contextWindow: 8192, prices: { inputPerMillionUsd: 0.05, outputPerMillionUsd: 0.1 } }
  - { id: cloud-large, provider: vendor, class: llm, contextWindow: 128000, inputModalities: [text, image], prices: { inputPerMillionUsd: 2.5, outputPerMillionUsd: 10 } }
`),
      environment: readEnvironment({}),
    });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([local.close(), cloud.close()]);
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const image = {
    role: 'user',
    content: [
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ],
  };

  it('sends an image to a model that reads images, and says why', async () => {
    const response = await post({ model: 'auto', messages: [image] });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-rightsize-model')).toBe('cloud-large');
    expect(response.headers.get('x-rightsize-route')).toBe('auto');
    expect(response.headers.get('x-rightsize-decision')?.length).toBeGreaterThan(0);
  });

  it('keeps an on-premises image request off the cloud: 422 naming the constraint, no connection made', async () => {
    const before = cloud.requests.length;
    const response = await post({ model: 'auto', messages: [image] }, { 'x-rightsize-deployment': 'on-prem' });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('no_model_qualifies');
    expect(body.error.message.toLowerCase()).toMatch(/image|modal/);
    expect(cloud.requests.length).toBe(before);
  });

  it('sends an over-long prompt only to a model whose context holds it', async () => {
    const long = 'word '.repeat(12_000);
    const response = await post({ model: 'auto', messages: [{ role: 'user', content: long }] });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-rightsize-model')).toBe('cloud-large');
  });

  it('keeps the on-prem promise for a named model too: 422, no connection to the cloud', async () => {
    const before = cloud.requests.length;
    const refused = await post(
      { model: 'cloud-large', messages: [{ role: 'user', content: 'hi' }] },
      { 'x-rightsize-deployment': 'on-prem' },
    );
    expect(refused.status).toBe(422);
    expect(cloud.requests.length).toBe(before);
    const allowed = await post(
      { model: 'local-8b', messages: [{ role: 'user', content: 'hi' }] },
      { 'x-rightsize-deployment': 'on-prem' },
    );
    expect(allowed.status).toBe(200);
    const unknown = await post(
      { model: 'local-8b', messages: [{ role: 'user', content: 'hi' }] },
      { 'x-rightsize-deployment': 'mars' },
    );
    expect(unknown.status).toBe(400);
  });

  it('lists auto among the models', async () => {
    const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((model) => model.id)).toContain('auto');
    // `human` is accepted as a model, so it is listed.
    expect(models.data.find((model) => model.id === 'human')).toMatchObject({ owned_by: 'human' });
  });
});

describe('x-rightsize-deployment: edge while the specialists are still loading (default config, no OPENAI_API_KEY)', () => {
  const registryDir = mkdtempSync(join(tmpdir(), 'rightsize-edge-loading-'));
  let gateway: RunningGateway;

  beforeAll(async () => {
    // The specialists of specialists.train are not in the (empty) registry yet: as during the first start's training.
    const specialists = createSpecialistProvider({ registryDir, costPerCallUsd: 0.000001 });
    gateway = await startGateway({
      config: parseConfig(
        DEFAULT_CONFIG_YAML.replace('port: 8080', 'port: 0').replace(
          'registry: .rightsize/specialists',
          `registry: ${JSON.stringify(registryDir)}`,
        ),
      ),
      environment: readEnvironment({}),
      store: await createSqliteStore(':memory:'),
      specialists: toSpecialistSource(specialists),
    });
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(registryDir, { recursive: true, force: true });
  });

  const edge = async (model: string) => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-rightsize-deployment': 'edge' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'My card has not arrived' }] }),
    });
    return {
      status: response.status,
      error: ((await response.json()) as { error: { code: string; message: string } }).error,
    };
  };

  it('says no edge model is available yet, not which cloud key to set', async () => {
    const route = await edge('support-triage');
    expect([route.status, route.error.code]).toEqual([503, 'provider_not_configured']);
    expect(route.error.message).toMatch(
      /^No edge model is available yet for this request: its specialists are still loading/,
    );
    expect(route.error.message).toContain('(specialist/support-triage-fasttext, specialist/support-triage;');
    expect(route.error.message).not.toContain('OPENAI_API_KEY');
    // A cloud model named with edge is excluded (422), whether or not its key is set.
    const cloud = await edge('gpt-4o-mini');
    expect([cloud.status, cloud.error.code]).toEqual([422, 'no_model_qualifies']);
    expect(cloud.error.message).toContain('gpt-4o-mini (cloud)');
  });

  it('does not list auto when no catalog model has a configured provider', async () => {
    const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    const ids = models.data.map((model) => model.id);
    expect(ids).toContain('support-triage');
    expect(ids).not.toContain('auto');
    expect(ids).not.toContain('gpt-4o-mini');
  });
});

describe('the start-up banner without a configured provider', () => {
  it('lists the specialists and a person, not auto', async () => {
    const banner: string[] = [];
    const gateway = await startGateway({
      config: parseConfig('server: { port: 0 }\nstore: { url: "sqlite::memory:" }\n'),
      environment: readEnvironment({}),
      specialists: keywordSpecialists({ rules: [], otherwise: { label: 'refund', confidence: 0.9 } }),
      print: (line) => banner.push(line),
    });
    await gateway.close();
    expect(banner.find((line) => line.startsWith('  models:'))).toBe('  models: specialist/keywords, human');
  });
});
