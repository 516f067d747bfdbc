import autocannon from 'autocannon';
import { percentile } from './summarise-gateway-bench.ts';

/** Where and how to send the bench's chat completion. */
export interface TargetEndpoint {
  /** Full URL of `POST /v1/chat/completions`. */
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadOptions {
  connections: number;
  /** Length of the measured window, in s. */
  durationSeconds: number;
  /** Hard cap on requests, whatever the duration. */
  maxRequests: number;
}

/** What one autocannon run saw. */
export interface LoadResult {
  /** 2xx responses per second over the window. */
  requestsPerSecond: number;
  /** Median and 99th percentile latency of 2xx responses, in ms, from per-response timings (µs resolution). */
  p50Ms: number;
  p99Ms: number;
  responses: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Status codes outside 2xx with their counts, e.g. `{ "502": 3 }`. */
  statusCounts: Record<string, number>;
  durationSeconds: number;
}

/**
 * Loads one endpoint with autocannon (keep-alive connections, no pipelining), bounded by both
 * `durationSeconds` and `maxRequests`. Latencies come from autocannon's per-response event, in
 * fractional ms: its own histogram rounds to whole ms, too coarse for a sub-ms gateway.
 */
export async function loadTarget(endpoint: TargetEndpoint, options: LoadOptions): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let instance: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: endpoint.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...endpoint.headers },
        body: endpoint.body,
        connections: options.connections,
        pipelining: 1,
        duration: options.durationSeconds,
        maxOverallRequests: Math.max(options.maxRequests, options.connections),
        timeout: 10,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  instance?.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode < 200 || statusCode >= 300) return;
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = responseTime;
  });
  const result = await finished;
  const sorted = latencies.subarray(0, count).sort();
  const statusCounts: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
    if (!status.startsWith('2') && stats.count) statusCounts[status] = stats.count;
  }
  // autocannon's duration is the wall time of the run, in s.
  const durationSeconds = result.duration > 0 ? result.duration : options.durationSeconds;
  return {
    requestsPerSecond: count / durationSeconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    responses: count,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCounts,
    durationSeconds,
  };
}
