import Table from 'cli-table3';
import type { GatewayBenchReport } from './run-gateway-bench.ts';

// JSON turns NaN into null, so a report read back from `--json` may hold either.
const fixed = (value: number | null | undefined, digits: number): string =>
  value == null || Number.isNaN(value) ? '-' : value.toFixed(digits);
const signed = (value: number | null | undefined, digits: number): string =>
  value == null || Number.isNaN(value) ? '-' : `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;

/** The bench report as text: the side-by-side table, Rightsize vs Portkey, streaming, goals, notes. */
export function formatGatewayBench(report: GatewayBenchReport): string {
  const peak = new Map(report.targets.map((info) => [info.target, info.peakRssMiB]));
  const table = new Table({
    style: { head: [], border: [] },
    head: [
      'conns',
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      'added p50 ms',
      '% of direct req/s',
      'CPU µs/req',
      'peak RSS MiB',
      'errors',
    ],
    colAligns: ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const row of report.rows) {
    const [low, high] = row.requestsPerSecondRange;
    const failures = [
      row.errors > 0 ? `${row.errors} conn` : '',
      row.timeouts > 0 ? `${row.timeouts} timeout` : '',
      row.non2xx > 0 ? `${row.non2xx} non-2xx` : '',
    ].filter(Boolean);
    table.push([
      String(row.connections),
      row.target,
      row.runs > 1
        ? `${row.requestsPerSecond.toFixed(0)} (${low.toFixed(0)}-${high.toFixed(0)})`
        : row.requestsPerSecond.toFixed(0),
      fixed(row.p50Ms, 3),
      fixed(row.p99Ms, 3),
      row.target === 'direct' ? '-' : signed(row.addedP50Ms, 3),
      row.shareOfDirect === undefined ? '-' : `${(row.shareOfDirect * 100).toFixed(1)} %`,
      fixed(row.cpuMicrosPerRequest, 0),
      fixed(peak.get(row.target), 0),
      failures.length > 0 ? failures.join(', ') : '0',
    ]);
  }
  const lines = [
    `Gateway bench: non-streaming POST /v1/chat/completions on 127.0.0.1, ${report.settings.durationSeconds} s per window after ${report.settings.warmupSeconds} s warm-up, ${report.settings.runs} run(s), medians`,
    `machine: ${report.machine.cpus} CPUs (${report.machine.cpuModel}), Node ${report.machine.node}, load average ${report.machine.loadAverageStart.map((value) => value.toFixed(2)).join(' ')} -> ${report.machine.loadAverageEnd.map((value) => value.toFixed(2)).join(' ')}`,
  ];
  for (const info of report.targets)
    lines.push(`  ${info.target.padEnd(9)} ${info.skipped ? `SKIPPED: ${info.skipped}` : info.description}`);
  lines.push(table.toString());

  if (report.ratios.length > 0) {
    lines.push('Rightsize vs Portkey:');
    for (const ratio of report.ratios)
      lines.push(
        `  c${ratio.connections}: ${ratio.throughput.toFixed(1)}x the req/s, ${ratio.addedLatency === undefined ? '-' : `${ratio.addedLatency.toFixed(1)}x less`} added p50, ${ratio.cpu === undefined ? '-' : `${ratio.cpu.toFixed(1)}x less`} CPU per request`,
      );
  }
  if (report.streaming.length > 0) {
    const streaming = new Table({
      style: { head: [], border: [] },
      head: ['streaming (c1)', 'requests', 'TTFT p50 ms', 'added TTFT ms', 'total p50 ms', 'errors'],
      colAligns: ['left', 'right', 'right', 'right', 'right', 'right'],
    });
    for (const row of report.streaming)
      streaming.push([
        row.target,
        String(row.requests),
        fixed(row.ttftP50Ms, 3),
        row.target === 'direct' ? '-' : signed(row.addedTtftP50Ms, 3),
        fixed(row.totalP50Ms, 3),
        row.errors > 0 ? `${row.errors} (${row.firstError ?? ''})`.slice(0, 80) : '0',
      ]);
    lines.push(streaming.toString());
  }
  lines.push('Goals (issue 2), for Rightsize:');
  for (const goal of report.goals)
    lines.push(`  ${goal.met === undefined ? '?' : goal.met ? 'met ' : 'MISS'} ${goal.goal}: ${goal.measured}`);
  if (report.rightsizeLog)
    lines.push(
      `Rightsize request log: ${report.rightsizeLog.rows ?? 'unknown'} rows at shutdown for ${report.rightsizeLog.answered} answers counted by the bench (plus checks and requests cut at window ends).`,
    );
  for (const note of report.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}
