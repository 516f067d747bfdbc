import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/store.ts';
import { keywordSpecialists } from '../testing/keyword-specialists.ts';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.ts';
import type { RunningGateway } from './start-gateway.ts';

describe('routes and specialists that answer with a label', () => {
  let fixture: TestGateway;
  let store: Store;
  let gateway: RunningGateway;
  beforeAll(async () => {
    fixture = await startTestGateway({
      config: (baseUrl) => `
server: { port: 0 }
providers:
  local: { baseUrl: "${baseUrl}", deployment: on-prem }
models:
  - { id: "label:yes", provider: local }
  - { id: echo, provider: local }
routes:
  yes-no:
    labels: [yes, no]
    tiers:
      - { model: specialist/keywords, accept: { minConfidence: 0.5 } }
      - { model: "label:yes", accept: { labels: true } }
  free-text:
    tiers:
      - { model: echo }
`,
      // Trained on other labels than the route's: "card_arrival" is none of yes / no.
      specialists: keywordSpecialists({
        rules: [{ keyword: 'card', label: 'card_arrival', confidence: 0.99 }],
        otherwise: { label: 'no', confidence: 0.9 },
      }),
    });
    ({ store, gateway } = fixture);
  });
  afterAll(() => fixture.close());

  const ask = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      json: (await response.json()) as {
        error?: { code: string; param: string | null; message: string };
        choices?: Array<{ message: { content: string } }>;
      },
    };
  };
  const messages = [{ role: 'user', content: 'where is my card' }];

  it.each([
    ['yes-no', { n: 2 }, 'n', 'several choices'],
    ['yes-no', { response_format: { type: 'json_object' } }, 'response_format', 'a json_object response'],
    [
      'yes-no',
      { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } } },
      'response_format',
      'a json_schema response',
    ],
    [
      'specialist/keywords',
      { tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] },
      'tools',
      'tool calls',
    ],
  ])('refuses %s with %j (400 naming %s)', async (model, extra, param, what) => {
    const answer = await ask({ model, messages, ...extra });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ code: 'invalid_request', param });
    expect(answer.json.error?.message).toContain(`answers with one label, so it cannot give ${what}`);
  });

  it('retrieves a specialist by its id, slash and all', async () => {
    const response = await fetch(`${gateway.url}/v1/models/specialist/keywords`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 'specialist/keywords', owned_by: 'specialist' });
    expect((await fetch(`${gateway.url}/v1/models/specialist/nope`)).status).toBe(404);
  });

  it('still serves a plain-text response_format, and routes without labels pass JSON requests on', async () => {
    const text = await ask({ model: 'yes-no', messages, response_format: { type: 'text' } });
    expect(text.status).toBe(200);
    const json = await ask({ model: 'free-text', messages, response_format: { type: 'json_object' }, n: 2 });
    expect(json.status).toBe(200);
    expect(json.json.choices?.[0]?.message.content).toBe('echo: where is my card');
  });

  it("escalates a specialist answer that is not one of the route's labels, however confident", async () => {
    const answer = await ask({ model: 'yes-no', messages });
    expect(answer.status).toBe(200);
    expect(answer.json.choices?.[0]?.message.content).toBe('yes');
    expect(answer.headers.get('x-rightsize-tier')).toBe('1');
    const other = await ask({ model: 'yes-no', messages: [{ role: 'user', content: 'something else' }] });
    expect(other.json.choices?.[0]?.message.content).toBe('no');
    expect(other.headers.get('x-rightsize-tier')).toBe('0');
    await gateway.runtime.logWriter.flush();
    const rows = await store.queryRequestLogs();
    const escalated = rows.find((row) => row.id === answer.headers.get('x-request-id'));
    expect(escalated?.tiers[0]).toMatchObject({
      model: 'specialist/keywords',
      outcome: 'escalated',
      reason: 'invalid_output',
    });
  });

  it('refuses a task tag that is not printable ASCII, and logs a valid one', async () => {
    const garbled = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-rightsize-task': Buffer.from('café', 'utf8').toString('latin1'),
      },
      body: JSON.stringify({ model: 'free-text', messages }),
    });
    expect(garbled.status).toBe(400);
    const refusal = ((await garbled.json()) as { error: { param: string; message: string } }).error;
    expect(refusal.param).toBe('x-rightsize-task');
    // Quoted as the client wrote it, not as Node's Latin-1 reading of its bytes.
    expect(refusal.message).toContain('got "café"');
    const long = await ask({ model: 'free-text', messages }, { 'x-rightsize-task': 'x'.repeat(201) });
    expect(long.status).toBe(400);
    const empty = await ask({ model: 'free-text', messages }, { 'x-rightsize-task': '' });
    expect(empty.status).toBe(200);
    const tagged = await ask({ model: 'free-text', messages }, { 'x-rightsize-task': 'ticket triage v2' });
    expect(tagged.status).toBe(200);
    await gateway.runtime.logWriter.flush();
    const rows = await store.queryRequestLogs();
    expect(rows.find((row) => row.id === tagged.headers.get('x-request-id'))?.tag).toBe('ticket triage v2');
  });
});
