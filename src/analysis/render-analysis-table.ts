import Table from 'cli-table3';
import type { AnalysisReport, FamilyReport } from './analyze-log.ts';

/**
 * The analysis as text: one row per family, best opportunity first (id, template, requests, rate,
 * cost per request and per month, serving model, output diversity, coverage, monthly saving, risk,
 * verdict), then each family's example and reasons.
 */
export function renderAnalysisTable(report: AnalysisReport, options: { limit?: number } = {}): string {
  const families = report.families.slice(0, options.limit ?? 20);
  const table = new Table({
    style: { head: [], border: [], compact: true },
    head: [
      'family',
      'task',
      'requests',
      '/hour',
      '$/request',
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
      `${(family.opportunity.coverage * 100).toFixed(1)}% ${family.opportunity.coverageSource.slice(0, 4)}`,
      usd(family.opportunity.monthlySavingUsd),
      family.opportunity.risk,
      family.opportunity.verdict,
    ]);
  }
  const days = report.periodMs / 86_400_000;
  const lines = [
    `Task families in ${report.analysedRows} of ${report.rows} logged requests (period ${days >= 1 ? `${days.toFixed(1)} days` : `${(report.periodMs / 3_600_000).toFixed(2)} hours`}; monthly = 30 days at the observed rate; target accuracy ${(report.targetAccuracy * 100).toFixed(1)} %)`,
    table.toString(),
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
