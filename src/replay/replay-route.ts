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
 * with a progress bar. Checks first, before sending any row, the baseline model asked for, the data
 * file, that the gateway answers `/healthz`, and that its `/v1/models` lists the route.
 * @throws RightsizeError `invalid_input` for a bad data file, a `baselineModel` the catalog cannot
 * price, or a route the gateway does not serve; `unauthorized` when it refuses the key;
 * `upstream_error` when the gateway cannot be reached.
 */
export async function replayRoute(options: ReplayRouteOptions): Promise<ReplaySummary> {
  const baseline = findBaselineModel({ config: options.config, route: options.route, model: options.baselineModel });
  // A baseline model asked for by name must price the baseline: say so before replaying anything.
  if (options.baselineModel !== undefined && 'unavailable' in baseline)
    throw new RightsizeError('invalid_input', `--baseline-model ${options.baselineModel}: ${baseline.unavailable}`, {
      param: 'baselineModel',
    });
  const rows = readReplayRows({
    path: options.data,
    textColumn: options.textColumn,
    labelColumn: options.labelColumn,
    limit: options.limit,
  });
  await checkGateway(options.url);
  await checkRoute(options.url, options.route, options.apiKey);
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
  return summarizeReplay({ route: options.route, outcomes, baseline });
}

/** The gateway's base URL, without a trailing `/` or `/v1`. */
function gatewayBase(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/**
 * Checks that `url` is an http(s) URL and that a Rightsize gateway answers there: `GET /healthz`
 * answers 200 `{"status":"ok"}`.
 * @throws RightsizeError `invalid_input` for a URL that is not http(s); `upstream_error` when nothing
 *   answers, or something that is not a Rightsize gateway does.
 */
async function checkGateway(url: string): Promise<void> {
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new RightsizeError(
      'invalid_input',
      `--url ${JSON.stringify(url.slice(0, 200))} is not an http:// or https:// URL; e.g. --url http://127.0.0.1:8080`,
      { param: 'url' },
    );
  const base = gatewayBase(url);
  let response: Response;
  try {
    response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(10_000) });
  } catch (cause) {
    const code = (cause as { cause?: { code?: string } }).cause?.code;
    throw new RightsizeError(
      'upstream_error',
      `Cannot reach the gateway at ${base} (${code ?? String(cause)}); start it with \`npx rightsize serve\` or pass --url.`,
      { cause },
    );
  }
  const body = await response.text().catch(() => '');
  let healthy = false;
  try {
    healthy = response.status === 200 && (JSON.parse(body) as { status?: unknown }).status === 'ok';
  } catch {
    healthy = false;
  }
  if (!healthy)
    throw new RightsizeError(
      'upstream_error',
      `The server at ${base} is not a Rightsize gateway: GET /healthz answered ${response.status}${response.status === 200 ? ' without {"status":"ok"}' : ''}; check --url (the gateway prints where it listens).`,
    );
}

/**
 * Checks that the gateway serves `route` (a route or model of its `GET /v1/models`) and takes the
 * key, so that a typo fails once instead of once a row.
 * @throws RightsizeError `invalid_input` for a route the gateway does not serve; `unauthorized`
 *   when it refuses the key.
 */
async function checkRoute(url: string, route: string, apiKey: string | undefined): Promise<void> {
  const base = gatewayBase(url);
  let response: Response;
  try {
    response = await fetch(`${base}/v1/models`, {
      headers: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (cause) {
    throw new RightsizeError(
      'upstream_error',
      `The gateway at ${base} did not answer GET /v1/models (${String(cause)}).`,
      {
        cause,
      },
    );
  }
  if (response.status === 401)
    throw new RightsizeError(
      'unauthorized',
      `The gateway at ${base} refused the request (401): pass one of its client keys with --api-key-env NAME.`,
    );
  // Another server, or an older gateway: leave the judgement to the requests.
  if (!response.ok) return;
  let ids: string[];
  try {
    const body = (await response.json()) as { data?: Array<{ id?: unknown }> };
    ids = (body.data ?? []).map((model) => String(model.id));
  } catch {
    return;
  }
  if (!ids.includes(route)) {
    const shown = ids.slice(0, 12).join(', ') + (ids.length > 12 ? ', ...' : '');
    throw new RightsizeError(
      'invalid_input',
      `The gateway at ${base} serves no route or model "${route}" (it serves: ${shown || 'none'}); check --route (a model whose provider has no key is not served).`,
      { param: 'route' },
    );
  }
}
