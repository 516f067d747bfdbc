import type { Dispatcher } from 'undici';
import { Pool, errors as undiciErrors } from 'undici';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import { chatCompletionChunkSchema, chatCompletionResponseSchema, fromOpenAIUsage } from '../chat-completion.ts';
import type { Provider, ProviderCall, ProviderCompletion, ProviderStream, StreamEvent } from '../provider.ts';
import { SseParser } from './parse-sse.ts';
import { type BodyRead, discard, readBody } from './read-body.ts';
import { retryDelayMs } from './retry-policy.ts';
import { redact, upstreamHttpError } from './upstream-http-error.ts';

export interface OpenAICompatibleProviderOptions {
  /** Provider id from the config, used in errors and logs. */
  id: string;
  /** Base URL before `/chat/completions`, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** The API key's value (the caller reads it from the environment variable the config names). */
  apiKey?: string;
  /** Name of the environment variable holding the key, for error messages only. */
  apiKeyEnv?: string;
  headers?: Record<string, string>;
  deployment: 'edge' | 'on-prem' | 'cloud';
  /** Per-attempt timeout to the response headers (and between body chunks), in ms. */
  timeoutMs: number;
  /** Retries after the first attempt, for retryable failures only. */
  maxRetries: number;
  /** Cap on a retry's wait, in ms. */
  maxRetryDelayMs: number;
  /** The parameter name the upstream takes for the output-token limit. */
  maxTokensParameter: 'max_tokens' | 'max_completion_tokens';
  /** Largest answer body read from the provider (not streamed), in bytes. @default {@link DEFAULT_MAX_RESPONSE_BYTES} */
  maxResponseBytes?: number;
  /** HTTP client; defaults to a keep-alive undici `Pool` on the base URL's origin. */
  dispatcher?: Dispatcher;
  /** Waits between retries; injectable for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** 32 MiB: far above any chat completion (128k output tokens are about 0.5 MB of text), far below the memory a gateway has. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * The fast path: a provider for any server that speaks OpenAI's chat completions protocol
 * (OpenAI, vLLM, Ollama, llama.cpp server, LM Studio, ...). Bodies pass through as they are
 * unless the model name or the output-token parameter must change, or a stream must ask for usage.
 */
export function createOpenAICompatibleProvider(options: OpenAICompatibleProviderOptions): Provider {
  const base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  const path = `${base.pathname}chat/completions`;
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher =
    options.dispatcher ?? new Pool(base.origin, { connections: 256, keepAliveTimeout: 30_000, pipelining: 1 });
  const sleep = options.sleep ?? abortableSleep;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const staticHeaders: Record<string, string> = {
    ...options.headers,
    'content-type': 'application/json',
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
  };

  async function send(call: ProviderCall, stream: boolean): Promise<Dispatcher.ResponseData> {
    const body = requestBody(call, stream, options.maxTokensParameter);
    // Copy, then set: a literal that starts with a spread and adds fields costs V8 new hidden classes per call.
    const headers: Record<string, string> = Object.assign({}, staticHeaders);
    headers['accept'] = stream ? 'text/event-stream' : 'application/json';
    headers['x-request-id'] = call.requestId;
    for (let attempt = 0; ; attempt++) {
      let retryHeaders: Record<string, string | string[] | undefined> | undefined;
      // The answer, or what kept it from coming (errors of the provider's answers are handled below).
      let outcome: Dispatcher.ResponseData | RightsizeError;
      try {
        outcome = await dispatcher.request({
          origin: base.origin,
          path,
          method: 'POST',
          headers,
          body,
          signal: call.signal,
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        });
      } catch (error) {
        if (call.signal.aborted) throw abortedError(options.id, call.signal.reason);
        outcome = transportError(options.id, error);
      }
      let failure: RightsizeError;
      if (outcome instanceof RightsizeError) failure = outcome;
      else {
        if (outcome.statusCode < 300) return outcome;
        if (outcome.statusCode < 400) throw redirectError(options.id, outcome);
        failure = await upstreamHttpError(options, outcome);
        retryHeaders = outcome.headers;
      }
      if (!failure.retryable || attempt >= options.maxRetries) throw failure;
      await sleep(
        retryDelayMs({
          attempt,
          maxDelayMs: options.maxRetryDelayMs,
          ...(retryHeaders ? { headers: retryHeaders } : {}),
        }),
        call.signal,
      );
    }
  }

  return {
    id: options.id,
    kind: 'openai-compatible',
    deployment: options.deployment,

    async complete(call: ProviderCall): Promise<ProviderCompletion> {
      const response = await send(call, false);
      let read: BodyRead;
      try {
        read = await readBody(response, maxResponseBytes, performance.now() + options.timeoutMs);
      } catch (error) {
        if (call.signal.aborted) throw abortedError(options.id, call.signal.reason);
        throw transportError(options.id, error);
      }
      const bytes = wholeBody(options.id, response, read, { limit: maxResponseBytes, timeoutMs: options.timeoutMs });
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
      } catch (cause) {
        throw new RightsizeError('upstream_error', `Provider ${options.id} answered with a body that is not JSON.`, {
          upstream: { provider: options.id, status: response.statusCode, retryable: true },
          cause,
        });
      }
      const parsed = chatCompletionResponseSchema.safeParse(json);
      if (!parsed.success) {
        throw new RightsizeError(
          'upstream_error',
          `Provider ${options.id} answered with a body that is not a chat completion.`,
          {
            upstream: { provider: options.id, status: response.statusCode, retryable: true },
          },
        );
      }
      const usage = fromOpenAIUsage(parsed.data.usage);
      const providerRequestId = headerValue(response.headers['x-request-id']);
      return {
        response: parsed.data,
        body: bytes,
        ...(usage ? { usage } : {}),
        ...(providerRequestId ? { providerRequestId } : {}),
      };
    },

    async stream(call: ProviderCall): Promise<ProviderStream> {
      const response = await send(call, true);
      const contentType = headerValue(response.headers['content-type']) ?? '';
      if (!contentType.includes('text/event-stream')) {
        discard(response);
        throw new RightsizeError(
          'upstream_stream_error',
          `Provider ${options.id} answered a stream request with ${contentType || 'no content type'}, not text/event-stream.`,
          {
            upstream: { provider: options.id, status: response.statusCode, retryable: true },
          },
        );
      }
      return streamEvents(options.id, response, call.signal, options.timeoutMs);
    },

    async close(): Promise<void> {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

/**
 * The events of an SSE answer. `timeoutMs` bounds the wait between events: undici's body timeout
 * sees bytes, and a server that sends only comments (`: ping`) between events would otherwise hold
 * the request for ever.
 */
async function* streamEvents(
  provider: string,
  response: Dispatcher.ResponseData,
  signal: AbortSignal,
  timeoutMs: number,
): AsyncGenerator<StreamEvent> {
  const parser = new SseParser();
  let done = false;
  let lastEventAt = performance.now();
  try {
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        const messages = parser.push(chunk);
        if (messages.length === 0) {
          if (performance.now() - lastEventAt > timeoutMs) throw stalledError(provider);
          continue;
        }
        lastEventAt = performance.now();
        for (const message of messages) {
          if (message.data === '[DONE]') {
            done = true;
            return;
          }
          yield toStreamEvent(provider, message.event, message.data);
        }
      }
    } catch (error) {
      if (error instanceof RightsizeError) throw error;
      if (signal.aborted) throw abortedError(provider, signal.reason);
      if (error instanceof undiciErrors.BodyTimeoutError) throw stalledError(provider, error);
      throw new RightsizeError('upstream_stream_error', `Provider ${provider} cut the stream before it finished.`, {
        upstream: { provider, retryable: true },
        cause: error,
      });
    }
    const rest = parser.end();
    for (const message of rest.messages) {
      if (message.data === '[DONE]') {
        done = true;
        return;
      }
      yield toStreamEvent(provider, message.event, message.data);
    }
    throw new RightsizeError(
      'upstream_stream_error',
      `Provider ${provider} ended the stream without [DONE]; the answer may be incomplete.`,
      {
        upstream: { provider, retryable: true },
      },
    );
  } finally {
    // Stop reading (and tell the provider) when the consumer leaves early or the stream failed.
    if (!done) discard(response);
  }
}

function toStreamEvent(provider: string, event: string, data: string): StreamEvent {
  // Every event of the protocol is a JSON object; a cut or garbled one is the provider's failure, not
  // something to pass on (a cheap look at the ends, not a parse: this is the fast path).
  if (data.charCodeAt(0) !== 0x7b || data.charCodeAt(data.length - 1) !== 0x7d) {
    const trimmed = data.trim();
    if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) {
      throw new RightsizeError(
        'upstream_stream_error',
        `Provider ${provider} sent a stream event that is not a JSON object: ${redact(trimmed.slice(0, 80))}`,
        { upstream: { provider, retryable: true } },
      );
    }
  }
  const mayCarryError = event === 'error' || data.includes('"error"');
  const mayCarryUsage = data.includes('"usage":{') || data.includes('"usage": {');
  if (!mayCarryError && !mayCarryUsage) return { data };
  let chunk: ReturnType<typeof chatCompletionChunkSchema.safeParse>;
  try {
    chunk = chatCompletionChunkSchema.safeParse(JSON.parse(data));
  } catch {
    if (event === 'error') throw inBandError(provider, undefined);
    return { data };
  }
  if (event === 'error' || (chunk.success && chunk.data.error != null)) {
    throw inBandError(provider, chunk.success ? chunk.data.error : undefined);
  }
  if (!chunk.success) return { data };
  const usage = fromOpenAIUsage(chunk.data.usage);
  if (!usage) return { data };
  return { data, usage, usageOnly: (chunk.data.choices ?? []).length === 0 };
}

/** A stream with no event for the provider's `timeoutMs` (silent, or sending only comments). */
function stalledError(provider: string, cause?: unknown): RightsizeError {
  return new RightsizeError(
    'upstream_timeout',
    `Provider ${provider} stopped sending mid-stream (no event for its timeoutMs); raise timeoutMs or check the server.`,
    { upstream: { provider, retryable: true }, ...(cause === undefined ? {} : { cause }) },
  );
}

function inBandError(provider: string, error: unknown): RightsizeError {
  const message =
    typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
      ? error.message.slice(0, 300)
      : 'no message';
  // Retryable: as the first event, before anything reached the client, the tier's fallbacks are tried.
  return new RightsizeError(
    'upstream_stream_error',
    `Provider ${provider} sent an error event in the stream: ${message}`,
    {
      upstream: { provider, retryable: true },
    },
  );
}

/** A 3xx answer: the base URL is not where the server is (redirects are not followed: they would resend the key). */
function redirectError(provider: string, response: Dispatcher.ResponseData): RightsizeError {
  const location = headerValue(response.headers['location']);
  discard(response);
  return new RightsizeError(
    'upstream_error',
    `Provider ${provider} answered ${response.statusCode} (a redirect${location ? ` to ${redact(location.slice(0, 200))}` : ''}); ` +
      'set its baseUrl to the address it redirects to.',
    { upstream: { provider, status: response.statusCode, retryable: false } },
  );
}

/**
 * The bytes of an answer (not streamed) read whole: one over `limit` bytes, or one still arriving
 * `timeoutMs` after its headers (an answer not streamed is sent when it is ready; one trickled a
 * byte at a time would otherwise hold the request for ever), is refused.
 * @throws RightsizeError `upstream_error` (too large) or `upstream_timeout` (too slow).
 */
function wholeBody(
  provider: string,
  response: Dispatcher.ResponseData,
  read: BodyRead,
  bounds: { limit: number; timeoutMs: number },
): Uint8Array {
  if (read.stopped === 'late')
    throw new RightsizeError(
      'upstream_timeout',
      `Provider ${provider} was still sending its answer ${bounds.timeoutMs} ms after it began; raise timeoutMs or check the server.`,
      { upstream: { provider, status: response.statusCode, retryable: true } },
    );
  if (read.stopped === 'over')
    throw new RightsizeError(
      'upstream_error',
      `Provider ${provider} answered with more than ${bounds.limit} bytes (maxResponseBytes); raise it in the provider's config if such answers are expected.`,
      { upstream: { provider, status: response.statusCode, retryable: false } },
    );
  return new Uint8Array(read.bytes.buffer, read.bytes.byteOffset, read.bytes.byteLength);
}

function transportError(provider: string, error: unknown): RightsizeError {
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return new RightsizeError(
      'upstream_timeout',
      `Provider ${provider} did not answer in time; raise its timeoutMs or check the server.`,
      {
        upstream: { provider, retryable: true },
        cause: error,
      },
    );
  }
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown';
  return new RightsizeError(
    'upstream_error',
    `Could not reach provider ${provider} (${code}); check its baseUrl and that the server is up.`,
    {
      upstream: { provider, retryable: true },
      cause: error,
    },
  );
}

function abortedError(provider: string, reason: unknown): RightsizeError {
  if (reason instanceof RightsizeError) return reason;
  return new RightsizeError('upstream_timeout', `The call to provider ${provider} was cancelled.`, {
    upstream: { provider, retryable: false },
    cause: reason,
  });
}

/** The JSON body to send: the client's bytes when nothing changes, else a shallow-edited copy. */
function requestBody(
  call: ProviderCall,
  stream: boolean,
  maxTokensParameter: 'max_tokens' | 'max_completion_tokens',
): Uint8Array | string {
  const request = call.request;
  const other = maxTokensParameter === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
  const renameMaxTokens = request[other] != null && request[maxTokensParameter] == null;
  const askUsage = stream && request.stream_options?.include_usage !== true;
  const streamFlag = (request.stream === true) !== stream;
  if (call.rawBody && request.model === call.upstreamModel && !renameMaxTokens && !askUsage && !streamFlag)
    return call.rawBody;
  const body: Record<string, unknown> = { ...request, model: call.upstreamModel, stream };
  if (renameMaxTokens) {
    body[maxTokensParameter] = request[other];
    delete body[other];
  }
  if (askUsage) body['stream_options'] = { ...request.stream_options, include_usage: true };
  if (!stream) delete body['stream_options'];
  return JSON.stringify(body);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
