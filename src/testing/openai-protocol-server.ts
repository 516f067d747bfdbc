import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that speaks OpenAI's chat completions protocol, standing in for a provider
 * in tests and benchmarks. The `model` a request names picks the behaviour:
 * - anything else: answers `echo: <last user message>` (streamed in 3 chunks when asked), with usage;
 * - `fail-<status>`: always answers that status with an OpenAI error body (`param: "messages"` for 400);
 * - `flaky-429`: the first call of each `x-request-id` gets 429 with `retry-after-ms: 20`, then succeeds;
 * - `slow-<ms>`: waits that long before the response headers;
 * - `no-usage`: like echo, without usage;
 * - `cut-stream`: streams one chunk, then destroys the socket;
 * - `no-done`: streams, then ends without `[DONE]`;
 * - `in-band-error`: streams one chunk, then an `{"error":...}` event;
 * - `error-first`: a stream whose first event is an `{"error":...}` event;
 * - `bad-event`: streams one chunk, then an event cut mid-JSON (`{"id":"chatcmpl-test","obj`);
 * - `stall-stream`: streams one chunk, then sends nothing more (the connection stays open);
 * - `ping-stream`: streams one chunk, then only SSE comments (`: ping`), one every 50 ms, until closed;
 * - `trickle`: answers (not streamed) with its headers, then a space every 50 ms, until closed;
 * - `json-for-stream`: answers a stream request with a whole JSON chat completion (ignores `stream`);
 * - `redirect`: answers 301 to an https address;
 * - `huge-<bytes>`: answers (not streamed) a content of that many `x`;
 * - `split-utf8`: streams `héllo 👋` with the bytes of each multi-byte character split across writes;
 * - `label:<text>`: answers exactly `<text>` (for classification tiers).
 * `answer` (an option) may choose the content instead, from the last user message and the model
 * (e.g. a data set's gold label, as a large model that is always right); it answers the same way,
 * streamed in 3 chunks when asked.
 * Every request's headers and parsed body are kept in `requests`.
 */
export interface OpenAIProtocolServer {
  url: string;
  /** `${url}/v1`, what a provider's baseUrl takes. */
  baseUrl: string;
  requests: Array<{ headers: IncomingMessage['headers']; body: Record<string, unknown> }>;
  /** Keep request bodies (off for benchmarks). @default true */
  record: boolean;
  /** Responses whose connection closed before they were finished (client or gateway gave up). */
  readonly aborted: number;
  close(): Promise<void>;
}

export async function startOpenAIProtocolServer(
  options: {
    record?: boolean;
    port?: number;
    /** The content to answer for a request, or undefined for the behaviour its model names. */
    answer?: (userText: string, model: string) => string | undefined;
  } = {},
): Promise<OpenAIProtocolServer> {
  const requests: OpenAIProtocolServer['requests'] = [];
  const seen = new Set<string>();
  const state = { record: options.record ?? true, aborted: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void handle(request, response, Buffer.concat(chunks));
    });
    response.on('close', () => {
      if (!response.writableFinished) state.aborted++;
    });
  });
  server.keepAliveTimeout = 60_000;

  async function handle(request: IncomingMessage, response: ServerResponse, raw: Buffer): Promise<void> {
    if (request.url !== '/v1/chat/completions' || request.method !== 'POST') {
      return sendJson(response, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
    }
    const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    if (state.record) requests.push({ headers: request.headers, body });
    const model = String(body['model'] ?? '');
    const messages = (body['messages'] as Array<{ role: string; content: unknown }> | undefined) ?? [];
    const lastUser = [...messages].reverse().find((message) => message.role === 'user');
    const userText = typeof lastUser?.content === 'string' ? lastUser.content : '';
    const stream = body['stream'] === true;
    const includeUsage = (body['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true;

    const failure = /^fail-(\d{3})$/.exec(model);
    if (failure)
      return sendJson(response, Number(failure[1]), {
        error: {
          message: `scripted failure ${failure[1]}`,
          type: 'server_error',
          ...(failure[1] === '400' ? { param: 'messages' } : {}),
        },
      });
    if (model === 'flaky-429') {
      const id = String(request.headers['x-request-id'] ?? '');
      if (!seen.has(id)) {
        seen.add(id);
        response.setHeader('retry-after-ms', '20');
        return sendJson(response, 429, { error: { message: 'rate limited', type: 'rate_limit_error' } });
      }
    }
    if (model === 'trickle') {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => response.write(' '), 50);
      response.on('close', () => clearInterval(timer));
      return;
    }
    if (model === 'redirect') {
      response.writeHead(301, { location: 'https://127.0.0.1/v1/chat/completions' });
      return void response.end();
    }
    const slow = /^slow-(\d+)$/.exec(model);
    if (slow) await new Promise((resolve) => setTimeout(resolve, Number(slow[1])));

    const content =
      options.answer?.(userText, model) ??
      (model.startsWith('label:')
        ? model.slice('label:'.length)
        : model === 'split-utf8'
          ? 'héllo 👋'
          : /^huge-\d+$/.test(model)
            ? 'x'.repeat(Number(model.slice('huge-'.length)))
            : `echo: ${userText}`);
    const usage = {
      prompt_tokens: 11,
      completion_tokens: 7,
      total_tokens: 18,
      prompt_tokens_details: { cached_tokens: 0 },
    };
    const created = 1_700_000_000;
    if (!stream || model === 'json-for-stream') {
      return sendJson(response, 200, {
        id: 'chatcmpl-test',
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
        ...(model === 'no-usage' ? {} : { usage }),
      });
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    if (model === 'split-utf8') {
      const bytes = Buffer.from(chunk({ role: 'assistant', content }, null), 'utf8');
      const accent = bytes.indexOf(Buffer.from('é', 'utf8'));
      const wave = bytes.indexOf(Buffer.from('👋', 'utf8'));
      for (const [start, end] of [
        [0, accent + 1],
        [accent + 1, wave + 2],
        [wave + 2, bytes.length],
      ] as const) {
        response.write(bytes.subarray(start, end));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } else {
      const parts = [content.slice(0, 3), content.slice(3, 8), content.slice(8)];
      const errorEvent = (message: string) =>
        `data: ${JSON.stringify({ error: { message, type: 'server_error' } })}\n\n`;
      if (model === 'error-first') return void response.end(errorEvent('model overloaded'));
      response.write(chunk({ role: 'assistant', content: parts[0] }, null));
      if (model === 'bad-event') return void response.end('data: {"id":"chatcmpl-test","obj\n\ndata: [DONE]\n\n');
      if (model === 'stall-stream') return;
      if (model === 'ping-stream') {
        const timer = setInterval(() => response.write(': ping\n\n'), 50);
        response.on('close', () => clearInterval(timer));
        return;
      }
      if (model === 'cut-stream') {
        await new Promise((resolve) => setTimeout(resolve, 5));
        response.socket?.destroy();
        return;
      }
      if (model === 'in-band-error') {
        response.end(errorEvent('model overloaded mid-stream'));
        return;
      }
      response.write(chunk({ content: parts[1] }, null));
      response.write(chunk({ content: parts[2] }, null));
    }
    response.write(chunk({}, 'stop'));
    if (includeUsage && model !== 'no-usage') {
      response.write(
        `data: ${JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`,
      );
    }
    if (model === 'no-done') return void response.end();
    response.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    requests,
    get record() {
      return state.record;
    },
    get aborted() {
      return state.aborted;
    },
    set record(value: boolean) {
      state.record = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
