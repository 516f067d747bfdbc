import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
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
  });
});
