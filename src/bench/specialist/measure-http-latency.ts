import { readEnvironment } from '../../config/environment.ts';
import { parseConfig } from '../../config/load-config.ts';
import { createSpecialistProvider, toSpecialistSource } from '../../providers/specialist/create-specialist-provider.ts';
import { startGateway } from '../../server/start-gateway.ts';
import { percentiles } from './run-specialist-bench.ts';

/**
 * Latency of `POST /v1/chat/completions` with `model: specialist/<name>` through the real gateway
 * (`src/server`), on a free loopback port with an in-memory store: sequential calls over one
 * keep-alive connection, after 20 warm-up calls (the first loads the specialist).
 * @returns p50 and p99 in us.
 */
export async function measureHttpLatency(options: {
  registryDir: string;
  name: string;
  texts: readonly string[];
  calls: number;
}): Promise<{ p50: number; p99: number }> {
  const config = parseConfig(
    `server: { host: 127.0.0.1, port: 0 }\nstore: { url: "sqlite::memory:" }\nspecialists: { registry: ${JSON.stringify(options.registryDir)} }\n`,
    'bench config',
  );
  const provider = createSpecialistProvider({
    registryDir: options.registryDir,
    costPerCallUsd: config.specialists.costPerCallUsd,
  });
  const gateway = await startGateway({
    config,
    environment: readEnvironment({}),
    specialists: toSpecialistSource(provider),
  });
  try {
    const url = `${gateway.url}/v1/chat/completions`;
    const call = async (text: string) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: `specialist/${options.name}`, messages: [{ role: 'user', content: text }] }),
      });
      if (!response.ok) throw new Error(`gateway answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    };
    for (let index = 0; index < 20; index++) await call(options.texts[index % options.texts.length] ?? '');
    const samples: number[] = [];
    for (let index = 0; index < options.calls; index++) {
      const text = options.texts[(index * 7919) % options.texts.length] ?? '';
      const started = process.hrtime.bigint();
      await call(text);
      samples.push(Number(process.hrtime.bigint() - started) / 1000);
    }
    return percentiles(samples);
  } finally {
    await gateway.close();
  }
}
