import { type Command, InvalidArgumentError } from 'commander';

interface BenchGatewayOptions {
  duration: number;
  connections: number[];
  runs: number;
  warmup: number;
  portkey: boolean;
  floor?: boolean;
  streamRequests: number;
  json?: boolean;
}

/** A number of seconds up to 600: more than 0, or (`zero: true`) 0 too. */
export function seconds(name: string, { zero }: { zero: boolean }) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < 0 || (value === 0 && !zero) || value > 600)
      throw new InvalidArgumentError(
        `${name} must be a number of seconds ${zero ? 'from 0' : 'above 0'} up to 600, got "${text}"`,
      );
    return value;
  };
}

function count(name: string, max: number, allowZero = false) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < (allowZero ? 0 : 1) || value > max)
      throw new InvalidArgumentError(
        `${name} must be a whole number from ${allowZero ? 0 : 1} to ${max}, got "${text}"`,
      );
    return value;
  };
}

function connectionList(text: string): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((value) => !Number.isInteger(value) || value < 1 || value > 1024))
    throw new InvalidArgumentError(
      `--connections takes whole numbers from 1 to 1024 separated by commas, got "${text}"`,
    );
  return [...new Set(values)];
}

/**
 * `rightsize bench gateway`: direct vs through Rightsize vs through Portkey's gateway, on
 * loopback, at each concurrency; prints the side-by-side table (`--json` for machines).
 */
export function registerBenchGatewayCommand(bench: Command): void {
  bench
    .command('gateway')
    .description(
      'Loopback benchmark: a fast local upstream direct, through Rightsize and through Portkey (installed from npm into a temp folder); req/s, p50/p99, added latency, CPU and peak RSS',
    )
    .option(
      '--duration <seconds>',
      'measured window per target and concurrency',
      seconds('--duration', { zero: false }),
      5,
    )
    .option('--connections <list>', 'concurrencies, comma-separated', connectionList, [1, 8, 32])
    .option('--runs <n>', 'repeat the whole matrix and report medians', count('--runs', 20), 1)
    .option(
      '--warmup <seconds>',
      'unmeasured load before each window (0: none)',
      seconds('--warmup', { zero: true }),
      1,
    )
    .option(
      '--stream-requests <n>',
      'streaming requests per target for the TTFT table (0 skips it)',
      count('--stream-requests', 10_000, true),
      200,
    )
    .option('--no-portkey', 'do not install or measure Portkey')
    .option('--floor', 'also measure a bare node:http + undici pass-through (the floor of any Node.js gateway)')
    .option('--json', 'print the report as JSON')
    .action(async (options: BenchGatewayOptions) => {
      const { runGatewayBench } = await import('../../bench/gateway/run-gateway-bench.ts');
      const { formatGatewayBench } = await import('../../bench/gateway/format-gateway-bench.ts');
      const report = await runGatewayBench({
        durationSeconds: options.duration,
        connections: options.connections,
        runs: options.runs,
        warmupSeconds: options.warmup,
        portkey: options.portkey,
        floor: options.floor === true,
        streamRequests: options.streamRequests,
        progress: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(`${options.json ? JSON.stringify(report, null, 2) : formatGatewayBench(report)}\n`);
    });
}
