import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/load-config.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import { readReplayRows } from './read-replay-rows.ts';
import type { ReplaySummary } from './replay.ts';
import { replayRoute } from './replay-route.ts';

export interface RunDemoOptions {
  /** @default 'support-triage' */
  route?: string | undefined;
  /** @default '../shared/data/banking77/test.csv' (from the working directory) */
  data?: string | undefined;
  /** @default 'text' */
  textColumn?: string | undefined;
  /** @default 'category' */
  labelColumn?: string | undefined;
  /** Replay only the first N rows. @default all */
  limit?: number | undefined;
  /** @default 8 */
  concurrency?: number | undefined;
  /** Config file for the gateway; absent, `serve`'s default (./rightsize.yaml, else the embedded one). */
  config?: string | undefined;
  /** Port for the gateway. @default a free one */
  port?: number | undefined;
  /** Longest wait for the gateway to be ready (specialists trained), in ms. @default 600000 */
  readyTimeoutMs?: number | undefined;
  /** Lines about what the demo does (and the gateway's own output, prefixed). @default stderr */
  log?: ((line: string) => void) | undefined;
  /** Aborts the demo (Ctrl-C): the replay stops and the gateway is stopped. */
  signal?: AbortSignal | undefined;
}

const BIN = fileURLToPath(new URL('../../bin/rightsize.js', import.meta.url));

/**
 * The support-triage scenario in one call: starts `rightsize serve` as a child process on a free
 * port (its output piped through, prefixed `gateway |`, so training progress shows), waits until
 * `/healthz` answers and `/v1/models` lists every specialist of the route, replays the data file
 * through the route, and stops the gateway with SIGTERM, also when anything fails or `signal`
 * aborts.
 * @throws RightsizeError `invalid_input` for a missing or malformed data file (a missing column,
 * an empty text) or route, before the gateway starts; `upstream_error` when the
 * gateway exits early or is not ready within `readyTimeoutMs`.
 */
export async function runDemo(options: RunDemoOptions = {}): Promise<ReplaySummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const route = options.route ?? 'support-triage';
  const data = resolve(options.data ?? '../shared/data/banking77/test.csv');
  if (!existsSync(data))
    throw new RightsizeError('invalid_input', `The demo's data file ${data} is missing; pass --data FILE.`);
  const { config, source } = loadConfig({ path: options.config });
  const routeConfig = config.routes[route];
  if (!routeConfig)
    throw new RightsizeError(
      'invalid_input',
      `Route ${route} is not in ${source} (routes: ${Object.keys(config.routes).join(', ') || 'none'}); pass --route or --config.`,
    );
  const textColumn = options.textColumn ?? 'text';
  const labelColumn = options.labelColumn ?? 'category';
  // The file's columns and rows are checked now, not after minutes of starting and training.
  readReplayRows({ path: data, textColumn, labelColumn, limit: options.limit });
  const specialists = routeConfig.tiers.map((tier) => tier.model).filter((model) => model.startsWith('specialist/'));
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;

  log(`demo: starting the gateway on ${url} (${source})`);
  const gateway = startChild(
    ['serve', '--port', String(port), ...(options.config ? ['--config', options.config] : [])],
    log,
  );
  try {
    const readyTimeoutMs = options.readyTimeoutMs ?? 600_000;
    if (specialists.length > 0)
      log(
        `demo: waiting for ${specialists.join(', ')} (trained at start when missing; up to ${Math.round(readyTimeoutMs / 60_000)} min)`,
      );
    await waitUntilReady({ url, specialists, timeoutMs: readyTimeoutMs, gateway, signal: options.signal, log });
    log(`demo: gateway ready; replaying ${options.limit ?? 'all'} rows of ${data} through ${route}`);
    return await replayRoute({
      url,
      route,
      data,
      textColumn,
      labelColumn,
      limit: options.limit,
      concurrency: options.concurrency,
      config,
      signal: options.signal,
    });
  } finally {
    await stopChild(gateway, log);
  }
}

interface RunningChild {
  process: ChildProcess;
  exited: Promise<number | null>;
  /** Set once the gateway's output says a specialist will not be trained. */
  failure?: string;
  /** Set once the gateway says where it listens: before that, whatever answers on the port is not it. */
  listening?: string;
}

function startChild(args: string[], log: (line: string) => void): RunningChild {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  const running: RunningChild = {
    process: child,
    exited: new Promise((resolveExit) => {
      // 'close', not 'exit': by then its output is read to the end, so its last lines are shown before any error.
      child.once('close', (code) => resolveExit(code));
      child.once('error', () => resolveExit(null));
    }),
  };
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      log(`gateway | ${line}`);
      const listening = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      if (listening) running.listening ??= listening;
      // `serve` trains in the background and says when it cannot: no use waiting the full timeout.
      if (/not trained: |training specialists failed/.test(line)) running.failure ??= line.trim();
    });
  }
  return running;
}

async function waitUntilReady(options: {
  url: string;
  specialists: readonly string[];
  timeoutMs: number;
  gateway: RunningChild;
  signal: AbortSignal | undefined;
  log: (line: string) => void;
}): Promise<void> {
  const started = Date.now();
  let exitCode: number | null | undefined;
  void options.gateway.exited.then((code) => {
    exitCode = code;
  });
  let missing: readonly string[] = options.specialists;
  let lastNote = started;
  for (;;) {
    if (options.signal?.aborted) throw new RightsizeError('invalid_request', 'The demo was interrupted.');
    if (exitCode !== undefined)
      throw new RightsizeError(
        'upstream_error',
        `The gateway exited (code ${exitCode}) before it was ready; its output is above (prefixed "gateway |").`,
      );
    if (options.gateway.failure)
      throw new RightsizeError(
        'upstream_error',
        `The gateway cannot make ${missing.join(', ')} ready: ${options.gateway.failure}`,
      );
    // Another process on the port (this one then fails with EADDRINUSE) must not pass for the demo's gateway.
    const models = options.gateway.listening === undefined ? undefined : await listModels(options.url);
    if (models) {
      missing = options.specialists.filter((id) => !models.includes(id));
      if (missing.length === 0) return;
    }
    const waited = Date.now() - started;
    if (waited > options.timeoutMs)
      throw new RightsizeError(
        'upstream_error',
        models
          ? `After ${Math.round(waited / 1000)} s the gateway still does not list ${missing.join(', ')}; see its output above, or train them first with \`npx rightsize train\` and run the demo again.`
          : `After ${Math.round(waited / 1000)} s the gateway at ${options.url} does not answer /healthz; see its output above.`,
      );
    if (Date.now() - lastNote >= 30_000) {
      lastNote = Date.now();
      options.log(
        `demo: still waiting (${Math.round(waited / 1000)} s) for ${models ? missing.join(', ') : 'the gateway to listen'}`,
      );
    }
    await new Promise((resolveSleep) => setTimeout(resolveSleep, 500));
  }
}

/** The model ids of `/v1/models`, or undefined while the gateway does not answer `/healthz`. */
async function listModels(url: string): Promise<string[] | undefined> {
  try {
    const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    if (!health.ok) return undefined;
    const response = await fetch(`${url}/v1/models`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { data?: Array<{ id?: unknown }> };
    return (body.data ?? []).map((model) => String(model.id));
  } catch {
    return undefined;
  }
}

/** SIGTERM, then SIGKILL if the gateway has not finished its shutdown in 30 s. */
async function stopChild(gateway: RunningChild, log: (line: string) => void): Promise<void> {
  const child = gateway.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  log('demo: stopping the gateway (SIGTERM)');
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    log('demo: the gateway did not stop in 30 s; killing it');
    child.kill('SIGKILL');
  }, 30_000);
  const code = await gateway.exited;
  clearTimeout(timer);
  log(`demo: gateway stopped${code === null ? '' : ` (exit code ${code})`}`);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
