/**
 * The targets the gateway bench loads: the upstream itself, then each gateway in front of it;
 * `floor` is the least a Node.js proxy can do (`--floor`), to show what is left for any gateway.
 */
export type BenchTarget = 'direct' | 'floor' | 'rightsize' | 'portkey';

/** One load run of one target at one concurrency (autocannon plus the process counters). */
export interface LoadMeasurement {
  /** Which repetition of the whole matrix this came from (0-based). */
  run: number;
  connections: number;
  target: BenchTarget;
  /** 2xx responses per second over the measured window. */
  requestsPerSecond: number;
  /** Median latency of 2xx responses, in ms (sub-millisecond resolution). */
  p50Ms: number;
  /** 99th percentile latency of 2xx responses, in ms. */
  p99Ms: number;
  /** 2xx responses in the window. */
  responses: number;
  /** Connection errors (including timeouts) autocannon saw. */
  errors: number;
  timeouts: number;
  /** Responses with a status outside 2xx. */
  non2xx: number;
  /**
   * CPU time (user + system, all threads) that the process answering the client spent per 2xx
   * response, in µs: the gateway for gateway targets, the upstream for `direct`. Absent off Linux.
   */
  cpuMicrosPerRequest?: number;
}

/** The medians over runs of one target at one concurrency, with the comparison to direct. */
export interface SummaryRow {
  connections: number;
  target: BenchTarget;
  runs: number;
  requestsPerSecond: number;
  /** Smallest and largest req/s over the runs, to show the noise. */
  requestsPerSecondRange: [number, number];
  p50Ms: number;
  p99Ms: number;
  /** Median over runs of (this target's p50 - direct's p50 in the same run), in ms; 0 for direct. */
  addedP50Ms: number | undefined;
  /** Median over runs of (this target's req/s / direct's req/s in the same run); 1 for direct. */
  shareOfDirect: number | undefined;
  cpuMicrosPerRequest: number | undefined;
  /** Summed over runs: nothing is hidden. */
  errors: number;
  timeouts: number;
  non2xx: number;
}

/** Rightsize against Portkey at one concurrency, from the summary rows. */
export interface GatewayRatio {
  connections: number;
  /** Rightsize req/s / Portkey req/s. */
  throughput: number;
  /** Portkey's added p50 / Rightsize's added p50 (how many times less latency Rightsize adds). */
  addedLatency: number | undefined;
  /** Portkey CPU per request / Rightsize CPU per request. */
  cpu: number | undefined;
}

/**
 * The value below which `fraction` of the sorted values fall, by the nearest-rank method (the
 * same definition HdrHistogram and autocannon use). `sorted` must be ascending.
 * @throws RangeError when `fraction` is outside [0, 1].
 */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (fraction < 0 || fraction > 1) throw new RangeError(`percentile fraction must be in [0, 1], got ${fraction}`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1] as number;
}

/** The median of some numbers (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Groups measurements by concurrency and target and takes medians over runs. Added latency and
 * share of direct are paired per run (a gateway against the direct load measured just before it),
 * which cancels some of the noise of a shared machine, then the median of those is taken.
 */
export function summariseMeasurements(measurements: readonly LoadMeasurement[]): SummaryRow[] {
  const direct = new Map<string, LoadMeasurement>();
  for (const item of measurements) if (item.target === 'direct') direct.set(`${item.run}/${item.connections}`, item);
  const groups = new Map<string, LoadMeasurement[]>();
  for (const item of measurements) {
    const key = `${item.connections}/${item.target}`;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const rows: SummaryRow[] = [];
  for (const group of groups.values()) {
    const first = group[0] as LoadMeasurement;
    const added: number[] = [];
    const shares: number[] = [];
    for (const item of group) {
      const baseline = direct.get(`${item.run}/${item.connections}`);
      if (!baseline || item.responses === 0) continue;
      added.push(item.p50Ms - baseline.p50Ms);
      if (baseline.requestsPerSecond > 0) shares.push(item.requestsPerSecond / baseline.requestsPerSecond);
    }
    const rates = group.map((item) => item.requestsPerSecond);
    const cpu = group.flatMap((item) => (item.cpuMicrosPerRequest === undefined ? [] : [item.cpuMicrosPerRequest]));
    const answered = group.filter((item) => item.responses > 0);
    rows.push({
      connections: first.connections,
      target: first.target,
      runs: group.length,
      requestsPerSecond: median(rates),
      requestsPerSecondRange: [Math.min(...rates), Math.max(...rates)],
      p50Ms: median(answered.map((item) => item.p50Ms)),
      p99Ms: median(answered.map((item) => item.p99Ms)),
      addedP50Ms: added.length > 0 ? median(added) : undefined,
      shareOfDirect: shares.length > 0 ? median(shares) : undefined,
      cpuMicrosPerRequest: cpu.length > 0 ? median(cpu) : undefined,
      errors: sum(group.map((item) => item.errors)),
      timeouts: sum(group.map((item) => item.timeouts)),
      non2xx: sum(group.map((item) => item.non2xx)),
    });
  }
  const order: Record<BenchTarget, number> = { direct: 0, floor: 1, rightsize: 2, portkey: 3 };
  return rows.sort((a, b) => a.connections - b.connections || order[a.target] - order[b.target]);
}

/** Rightsize vs Portkey at each concurrency where both were measured. */
export function compareGateways(rows: readonly SummaryRow[]): GatewayRatio[] {
  const ratios: GatewayRatio[] = [];
  for (const rightsize of rows) {
    if (rightsize.target !== 'rightsize') continue;
    const portkey = rows.find((row) => row.target === 'portkey' && row.connections === rightsize.connections);
    if (!portkey || portkey.requestsPerSecond === 0) continue;
    ratios.push({
      connections: rightsize.connections,
      throughput: rightsize.requestsPerSecond / portkey.requestsPerSecond,
      addedLatency:
        rightsize.addedP50Ms !== undefined && portkey.addedP50Ms !== undefined && rightsize.addedP50Ms > 0
          ? portkey.addedP50Ms / rightsize.addedP50Ms
          : undefined,
      cpu:
        rightsize.cpuMicrosPerRequest !== undefined && portkey.cpuMicrosPerRequest !== undefined
          ? portkey.cpuMicrosPerRequest / rightsize.cpuMicrosPerRequest
          : undefined,
    });
  }
  return ratios;
}

/** One goal of issue 2, with the value measured. */
export interface GoalCheck {
  goal: string;
  measured: string;
  met: boolean | undefined;
}

/**
 * Issue 2's goals: added p50 at concurrency 1 under 0.5 ms; at concurrency 32 at least 70 % of
 * direct req/s; peak RSS under 120 MB (MiB here). `undefined` when not measured.
 */
export function checkGoals(rows: readonly SummaryRow[], rightsizePeakRssMiB: number | undefined): GoalCheck[] {
  const at = (connections: number) => rows.find((row) => row.target === 'rightsize' && row.connections === connections);
  const one = at(1);
  const many = at(32);
  return [
    {
      goal: 'added p50 at concurrency 1 < 0.5 ms',
      measured: one?.addedP50Ms === undefined ? 'not measured' : `${one.addedP50Ms.toFixed(3)} ms`,
      met: one?.addedP50Ms === undefined ? undefined : one.addedP50Ms < 0.5,
    },
    {
      goal: 'req/s at concurrency 32 >= 70 % of direct',
      measured: many?.shareOfDirect === undefined ? 'not measured' : `${(many.shareOfDirect * 100).toFixed(1)} %`,
      met: many?.shareOfDirect === undefined ? undefined : many.shareOfDirect >= 0.7,
    },
    {
      goal: 'peak RSS < 120 MB',
      measured: rightsizePeakRssMiB === undefined ? 'not measured' : `${rightsizePeakRssMiB.toFixed(0)} MiB`,
      met: rightsizePeakRssMiB === undefined ? undefined : rightsizePeakRssMiB < 120,
    },
  ];
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
