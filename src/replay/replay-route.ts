import cliProgress from 'cli-progress';
import type { RightsizeConfig } from '../config/config-schema.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import { findBaselineModel } from './find-baseline-model.ts';
import { readReplayRows } from './read-replay-rows.ts';
import type { ReplaySummary } from './replay.ts';
import { runReplay } from './run-replay.ts';
import { summarizeReplay } from './summarize-replay.ts';

export interface ReplayRouteOptions {
  /** The gateway, e.g. `http://127.0.0.1:8080`. */
  url: string;
  apiKey?: string | undefined;
  route: string;
  /** CSV or JSONL file of the requests. */
  data: string;
  textColumn: string;
  labelColumn?: string | undefined;
  /** @default 8 */
  concurrency?: number | undefined;
  /** Replay only the first N rows. @default all */
  limit?: number | undefined;
  /** The config whose route and catalog price the all-LLM baseline. */
  config: RightsizeConfig;
  /** Price the baseline with this catalog model instead of the route's first `llm` tier. */
  baselineModel?: string | undefined;
  /** See `RunReplayOptions.reviewWaitSeconds`. */
  reviewWaitSeconds?: number | undefined;
  /** Where the progress bar goes (it shows only on a terminal). @default process.stderr */
  progress?: NodeJS.WriteStream | false;
  signal?: AbortSignal | undefined;
}

/**
 * Replays a data file through a running gateway's route and summarises it (see `summarizeReplay`),
 * with a progress bar. Checks first that the gateway answers `/healthz`.
 * @throws RightsizeError `invalid_input` for a bad data file; `upstream_error` when the gateway
 * cannot be reached.
 */
export async function replayRoute(options: ReplayRouteOptions): Promise<ReplaySummary> {
  const rows = readReplayRows({
    path: options.data,
    textColumn: options.textColumn,
    labelColumn: options.labelColumn,
    limit: options.limit,
  });
  await checkGateway(options.url);
  const stream = options.progress === undefined ? process.stderr : options.progress;
  const bar = stream
    ? new cliProgress.SingleBar(
        {
          stream,
          format: `replay ${options.route} [{bar}] {percentage}% | {value}/{total} requests | {eta_formatted} left`,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(rows.length, 0);
  let outcomes: Awaited<ReturnType<typeof runReplay>>;
  try {
    outcomes = await runReplay({
      url: options.url,
      apiKey: options.apiKey,
      route: options.route,
      rows,
      concurrency: options.concurrency,
      onProgress: (done) => bar?.update(done),
      signal: options.signal,
      reviewWaitSeconds: options.reviewWaitSeconds,
    });
  } finally {
    bar?.stop();
  }
  return summarizeReplay({
    route: options.route,
    outcomes,
    baseline: findBaselineModel({ config: options.config, route: options.route, model: options.baselineModel }),
  });
}

async function checkGateway(url: string): Promise<void> {
  const base = url.replace(/\/+$/, '').replace(/\/v1$/, '');
  try {
    await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(10_000) });
  } catch (cause) {
    const code = (cause as { cause?: { code?: string } }).cause?.code;
    throw new RightsizeError(
      'upstream_error',
      `Cannot reach the gateway at ${base} (${code ?? String(cause)}); start it with \`npx rightsize serve\` or pass --url.`,
      { cause },
    );
  }
}
