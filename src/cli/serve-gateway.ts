import type { RightsizeConfig } from '../config/config-schema.ts';
import { loadConfig } from '../config/load-config.ts';
import { startGateway } from '../server/start-gateway.ts';
import type { ServeOptions } from './commands/serve.ts';

/** Starts the gateway from CLI options and keeps it running until SIGTERM or SIGINT. */
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
  const gateway = await startGateway({
    config,
    configSource: loaded.source,
    print: (line) => process.stdout.write(`${line}\n`),
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Rightsize: ${signal} received, finishing requests and flushing the log...\n`);
    await gateway.close();
    const count = await countLog(config);
    process.stdout.write(`Rightsize: stopped${count === undefined ? '' : ` (request log: ${count} rows)`}.\n`);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
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
