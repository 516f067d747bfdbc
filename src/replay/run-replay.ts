import { setMaxListeners } from 'node:events';
import OpenAI, { APIError } from 'openai';
import { Agent } from 'undici';
import { RightsizeError } from '../errors/rightsize-error.ts';
import { countUsage } from '../routing/count-tokens.ts';
import type { ReplayRow } from './read-replay-rows.ts';
import type { BaselineTokens, ReplayAnswer, ReplayOutcome } from './replay.ts';
import { createRequestFetch } from './request-fetch.ts';

export interface RunReplayOptions {
  /** The gateway, e.g. `http://127.0.0.1:8080` (a trailing `/v1` is allowed). */
  url: string;
  /** A client key of the gateway, when it has `server.apiKeys`. @default none */
  apiKey?: string | undefined;
  /** The route (or any model) every row is sent to, as `model`. */
  route: string;
  rows: readonly ReplayRow[];
  /** Requests in flight at once. @default 8 */
  concurrency?: number | undefined;
  /** Longest wait for one answer, in ms. @default 120000 */
  timeoutMs?: number | undefined;
  /** Called after each request with how many are done. */
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** Stops sending rows; requests in flight are aborted and count as errors. */
  signal?: AbortSignal | undefined;
  /**
   * Sent as `x-rightsize-review-wait-seconds`: how long each request escalated to a person waits
   * for the decision before it is answered as pending. @default none (answered at once)
   */
  reviewWaitSeconds?: number | undefined;
  /**
   * Requests in a row that may get no HTTP answer at all (connection refused or reset) before the
   * gateway counts as gone and the replay stops. @default 10
   */
  maxConnectionFailures?: number | undefined;
}

/**
 * Sends every row through the running gateway with the official `openai` client, as
 * `{model: route, messages: [{role: 'user', content: text}]}`, and records what each came to: the
 * answer, the deciding tier, model, cost and review status from the `x-rightsize-*` headers, and the
 * client-measured latency. HTTP errors are outcomes too (never thrown, never retried). Outcomes are
 * in row order.
 * @throws RightsizeError `upstream_error` when `maxConnectionFailures` requests in a row got no
 *   answer (the gateway stopped or died): a summary of the rest would describe nothing real.
 */
export async function runReplay(options: RunReplayOptions): Promise<ReplayOutcome[]> {
  // Its own connection pool, closed at the end: a gateway shutting down waits for open keep-alive
  // connections, so a replay must not leave any behind (e.g. the demo stopping its gateway).
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const client = new OpenAI({
    fetch: createRequestFetch(agent),
    baseURL: `${options.url.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1`,
    // The client would otherwise read OPENAI_API_KEY and send a provider key to the gateway.
    apiKey: options.apiKey ?? 'rightsize-replay',
    maxRetries: 0,
    timeout: options.timeoutMs ?? 120_000,
  });
  const { rows } = options;
  // One signal for every request in flight: each adds an abort listener while it runs.
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const abort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', abort, { once: true });
  const outcomes: ReplayOutcome[] = new Array(rows.length);
  let next = 0;
  let done = 0;
  const maxConnectionFailures = options.maxConnectionFailures ?? 10;
  let connectionFailures = 0;
  let gone: { message: string; done: number } | undefined;
  const worker = async () => {
    for (;;) {
      if (stop.signal.aborted) return;
      const index = next++;
      const row = rows[index];
      if (!row) return;
      const outcome = await replayRow(client, options.route, row, stop.signal, options.reviewWaitSeconds);
      outcomes[index] = outcome;
      done++;
      options.onProgress?.(done, rows.length);
      // No HTTP answer at all, and not because the caller stopped the replay: the gateway may be gone.
      if (outcome.kind === 'error' && outcome.status === null && !options.signal?.aborted) {
        if (++connectionFailures >= maxConnectionFailures && gone === undefined) {
          gone = { message: outcome.message, done };
          stop.abort();
        }
      } else connectionFailures = 0;
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 8, rows.length));
  try {
    await Promise.all(Array.from({ length: workers }, worker));
    if (!stop.signal.aborted) await readLateDecisions(client, outcomes, workers);
  } finally {
    options.signal?.removeEventListener('abort', abort);
    await agent.destroy();
  }
  if (gone !== undefined) {
    throw new RightsizeError(
      'upstream_error',
      `The gateway at ${options.url} stopped answering: ${maxConnectionFailures} requests in a row got no response (${gone.message}) after ${gone.done} of ${rows.length} rows; nothing is summarised. Check that it is running (its output says why it stopped) and replay again.`,
    );
  }
  return outcomes.filter((outcome) => outcome !== undefined);
}

/**
 * Reads back, after the replay, the review items its requests left pending, and records the
 * decision of each one a reviewer has resolved since (`resolvedLater`). A failed read leaves the
 * answer as it was.
 */
async function readLateDecisions(client: OpenAI, outcomes: ReplayOutcome[], concurrency: number): Promise<void> {
  const pending = outcomes.filter(
    (outcome): outcome is ReplayAnswer =>
      outcome?.kind === 'answer' && outcome.review === 'pending' && outcome.reviewId !== null,
  );
  let next = 0;
  const worker = async () => {
    for (let answer = pending[next++]; answer !== undefined; answer = pending[next++]) {
      try {
        const item = (await client.get(`/rightsize/review/${encodeURIComponent(answer.reviewId ?? '')}`)) as {
          status?: string;
          decision?: string | null;
        };
        if (item.status === 'resolved' && typeof item.decision === 'string') answer.resolvedLater = item.decision;
      } catch {
        // Not readable (e.g. a gateway without the review routes): the answer stays pending.
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, pending.length)) }, worker));
}

async function replayRow(
  client: OpenAI,
  route: string,
  row: ReplayRow,
  signal: AbortSignal,
  reviewWaitSeconds: number | undefined,
): Promise<ReplayOutcome> {
  const messages = [{ role: 'user' as const, content: row.text }];
  const label = row.label === undefined ? {} : { label: row.label };
  const requestHeaders =
    reviewWaitSeconds === undefined ? undefined : { 'x-rightsize-review-wait-seconds': String(reviewWaitSeconds) };
  const started = performance.now();
  try {
    const { data, response } = await client.chat.completions
      .create({ model: route, messages }, { signal, ...(requestHeaders ? { headers: requestHeaders } : {}) })
      .withResponse();
    const latencyMs = performance.now() - started;
    const answer = data.choices[0]?.message.content ?? null;
    const headers = response.headers;
    const cost = headers.get('x-rightsize-cost-usd');
    const review = headers.get('x-rightsize-review-status');
    const accepted = headers.get('x-rightsize-accepted');
    return {
      kind: 'answer',
      ...label,
      answer,
      tier: Number(headers.get('x-rightsize-tier') ?? 0),
      model: headers.get('x-rightsize-model') ?? data.model,
      costUsd: cost === null || cost === 'unpriced' || !Number.isFinite(Number(cost)) ? null : Number(cost),
      latencyMs,
      review: review === 'pending' || review === 'resolved' ? review : null,
      reviewId: headers.get('x-rightsize-review-id'),
      resolvedLater: null,
      accepted: accepted === null ? null : accepted === 'true',
      skipped: (headers.get('x-rightsize-skipped') ?? '').split(',').filter((model) => model !== ''),
      baselineTokens: baselineTokens(messages, row.label ?? (review === 'pending' ? '' : (answer ?? ''))),
    };
  } catch (error) {
    const status = error instanceof APIError && error.status !== undefined ? error.status : null;
    const message = error instanceof Error ? error.message : String(error);
    return {
      kind: 'error',
      ...label,
      status,
      // The client's message starts with the status, which the table shows already.
      message: message.replace(/^\d{3} /, '').slice(0, 200),
      latencyMs: performance.now() - started,
      baselineTokens: baselineTokens(messages, row.label ?? ''),
    };
  }
}

/** Tokens the large model would be billed for this row: the message in, the label out. */
function baselineTokens(messages: Array<{ role: 'user'; content: string }>, output: string): BaselineTokens {
  const usage = countUsage({ messages }, output);
  return { input: usage.inputTokens, output: usage.outputTokens };
}
