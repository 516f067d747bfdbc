import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { loadTarget, type TargetEndpoint } from './load-target.ts';
import { measureTtft, type TtftResult } from './measure-ttft.ts';
import { installPortkey, PORTKEY_PACKAGE, portkeyHeaders, startPortkey } from './portkey-gateway.ts';
import { readCpuMs, readPeakRssBytes } from './process-stats.ts';
import { type RunningChild, startChild } from './start-child.ts';
import {
  type BenchTarget,
  checkGoals,
  compareGateways,
  type GatewayRatio,
  type GoalCheck,
  type LoadMeasurement,
  type SummaryRow,
  summariseMeasurements,
} from './summarise-gateway-bench.ts';

export interface GatewayBenchOptions {
  /** Measured window per target and concurrency, in s. @default 5 */
  durationSeconds: number;
  /** Concurrencies (autocannon connections). @default [1, 8, 32] */
  connections: readonly number[];
  /** Repetitions of the whole matrix; the table shows medians. @default 1 */
  runs: number;
  /** Load before each measured window, not counted, in s. @default 1 */
  warmupSeconds: number;
  /** Install and measure Portkey's gateway too. @default true */
  portkey: boolean;
  /** Measure a bare `node:http` + undici pass-through too, as the floor of any Node.js gateway. @default false */
  floor: boolean;
  /** Streaming requests per target for the TTFT row; 0 skips it. @default 200 */
  streamRequests: number;
  /** Progress lines (stderr in the CLI). */
  progress: (line: string) => void;
}

/** A target as set up for the bench, or why it could not be. */
export interface TargetInfo {
  target: BenchTarget;
  description: string;
  version?: string;
  /** Peak RSS of the process over the whole bench, in MiB (the gateway process; the upstream for direct). */
  peakRssMiB?: number;
  /** Set when the target could not be measured. */
  skipped?: string;
}

export interface StreamingRow extends TtftResult {
  target: BenchTarget;
  /** Median TTFT minus direct's, in ms. */
  addedTtftP50Ms?: number;
}

/** Everything `rightsize bench gateway` measured; `--json` prints it as is. */
export interface GatewayBenchReport {
  startedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    node: string;
    platform: string;
    loadAverageStart: number[];
    loadAverageEnd: number[];
  };
  settings: {
    durationSeconds: number;
    warmupSeconds: number;
    connections: number[];
    runs: number;
    maxRequestsPerWindow: number;
    body: string;
  };
  targets: TargetInfo[];
  measurements: LoadMeasurement[];
  rows: SummaryRow[];
  ratios: GatewayRatio[];
  streaming: StreamingRow[];
  goals: GoalCheck[];
  /** Request log rows Rightsize reported at shutdown, and the 2xx answers the bench counted through it. */
  rightsizeLog?: { rows: number | undefined; answered: number };
  notes: string[];
}

const PROMPT = 'Say hello in five words.';
const BODY = JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: PROMPT }], max_tokens: 16 });
const STREAM_BODY = JSON.stringify({
  model: 'echo',
  messages: [{ role: 'user', content: PROMPT }],
  max_tokens: 16,
  stream: true,
});
/** Measured in this order at each concurrency, each right after the direct baseline. */
const TARGET_ORDER: readonly BenchTarget[] = ['direct', 'floor', 'rightsize', 'portkey'];
/** Requests per measured window at most, so that a very fast target cannot run away. */
const MAX_REQUESTS_PER_SECOND = 50_000;

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cliEntry = fileURLToPath(new URL('../../../bin/rightsize.js', import.meta.url));
const upstreamEntry = fileURLToPath(new URL('./bench-upstream.ts', import.meta.url));
const floorEntry = fileURLToPath(new URL('./floor-proxy.ts', import.meta.url));

/**
 * The loopback benchmark: a fast OpenAI-protocol upstream, Rightsize and (optionally) Portkey's
 * gateway each in their own process on 127.0.0.1, loaded by autocannon at each concurrency, direct
 * first and then through each gateway, repeated `runs` times. Stops its children and removes its
 * temporary folder when done, failed or interrupted.
 */
export async function runGatewayBench(options: GatewayBenchOptions): Promise<GatewayBenchReport> {
  const folder = mkdtempSync(join(tmpdir(), 'rightsize-bench-'));
  const children: RunningChild[] = [];
  const stopAll = async () => {
    await Promise.all(children.map((child) => child.stop()));
  };
  const onSignal = () => {
    void stopAll().finally(() => {
      rmSync(folder, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const notes: string[] = [];
  const startedAt = new Date().toISOString();
  const loadAverageStart = loadavg();
  try {
    options.progress('starting the upstream...');
    const upstream = await startChild({
      name: 'upstream',
      command: process.execPath,
      args: ['--import', 'tsx', upstreamEntry],
      cwd: repositoryRoot,
      ready: (line) => /^upstream listening on (\S+)/.exec(line)?.[1],
    });
    children.push(upstream);
    const upstreamUrl = upstream.readyValue;

    options.progress('starting Rightsize...');
    const configPath = join(folder, 'rightsize.yaml');
    writeFileSync(configPath, rightsizeConfig(`${upstreamUrl}/v1`, join(folder, 'rightsize.db')));
    const rightsize = await startChild({
      name: 'rightsize',
      command: process.execPath,
      args: [cliEntry, 'serve', '--config', configPath, '--port', '0'],
      cwd: folder,
      ready: (line) => /^Rightsize listening on (\S+)/.exec(line)?.[1],
    });
    children.push(rightsize);

    const targets: TargetInfo[] = [
      { target: 'direct', description: `fast OpenAI-protocol upstream (src/testing) at ${upstreamUrl}` },
      { target: 'rightsize', description: `node bin/rightsize.js serve at ${rightsize.readyValue}` },
    ];
    const endpoints = new Map<BenchTarget, { endpoint: TargetEndpoint; pid: number }>([
      ['direct', { endpoint: endpoint(upstreamUrl, {}, BODY), pid: upstream.pid }],
      ['rightsize', { endpoint: endpoint(rightsize.readyValue, {}, BODY), pid: rightsize.pid }],
    ]);
    const streamEndpoints = new Map<BenchTarget, TargetEndpoint>([
      ['direct', endpoint(upstreamUrl, {}, STREAM_BODY)],
      ['rightsize', endpoint(rightsize.readyValue, {}, STREAM_BODY)],
    ]);

    if (options.floor) {
      options.progress('starting the floor proxy...');
      const floor = await startChild({
        name: 'floor',
        command: process.execPath,
        args: ['--import', 'tsx', floorEntry, upstreamUrl],
        cwd: repositoryRoot,
        ready: (line) => /^floor listening on (\S+)/.exec(line)?.[1],
      });
      children.push(floor);
      targets.push({
        target: 'floor',
        description: `node:http + undici pass-through, no parsing, logging or metrics (src/bench/gateway/floor-proxy.ts) at ${floor.readyValue}`,
      });
      // Non-streaming only: the floor proxy buffers answers, so it has no TTFT of its own.
      endpoints.set('floor', { endpoint: endpoint(floor.readyValue, {}, BODY), pid: floor.pid });
    }

    let portkey: RunningChild | undefined;
    if (options.portkey) {
      try {
        options.progress(`installing ${PORTKEY_PACKAGE} into ${folder} with npm...`);
        const install = await installPortkey(join(folder, 'portkey'));
        options.progress(`starting Portkey's gateway ${install.version}...`);
        portkey = await startPortkey(install, folder, await freePort());
        children.push(portkey);
        const headers = portkeyHeaders(`${upstreamUrl}/v1`);
        targets.push({
          target: 'portkey',
          description: `${PORTKEY_PACKAGE}@${install.version} at ${portkey.readyValue}`,
          version: install.version,
        });
        endpoints.set('portkey', { endpoint: endpoint(portkey.readyValue, headers, BODY), pid: portkey.pid });
        streamEndpoints.set('portkey', endpoint(portkey.readyValue, headers, STREAM_BODY));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        options.progress(`Portkey skipped: ${reason}`);
        targets.push({ target: 'portkey', description: PORTKEY_PACKAGE, skipped: reason });
      }
    } else {
      targets.push({ target: 'portkey', description: PORTKEY_PACKAGE, skipped: '--no-portkey' });
    }

    // One request each before any load: a target that does not answer correctly is not measured.
    for (const [target, { endpoint: each }] of [...endpoints]) {
      const problem = await checkAnswer(each);
      if (!problem) continue;
      options.progress(`${target} skipped: ${problem}`);
      endpoints.delete(target);
      streamEndpoints.delete(target);
      const info = targets.find((item) => item.target === target);
      if (info) info.skipped = problem;
    }
    if (!endpoints.has('direct')) throw new Error(`the upstream does not answer: ${targets[0]?.skipped}`);

    const measurements: LoadMeasurement[] = [];
    const maxRequests = Math.ceil(options.durationSeconds * MAX_REQUESTS_PER_SECOND);
    let rightsizeAnswered = 0;
    for (let run = 0; run < options.runs; run++) {
      for (const connections of options.connections) {
        for (const target of TARGET_ORDER) {
          const entry = endpoints.get(target);
          if (!entry) continue;
          const { endpoint: each, pid } = entry;
          if (options.warmupSeconds > 0) {
            const warmup = await loadTarget(each, {
              connections,
              durationSeconds: options.warmupSeconds,
              maxRequests: Math.ceil(options.warmupSeconds * MAX_REQUESTS_PER_SECOND),
            });
            if (target === 'rightsize') rightsizeAnswered += warmup.responses;
            const failed = warmup.errors + warmup.non2xx;
            if (failed > 0) notes.push(`${target} c${connections} run ${run + 1}: ${failed} failures during warm-up`);
          }
          const cpuBefore = readCpuMs(pid);
          const result = await loadTarget(each, { connections, durationSeconds: options.durationSeconds, maxRequests });
          const cpuAfter = readCpuMs(pid);
          if (target === 'rightsize') rightsizeAnswered += result.responses;
          const measurement: LoadMeasurement = {
            run,
            connections,
            target,
            requestsPerSecond: result.requestsPerSecond,
            p50Ms: result.p50Ms,
            p99Ms: result.p99Ms,
            responses: result.responses,
            errors: result.errors,
            timeouts: result.timeouts,
            non2xx: result.non2xx,
            ...(cpuBefore !== undefined && cpuAfter !== undefined && result.responses > 0
              ? { cpuMicrosPerRequest: ((cpuAfter - cpuBefore) * 1000) / result.responses }
              : {}),
          };
          measurements.push(measurement);
          if (Object.keys(result.statusCounts).length > 0)
            notes.push(
              `${target} c${connections} run ${run + 1}: statuses ${Object.entries(result.statusCounts)
                .map(([status, count]) => `${status} x${count}`)
                .join(', ')}`,
            );
          options.progress(
            `run ${run + 1}/${options.runs} c${connections} ${target.padEnd(9)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${result.p50Ms.toFixed(3)} ms  p99 ${result.p99Ms.toFixed(3)} ms  errors ${result.errors + result.non2xx}`,
          );
        }
      }
    }

    const streaming: StreamingRow[] = [];
    if (options.streamRequests > 0) {
      for (const [target, each] of streamEndpoints) {
        await measureTtft(each, Math.min(20, options.streamRequests));
        const result = await measureTtft(each, options.streamRequests);
        if (target === 'rightsize') rightsizeAnswered += result.requests - result.errors;
        streaming.push({ target, ...result });
        // The client sees only a status; the gateway's own output usually says what went wrong.
        const child = target === 'direct' ? upstream : target === 'rightsize' ? rightsize : portkey;
        const cause = result.errors > 0 ? /^.*(error|exception).*$/im.exec(child?.output() ?? '')?.[0] : undefined;
        if (cause) notes.push(`${target} streaming failed; its output says: ${cause.trim().slice(0, 200)}`);
        options.progress(
          `streaming ${target.padEnd(9)} TTFT p50 ${result.ttftP50Ms?.toFixed(3) ?? '-'} ms  errors ${result.errors}`,
        );
      }
      const direct = streaming.find((row) => row.target === 'direct');
      for (const row of streaming)
        if (direct?.ttftP50Ms != null && row.ttftP50Ms != null && row.target !== 'direct')
          row.addedTtftP50Ms = row.ttftP50Ms - direct.ttftP50Ms;
    }

    const mebibytes = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes / (1024 * 1024));
    for (const info of targets) {
      const pid = endpoints.get(info.target)?.pid;
      const peak = pid === undefined ? undefined : mebibytes(readPeakRssBytes(pid));
      if (peak !== undefined) info.peakRssMiB = peak;
    }
    const loadAverageEnd = loadavg();

    await stopAll();
    const logged = /request log: (\d+) rows/.exec(rightsize.output())?.[1];
    const rows = summariseMeasurements(measurements);
    notes.push(
      'CPU µs/req: user + system CPU time of the process that answered the client (the gateway; the upstream for direct), per 2xx response.',
      `Peak RSS: the kernel's VmHWM of each process over the whole bench, start-up included.`,
    );
    return {
      startedAt,
      machine: {
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        loadAverageStart,
        loadAverageEnd,
      },
      settings: {
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        connections: [...options.connections],
        runs: options.runs,
        maxRequestsPerWindow: maxRequests,
        body: BODY,
      },
      targets: [...targets].sort((a, b) => TARGET_ORDER.indexOf(a.target) - TARGET_ORDER.indexOf(b.target)),
      measurements,
      rows,
      ratios: compareGateways(rows),
      streaming,
      goals: checkGoals(rows, targets.find((info) => info.target === 'rightsize')?.peakRssMiB),
      rightsizeLog: { rows: logged === undefined ? undefined : Number(logged), answered: rightsizeAnswered },
      notes,
    };
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(folder, { recursive: true, force: true });
  }
}

function endpoint(base: string, headers: Record<string, string>, body: string): TargetEndpoint {
  return { url: `${base}/v1/chat/completions`, headers, body };
}

/** Rightsize's config for the bench: one provider on the upstream, one priced model, defaults otherwise. */
function rightsizeConfig(upstreamBaseUrl: string, databasePath: string): string {
  return [
    'server: { host: 127.0.0.1, port: 0 }',
    `store: { url: ${JSON.stringify(`sqlite:${databasePath}`)} }`,
    'providers:',
    `  bench: { baseUrl: ${JSON.stringify(upstreamBaseUrl)}, deployment: on-prem }`,
    'models:',
    '  - { id: echo, provider: bench, prices: { inputPerMillionUsd: 0.15, outputPerMillionUsd: 0.6 } }',
    '',
  ].join('\n');
}

/** Sends one chat completion; returns what is wrong with the answer, or undefined when it is right. */
async function checkAnswer(target: TargetEndpoint): Promise<string | undefined> {
  try {
    const response = await request(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target.headers },
      body: target.body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) return `status ${response.statusCode}: ${text.slice(0, 300)}`;
    const content = (JSON.parse(text) as { choices?: Array<{ message?: { content?: string } }> }).choices?.[0]?.message
      ?.content;
    if (content !== `echo: ${PROMPT}`) return `unexpected answer ${JSON.stringify(content)}`;
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A port free on 127.0.0.1 now (for servers that cannot be told to pick one). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
