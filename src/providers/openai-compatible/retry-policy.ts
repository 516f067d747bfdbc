/**
 * When to retry a provider call, and how long to wait. Modelled on the OpenAI Node client's
 * `shouldRetry` and `calculateDefaultRetryTimeoutMillis` (openai-node `src/client.ts`).
 */

/** Whether an HTTP status from a provider may succeed on a retry. */
export function isRetryableStatus(status: number): boolean {
  // Request timeout: the provider gave up waiting; a new attempt may be faster.
  if (status === 408) return true;
  // Conflict: OpenAI uses it for lock contention that clears by itself.
  if (status === 409) return true;
  // Rate limited: retry after the time the provider asks for.
  if (status === 429) return true;
  // Server errors are usually transient (overload, deploys).
  return status >= 500;
}

export interface RetryDelayOptions {
  /** Zero-based number of the retry about to happen. */
  attempt: number;
  /** Response headers of the failed attempt (lower-case names), if any. */
  headers?: Record<string, string | string[] | undefined>;
  /** Longest wait in ms. */
  maxDelayMs: number;
  /** Current time in ms, for HTTP-date `retry-after`. @default Date.now() */
  now?: number;
  /** A number in [0, 1) for jitter. @default Math.random() */
  random?: number;
}

const INITIAL_DELAY_MS = 500;

/**
 * Wait before the next retry, in ms. Honours `retry-after-ms` (ms), then `retry-after` (seconds or
 * an HTTP date), when within `[0, maxDelayMs]`; otherwise exponential backoff from 500 ms,
 * doubling per attempt, capped at `maxDelayMs`, less up to 25 % jitter.
 */
export function retryDelayMs(options: RetryDelayOptions): number {
  const headers = options.headers ?? {};
  const fromHeaders = headerDelayMs(headers, options.now ?? Date.now());
  // A server-given delay within the cap wins; a longer one falls back to our own schedule.
  if (fromHeaders !== undefined && fromHeaders >= 0 && fromHeaders <= options.maxDelayMs) return fromHeaders;
  const base = Math.min(INITIAL_DELAY_MS * 2 ** options.attempt, options.maxDelayMs);
  const jitter = 1 - (options.random ?? Math.random()) * 0.25;
  return Math.round(base * jitter);
}

function headerDelayMs(headers: Record<string, string | string[] | undefined>, now: number): number | undefined {
  const milliseconds = first(headers['retry-after-ms']);
  if (milliseconds !== undefined) {
    const value = Number.parseFloat(milliseconds);
    if (Number.isFinite(value)) return value;
  }
  const retryAfter = first(headers['retry-after']);
  if (retryAfter === undefined) return undefined;
  const seconds = Number.parseFloat(retryAfter);
  if (Number.isFinite(seconds) && /^\s*\d+(\.\d+)?\s*$/.test(retryAfter)) return seconds * 1000;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : date - now;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
