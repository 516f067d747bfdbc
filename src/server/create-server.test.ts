import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
import { createSqliteStore } from '../store/sqlite/create-sqlite-store.ts';
import { type RunningGateway, startGateway } from './start-gateway.ts';

const KEY = 'rs-test-create-server-key-51d0';

/** Writes `bytes` on a raw TCP connection; resolves with every byte the server sent until it closed. */
function exchange(url: string, bytes: string): Promise<Buffer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.write(bytes, 'latin1'));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', () => undefined);
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error('the server kept the connection open'));
    });
  });
}

/** The responses in `raw`, in order: status, content type and the JSON body. */
function responses(raw: Buffer): Array<{ status: number; type: string; body: unknown }> {
  const parsed: Array<{ status: number; type: string; body: unknown }> = [];
  let rest = raw;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    const head = rest.subarray(0, end).toString('latin1');
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
    const header = (name: string) => new RegExp(`^${name}: *(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
    const length = Number(header('content-length'));
    const body = rest.subarray(end + 4, end + 4 + length).toString('utf8');
    parsed.push({ status, type: header('content-type'), body: JSON.parse(body) });
    rest = rest.subarray(end + 4 + length);
  }
  return parsed;
}

describe('the HTTP server', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway({
      config: parseConfig(`server: { port: 0, apiKeys: [{ id: team-a, env: RS_TEST_KEY }] }`),
      environment: readEnvironment({ RS_TEST_KEY: KEY }),
      store: await createSqliteStore(':memory:'),
    });
  });
  afterAll(async () => {
    await gateway.close();
  });

  const post = (headers: string, body: string) =>
    `POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\n${headers}\r\n${body}`;

  it.each([
    ['a Content-Length that is not a number', post('Content-Length: abc\r\n', '{}')],
    ['a control byte in a header', 'GET /v1/models HTTP/1.1\r\nHost: gateway\r\nX-Note: a\u0001b\r\n\r\n'],
    ['a garbage request line', 'HELLO THERE\r\n\r\n'],
    [
      'a body longer than its Content-Length',
      post('Content-Length: 5\r\n', '{"model":"x","messages":[{"role":"user","content":"hi"}]}'),
    ],
  ])('answers %s in OpenAI’s envelope with 400, and closes the connection', async (_name, request) => {
    const answers = responses(await exchange(gateway.url, request));
    expect(answers.length).toBeGreaterThan(0);
    // The last answer is the parser's refusal; a request read before it (a short body) gets its own 400.
    expect(answers.at(-1)).toEqual({
      status: 400,
      type: 'application/json',
      body: {
        error: {
          message: expect.stringMatching(/^Malformed HTTP request.*the connection is closed\.$/),
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_request',
        },
      },
    });
    for (const answer of answers)
      expect(answer).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error' } } });
  });

  it('lets the health check through without a key whatever its query, and nothing else', async () => {
    const status = async (path: string, key?: string) =>
      (await fetch(`${gateway.url}${path}`, key ? { headers: { authorization: `Bearer ${key}` } } : {})).status;
    expect(await status('/healthz')).toBe(200);
    expect(await status('/healthz?x=1')).toBe(200);
    expect(await status('/healthz?')).toBe(200);
    expect(await status('/metrics')).toBe(401);
    expect(await status('/metrics?x=1')).toBe(401);
    expect(await status('/metrics?x=1', KEY)).toBe(200);
    expect(await status('/v1/models?/healthz')).toBe(401);
    expect(await status('/healthz/../v1/models')).toBe(401);
  });

  it('answers a badly percent-encoded path in OpenAI’s envelope', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions%ZZ`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        message: 'The URL is not valid (check its percent-encoding).',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_request',
      },
    });
  });
});
