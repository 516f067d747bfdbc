import type { FastifyInstance } from 'fastify';
import { registerAnalysisRoute } from '../analysis/analysis-route.ts';
import { HUMAN_MODEL_ID } from '../catalog/catalog.ts';
import type { RightsizeConfig } from '../config/config-schema.ts';
import { type Environment, readEnvironment } from '../config/environment.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import { registerSelectRoute } from '../selection/select-route.ts';
import type { Store } from '../store/store.ts';
import type { AutoPlanner } from './chat-completions-route.ts';
import { createAutoPlanner } from './create-auto-planner.ts';
import { createRuntime, type GatewayRuntime, type SpecialistSource } from './create-runtime.ts';
import { createServer } from './create-server.ts';

export interface StartGatewayOptions {
  config: RightsizeConfig;
  /** Where the config came from, for the banner. */
  configSource?: string;
  environment?: Environment;
  store?: Store;
  specialists?: SpecialistSource;
  /** Plans `model: "auto"`. @default the selection engine over the configured providers */
  planAuto?: AutoPlanner;
  extraRoutes?: (app: FastifyInstance) => void;
  /** Lines of the start banner go here. @default none */
  print?: (line: string) => void;
  /** How long `close()` waits for requests in flight before stopping them, in ms. @default 10000 */
  shutdownGraceMs?: number;
}

export interface RunningGateway {
  app: FastifyInstance;
  runtime: GatewayRuntime;
  /** `http://host:port`, with the port actually bound. */
  url: string;
  /** Stops accepting, finishes requests in flight, flushes the log, closes the store. */
  close(): Promise<void>;
}

/**
 * Longest wait for requests in flight at shutdown, in ms (default of `shutdownGraceMs`); then those
 * still running are stopped, answered 503 `shutting_down` and logged.
 */
const SHUTDOWN_GRACE_MS = 10_000;

/** After stopping them, how long the stopped requests get to send their 503 before connections are cut, in ms. */
const STOPPED_ANSWER_MS = 2_000;

/** Hosts that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Builds the runtime and server from a config and listens.
 * @throws RightsizeError `invalid_config` when asked to bind a non-loopback address with no client
 * key configured, or when the config is inconsistent.
 */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { config } = options;
  const environment = options.environment ?? readEnvironment();
  if (!isLoopback(config.server.host) && config.server.apiKeys.length === 0) {
    throw new RightsizeError(
      'invalid_config',
      `Refusing to listen on ${config.server.host} with no client API key: anyone on the network could spend your provider budget. Add server.apiKeys (e.g. [{id: team-a, env: RIGHTSIZE_KEY_TEAM_A}]) or listen on 127.0.0.1.`,
      { param: 'server.host' },
    );
  }
  const runtime = await createRuntime({
    config,
    environment,
    ...(options.store ? { store: options.store } : {}),
    ...(options.specialists ? { specialists: options.specialists } : {}),
    onLogError: (error) =>
      process.stderr.write(`rightsize: writing the request log failed, will retry: ${String(error)}\n`),
    onWarning: (error) =>
      process.stderr.write(`rightsize: ${error instanceof Error ? error.message : String(error)}\n`),
  });
  const { app, stopInFlight } = createServer({
    runtime,
    planAuto: options.planAuto ?? createAutoPlanner(runtime),
    extraRoutes: (server) => {
      registerSelectRoute(server, { catalog: runtime.catalog });
      registerAnalysisRoute(server, runtime.store);
      options.extraRoutes?.(server);
    },
  });
  let address: string;
  try {
    address = await app.listen({ host: config.server.host, port: config.server.port });
  } catch (cause) {
    await runtime.close();
    const code = (cause as NodeJS.ErrnoException).code;
    throw new RightsizeError(
      'invalid_config',
      `Cannot listen on ${config.server.host}:${config.server.port} (${code ?? String(cause)}); pick another --port or stop what holds it.`,
      { cause },
    );
  }
  const port = (app.server.address() as { port: number } | null)?.port ?? config.server.port;
  const host =
    config.server.host.includes(':') && !config.server.host.startsWith('[')
      ? `[${config.server.host}]`
      : config.server.host;
  const url = `http://${host}:${port}`;
  printBanner(options, runtime, url, address);
  let closing: Promise<void> | undefined;
  return {
    app,
    runtime,
    url,
    close() {
      closing ??= (async () => {
        // Keep-alive connections that were busy when closing began become idle later: close them as
        // they do, and after a grace period close whatever is left, so a client cannot hold shutdown.
        // Requests waiting for a person's decision are answered now, as pending; their items stay queued.
        // After the grace period, requests still running are stopped: each answers 503 `shutting_down`
        // and writes its log row (with what it spent) before the store closes; connections still
        // open a moment later are cut.
        runtime.reviewQueue.stopWaiting();
        const idle = setInterval(() => app.server.closeIdleConnections(), 100);
        let cut: NodeJS.Timeout | undefined;
        const graceMs = options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
        const grace = setTimeout(() => {
          stopInFlight(
            new RightsizeError(
              'shutting_down',
              `The gateway is shutting down and stopped this request after waiting ${graceMs / 1000} s for it; retry it.`,
            ),
          );
          cut = setTimeout(() => app.server.closeAllConnections(), STOPPED_ANSWER_MS);
        }, graceMs);
        try {
          await app.close();
        } finally {
          clearInterval(idle);
          clearTimeout(grace);
          clearTimeout(cut);
        }
        await runtime.close();
      })();
      return closing;
    },
  };
}

function printBanner(options: StartGatewayOptions, runtime: GatewayRuntime, url: string, _address: string): void {
  const print = options.print;
  if (!print) return;
  const { config } = runtime;
  print(`Rightsize listening on ${url} (config: ${options.configSource ?? 'given'})`);
  print(`  store:  ${runtime.store.description}`);
  print(
    `  auth:   ${config.server.apiKeys.length > 0 ? `${config.server.apiKeys.length} client key(s)` : 'off (loopback only)'}`,
  );
  for (const [name, route] of Object.entries(config.routes)) {
    const tiers = route.tiers.map((tier) => {
      const model = runtime.context.resolveModel(tier.model);
      return model?.provider ? tier.model : `${tier.model} [${model?.unavailable ?? 'unknown model'}]`;
    });
    print(`  route:  ${name} = ${tiers.join(' -> ')}`);
  }
  const models = runtime.availableModels();
  const none =
    config.specialists.train.length > 0
      ? '(none yet: specialists train in the background; configure a provider for large models)'
      : '(none: configure a provider)';
  // `human` is always there; the banner says "none" until a machine can answer.
  const named = [...(runtime.autoAvailable() ? ['auto'] : []), ...models];
  print(`  models: ${models.some((id) => id !== HUMAN_MODEL_ID) ? named.join(', ') : none}`);
  for (const [id, how] of runtime.unconfigured) print(`  provider ${id} not configured: ${how}`);
}
