import { Agent, request } from 'undici';
import { median } from './summarise-gateway-bench.ts';

/** Streaming requests, one at a time: time to the first SSE event and to the end of the stream. */
export interface TtftResult {
  requests: number;
  /** Median time from sending the request to the first body bytes, in ms; null when none succeeded. */
  ttftP50Ms: number | null;
  /** Median time to the end of the stream (after `[DONE]`), in ms; null when none succeeded. */
  totalP50Ms: number | null;
  /** Requests that failed: a status outside 2xx, a transport error, or a stream without `[DONE]`. */
  errors: number;
  /** The first failure, to print. */
  firstError?: string;
}

/**
 * Sends `requests` streaming chat completions one after another over one keep-alive connection
 * and times each. The body must ask for `"stream": true`.
 */
export async function measureTtft(
  endpoint: { url: string; headers: Record<string, string>; body: string },
  requests: number,
): Promise<TtftResult> {
  const dispatcher = new Agent({ connections: 1, keepAliveTimeout: 10_000 });
  const ttfts: number[] = [];
  const totals: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  try {
    for (let index = 0; index < requests; index++) {
      const started = performance.now();
      try {
        const response = await request(endpoint.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...endpoint.headers },
          body: endpoint.body,
          dispatcher,
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        let first: number | undefined;
        let text = '';
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          first ??= performance.now();
          text += chunk.toString('utf8');
        }
        const ended = performance.now();
        if (response.statusCode < 200 || response.statusCode >= 300 || !text.includes('data: [DONE]')) {
          errors++;
          firstError ??= `status ${response.statusCode}: ${text.slice(0, 200)}`;
          continue;
        }
        ttfts.push((first ?? ended) - started);
        totals.push(ended - started);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  } finally {
    await dispatcher.close();
  }
  return {
    requests,
    ttftP50Ms: ttfts.length > 0 ? median(ttfts) : null,
    totalP50Ms: totals.length > 0 ? median(totals) : null,
    errors,
    ...(firstError ? { firstError } : {}),
  };
}
