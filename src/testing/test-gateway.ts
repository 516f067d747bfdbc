import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
import type { SpecialistSource } from '../server/create-runtime.ts';
import { type RunningGateway, startGateway } from '../server/start-gateway.ts';
import { createSqliteStore } from '../store/sqlite/create-sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { type OpenAIProtocolServer, startOpenAIProtocolServer } from './openai-protocol-server.ts';

/** A gateway for a test, over a local OpenAI-protocol server and an in-memory SQLite store. */
export interface TestGateway {
  upstream: OpenAIProtocolServer;
  /** Stays open when the gateway closes, so a test can read what it logged; closed by `close`. */
  store: Store;
  gateway: RunningGateway;
  /** Closes the gateway, then the upstream server and the store. */
  close(): Promise<void>;
}

/**
 * Starts a protocol server, an in-memory store and a gateway whose config is `config(baseUrl)` (the
 * server's base URL, for its providers), with `environment` as the only variables.
 */
export async function startTestGateway(options: {
  config: (upstreamBaseUrl: string) => string;
  environment?: Record<string, string>;
  specialists?: SpecialistSource;
}): Promise<TestGateway> {
  const upstream = await startOpenAIProtocolServer();
  const store = await createSqliteStore(':memory:');
  const gateway = await startGateway({
    config: parseConfig(options.config(upstream.baseUrl)),
    environment: readEnvironment(options.environment ?? {}),
    store: { ...store, close: async () => {} },
    ...(options.specialists ? { specialists: options.specialists } : {}),
  });
  return {
    upstream,
    store,
    gateway,
    async close() {
      await gateway.close();
      await upstream.close();
      await store.close();
    },
  };
}
