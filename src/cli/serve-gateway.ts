import { resolve } from 'node:path';
import type { RightsizeConfig } from '../config/config-schema.ts';
import { loadConfig } from '../config/load-config.ts';
import { createSpecialistProvider, toSpecialistSource } from '../providers/specialist/create-specialist-provider.ts';
import { startGateway } from '../server/start-gateway.ts';
import type { ServeOptions } from './commands/serve.ts';

/**
 * Starts the gateway from CLI options and keeps it running until SIGTERM or SIGINT. Specialists
 * the config lists but the registry lacks are trained in the background (a worker thread per
 * training) while the gateway already serves; their tiers are skipped, and say so, until ready.
 */
export async function serve(options: ServeOptions): Promise<void> {
  const loaded = loadConfig({ path: options.config });
  const config: RightsizeConfig = {
    ...loaded.config,
    server: {
      ...loaded.config.server,
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
    },
    store: { ...loaded.config.store, ...(options.db !== undefined ? { url: options.db } : {}) },
  };
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const specialistProvider = createSpecialistProvider({
    registryDir: resolve(config.specialists.registry),
    costPerCallUsd: config.specialists.costPerCallUsd,
  });
  // Specialists of a route calibrated at start stay unlisted (their tiers skipped) until their
  // route thresholds are stored, so that no request is judged by a stale threshold.
  const { routeCalibrationIsCurrent } = await import('../specialists/calibration/ensure-route-calibration.ts');
  const calibrating = new Set(
    config.specialists.calibrateRoutes.flatMap((entry) => {
      const names = routeSpecialists(config, entry.route);
      const current = routeCalibrationIsCurrent({
        registryDir: resolve(config.specialists.registry),
        route: entry.route,
        specialists: names,
        targetAccuracy: entry.targetAccuracy,
        confidence: entry.confidence,
      });
      return current ? [] : names;
    }),
  );
  const gateway = await startGateway({
    config,
    configSource: loaded.source,
    print,
    specialists: toSpecialistSource(specialistProvider, { hide: (name) => calibrating.has(name) }),
  });
  let stopping = false;
  const stop = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    print(`Rightsize: ${signal} received, finishing requests and flushing the log...`);
    await gateway.close();
    const count = await countLog(config);
    print(`Rightsize: stopped${count === undefined ? '' : ` (request log: ${count} rows in the store)`}.`);
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // A bug that escapes every handler: say so, and stop as on SIGTERM (requests in flight finish or
  // are answered 503, the log is flushed) rather than dying with rows still in memory; exit code 1.
  // If that shutdown itself hangs, the process ends 30 s later.
  const fail = (error: unknown) => {
    process.stderr.write(
      `rightsize: unexpected error, stopping: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    setTimeout(() => process.exit(1), 30_000).unref();
    void stop('an unexpected error', 1);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  void trainMissingSpecialists(config, print).then(() =>
    calibrateRoutesAtStart(config, print, async (names) => {
      for (const name of names) {
        await specialistProvider.reload(name);
        calibrating.delete(name);
      }
    }),
  );
}

/** The leading `specialist/NAME` tiers of a route, by name. */
function routeSpecialists(config: RightsizeConfig, route: string): string[] {
  const names: string[] = [];
  for (const tier of config.routes[route]?.tiers ?? []) {
    if (!tier.model.startsWith('specialist/')) break;
    names.push(tier.model.slice('specialist/'.length));
  }
  return names;
}

/** Runs `specialists.calibrateRoutes` (see `ensureRouteCalibration`), then lists the specialists again via `ready`. */
async function calibrateRoutesAtStart(
  config: RightsizeConfig,
  print: (line: string) => void,
  ready: (names: string[]) => Promise<void>,
): Promise<void> {
  if (config.specialists.calibrateRoutes.length === 0) return;
  const { ensureRouteCalibration } = await import('../specialists/calibration/ensure-route-calibration.ts');
  for (const entry of config.specialists.calibrateRoutes) {
    const names = routeSpecialists(config, entry.route);
    const training = config.specialists.train.find((train) => train.name === names[0]);
    try {
      if (names.length === 0 || training === undefined) {
        print(
          `  route ${entry.route} not calibrated: specialists.calibrateRoutes needs a route whose first tiers are ` +
            'specialist/NAME tiers trained from specialists.train',
        );
        continue;
      }
      print(
        `  calibrating route ${entry.route} (${names.map((name) => `specialist/${name}`).join(' -> ')}) together...`,
      );
      const outcome = await ensureRouteCalibration({
        registryDir: resolve(config.specialists.registry),
        route: entry.route,
        specialists: names,
        dataPath: resolve(training.data),
        textColumn: training.textColumn,
        labelColumn: training.labelColumn,
        targetAccuracy: entry.targetAccuracy,
        confidence: entry.confidence,
      });
      if (outcome.status === 'current') print(`  route ${entry.route}: thresholds already calibrated together`);
      else if (outcome.status === 'no-threshold')
        print(
          `  route ${entry.route}: no thresholds reach ${entry.targetAccuracy} with ${entry.confidence} confidence on the ` +
            'validation split; each specialist keeps its own (lower targetAccuracy, or calibrate on more held-out rows)',
        );
      else {
        const point = outcome.result.choice.guaranteed;
        print(
          `  route ${entry.route}: thresholds ${outcome.result.stored.map((stored) => `specialist/${stored.name} ${stored.calibration.threshold.toFixed(4)}`).join(', ')}; ` +
            `on ${outcome.result.choice.items} validation rows they settle ${((point?.coverage ?? 0) * 100).toFixed(1)} % ` +
            `at ${((point?.selectiveAccuracy ?? 0) * 100).toFixed(1)} % (>= ${((point?.accuracyLowerBound ?? 0) * 100).toFixed(1)} % with ${entry.confidence} confidence)`,
        );
      }
    } catch (error) {
      print(`  route ${entry.route} not calibrated: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await ready(names);
    }
  }
}

async function trainMissingSpecialists(config: RightsizeConfig, print: (line: string) => void): Promise<void> {
  if (config.specialists.train.length === 0) return;
  const { ensureSpecialists } = await import('../providers/specialist/ensure-specialists.ts');
  const lastShown = new Map<string, number>();
  try {
    const result = await ensureSpecialists(config.specialists, {
      onProgress(name, progress) {
        // One line per 10 % step or stage change keeps a piped log readable.
        const step = Math.floor(progress.fraction * 10);
        if (lastShown.get(name) === step && progress.stage !== 'save') return;
        lastShown.set(name, step);
        print(`  training specialist/${name}: ${Math.round(progress.fraction * 100)}% ${progress.message}`);
      },
    });
    for (const metadata of result.trained) print(`  specialist/${metadata.name} ready (trained now)`);
    for (const skipped of result.skipped) print(`  specialist/${skipped.name} not trained: ${skipped.reason}`);
    if (result.trained.length > 0 || result.present.length > 0) {
      print(
        `  specialists ready: ${[...result.present, ...result.trained.map((metadata) => metadata.name)].map((name) => `specialist/${name}`).join(', ')}`,
      );
    }
  } catch (error) {
    print(`  training specialists failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function countLog(config: RightsizeConfig): Promise<number | undefined> {
  try {
    const { createStore } = await import('../store/create-store.ts');
    const store = await createStore(config.store.url);
    const count = await store.countRequestLogs();
    await store.close();
    return count;
  } catch {
    return undefined;
  }
}
