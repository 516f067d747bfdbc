import Table from 'cli-table3';
import type { AnalysisReport, FamilyReport } from './analyze-log.ts';

/** Options of {@link renderAnalysisTable}. */
export interface RenderAnalysisTableOptions {
  /** Families to show. @default 20 */
  limit?: number;
  /** The `--since` window as the user wrote it (`24h`), for the hint printed when there is nothing to show. */
  since?: string;
}

/**
 * What the columns of the table are, printed under it. `$/model req` times the volume is not
 * `$/month`, on purpose: the first is the cost of a model answer, on which the saving is reckoned
 * (`estimateSaving`), the second the cost of the family as served now, specialist answers included.
 */
export const ANALYSIS_TABLE_LEGEND = [
  'requests, /hour: requests in the log and their rate over the period',
  '$/model req: mean cost of the requests a model (not a specialist) answered, the cost the saving is reckoned on',
  '$/month: cost of all the requests at the observed rate, as served now (specialist answers included)',
  'outputs 90%: fewest distinct answers covering 90 % of the model answers, of all distinct answers',
  'coverage: share of requests a specialist would settle at the target accuracy, and where the figure comes from (estimate, distilled or shadow)',
  'saving $/month: projected saving of a cascade [specialist -> model] at that coverage',
];

/**
 * The analysis as text: one row per family, best opportunity first (id, template, requests, rate,
 * cost per model-answered request and per month, serving model, output diversity, coverage, monthly
 * saving, risk, verdict), a legend of the columns, then each family's example and reasons. With no
 * family to show, one line saying why and what to do instead.
 */
export function renderAnalysisTable(report: AnalysisReport, options: RenderAnalysisTableOptions = {}): string {
  if (report.families.length === 0) return describeEmptyAnalysis(report, options.since);
  const families = report.families.slice(0, options.limit ?? 20);
  const table = new Table({
    style: { head: [], border: [], compact: true },
    head: [
      'family',
      'task',
      'requests',
      '/hour',
      '$/model req',
      '$/month',
      'served by',
      'outputs 90%',
      'coverage',
      'saving $/month',
      'risk',
      'verdict',
    ],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'right', 'right', 'right', 'left', 'left'],
  });
  for (const family of families) {
    const top = family.servedBy[0];
    table.push([
      family.id,
      shortTemplate(family),
      String(family.requests),
      family.requestsPerHour.toFixed(1),
      usd(family.costPerRequestUsd),
      usd(family.costPerMonthUsd),
      top ? `${top.model}${top.share < 0.995 ? ` ${(top.share * 100).toFixed(0)}%` : ''}` : '-',
      `${family.outputsFor90} of ${family.distinctOutputs}`,
      `${(family.opportunity.coverage * 100).toFixed(1)}% ${family.opportunity.coverageSource}`,
      usd(family.opportunity.monthlySavingUsd),
      family.opportunity.risk,
      family.opportunity.verdict,
    ]);
  }
  const days = report.periodMs / 86_400_000;
  const lines = [
    `Task families in ${report.analysedRows} of ${report.rows} logged requests (period ${days >= 1 ? `${days.toFixed(1)} days` : `${(report.periodMs / 3_600_000).toFixed(2)} hours`}; monthly = 30 days at the observed rate; target accuracy ${(report.targetAccuracy * 100).toFixed(1)} %)`,
    table.toString(),
    ...ANALYSIS_TABLE_LEGEND.map((line) => `  ${line}`),
  ];
  for (const family of families) {
    lines.push(`${family.id} [${family.shape}] ${family.template.replace(/\s+/g, ' ').slice(0, 140)}`);
    lines.push(`  example: ${family.example}`);
    lines.push(
      `  tokens per request: ${family.meanInputTokens.toFixed(0)} in, ${family.meanOutputTokens.toFixed(0)} out; latency p50 ${family.latencyP50Ms.toFixed(1)} ms, p95 ${family.latencyP95Ms.toFixed(1)} ms; top answers: ${family.topOutputs
        .slice(0, 3)
        .map((output) => `${output.output.slice(0, 30).replace(/\s+/g, ' ')} (${output.count})`)
        .join(', ')}`,
    );
    if (family.promotion)
      lines.push(
        `  promotion: specialist/${family.promotion.specialist} ${family.promotion.mode}${family.settledBySpecialist > 0 ? `, settling ${(family.settledBySpecialist * 100).toFixed(1)} % now` : ''}`,
      );
    for (const reason of family.opportunity.reasons) lines.push(`  - ${reason}`);
  }
  return lines.join('\n');
}

/** The one line printed instead of an empty table. */
function describeEmptyAnalysis(report: AnalysisReport, since: string | undefined): string {
  const window = since === undefined ? '' : ` of the last ${since}`;
  if (report.rows === 0)
    return `No requests in the log${window}: send traffic through the gateway first (rightsize serve)${since === undefined ? '' : ', or widen --since'}.`;
  return `None of the ${report.rows} logged requests${window} can be analysed (analysis reads answered requests with their messages): keep store.logContent on (the default) and send traffic through the gateway.`;
}

function shortTemplate(family: FamilyReport): string {
  const text = family.template.replace(/^\[system\] /, '').replace(/\s+/g, ' ');
  return text.length > 38 ? `${text.slice(0, 35)}...` : text;
}

/** Dollars with enough digits for sub-cent figures. */
export function usd(value: number): string {
  if (value === 0) return '$0';
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return `$${value.toFixed(0)}`;
  if (magnitude >= 1) return `$${value.toFixed(2)}`;
  return `$${value.toPrecision(3)}`;
}
