import Table from 'cli-table3';
import type { ReplayGroupSummary, ReplaySummary } from './replay.ts';

/**
 * The replay's scenario table as text: one row per tier (and model) that settled requests, the
 * automated tiers together when a person took some, errors, the total; then what was skipped,
 * the errors' messages, and the all-LLM baseline with the saving.
 */
export function renderReplayTable(summary: ReplaySummary): string {
  const table = new Table({
    style: { head: [], border: [], compact: true },
    head: ['tier', 'model', 'requests', 'share', 'accuracy', 'pending review', '$/request', 'p50 ms'],
    colAligns: ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const tier of summary.tiers) table.push([String(tier.tier), tier.model, ...cells(tier)]);
  if (summary.automated) table.push(['', 'automated tiers', ...cells(summary.automated)]);
  if (summary.errors.requests > 0)
    table.push(['', 'errors', String(summary.errors.requests), percent(summary.errors.share), '', '', '', '']);
  table.push(['', 'total answered', ...cells(summary.total)]);

  const lines = [`Replay of ${summary.requests} requests through ${summary.route}`, table.toString()];
  if (summary.total.judged === 0 && summary.total.requests > 0)
    lines.push('Accuracy: no labels (pass --label-column to measure it).');
  if (summary.total.pending > 0)
    lines.push(
      `${summary.total.pending} ${summary.total.pending === 1 ? 'request awaits' : 'requests await'} a person (npx rightsize review list --status pending); accuracy counts only final answers.`,
    );
  const later = summary.resolvedLater;
  if (later.requests > 0)
    lines.push(
      `Reviewed by the end of the replay: ${later.requests} of those; ` +
        (later.accuracy === null
          ? 'no labels to judge the decisions.'
          : `the reviewers' decisions match the labels on ${percent(later.accuracy)} (${later.correct}/${later.judged}).`),
    );
  if (summary.total.unpriced > 0)
    lines.push(`${summary.total.unpriced} answers came from unpriced models: $/request covers the priced ones only.`);
  for (const skip of summary.skipped)
    lines.push(`Skipped (not configured): ${skip.model}, on ${skip.requests} requests that reached it.`);
  for (const { message, count } of summary.errors.messages.slice(0, 5)) lines.push(`Error x${count}: ${message}`);
  lines.push(...renderBaseline(summary));
  return lines.join('\n');
}

function renderBaseline(summary: ReplaySummary): string[] {
  const { baseline } = summary;
  if (baseline.unavailable !== undefined || baseline.totalUsd === null)
    return [`All-LLM baseline: not priced (${baseline.unavailable ?? 'unknown'}).`];
  const lines = [
    `All-LLM baseline: the same ${baseline.requests} answered requests sent to ${baseline.model} at catalog prices (o200k_base token counts; output = the label): ${usd(baseline.perRequestUsd)}/request, ${usd(baseline.totalUsd)} in all.`,
  ];
  if (baseline.rightsizeTotalUsd === null || baseline.savingPercent === null)
    lines.push('Rightsize: total not comparable (some answers are unpriced).');
  else
    lines.push(
      `Rightsize: ${usd(baseline.rightsizeTotalUsd)} in all: ${describeSaving(baseline.savingPercent)}${baseline.savingPercent < 0 && summary.automated ? ' (human review is priced per item: human.costPerItemUsd)' : ''}.`,
    );
  const automated = baseline.automated;
  if (automated && summary.automated && automated.savingPercent !== null)
    lines.push(
      `Automated tiers alone (${automated.requests} requests): ${usd(automated.rightsizeTotalUsd)} against ${usd(automated.baselineTotalUsd)} with ${baseline.model}: ${describeSaving(automated.savingPercent)}.`,
    );
  return lines;
}

function describeSaving(savingPercent: number): string {
  if (savingPercent >= 0) return `saving ${savingPercent.toFixed(1)} %`;
  const times = 1 - savingPercent / 100;
  return `no saving: ${times < 100 ? times.toFixed(2) : Math.round(times).toLocaleString('en-US')} x the baseline's cost`;
}

function cells(group: ReplayGroupSummary): string[] {
  return [
    String(group.requests),
    percent(group.share),
    group.accuracy === null ? '-' : `${percent(group.accuracy)} (${group.correct}/${group.judged})`,
    group.pending > 0 ? String(group.pending) : '-',
    usd(group.costPerRequestUsd),
    group.p50LatencyMs === null ? '-' : milliseconds(group.p50LatencyMs),
  ];
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** USD with 3 significant digits below $1 (specialist calls cost millionths of a dollar). */
function usd(value: number | null): string {
  if (value === null) return 'unpriced';
  if (value === 0) return '$0';
  if (value >= 1) return `$${value.toFixed(2)}`;
  const decimals = Math.min(12, Math.max(2, 2 - Math.floor(Math.log10(value))));
  const trimmed = value.toFixed(decimals).replace(/0+$/, '');
  return `$${(trimmed.split('.')[1] ?? '').length < 2 ? value.toFixed(2) : trimmed}`;
}

function milliseconds(value: number): string {
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
}
