import Table from 'cli-table3';
import { formatUsd } from './internal/evaluate-model.ts';
import type { SelectionResult } from './selection.ts';

/** Plain tables: no colours, so the output reads the same in a terminal, a log or a doc. */
function plainStyle(): { style: { head: string[]; border: string[]; compact: boolean } } {
  return { style: { head: [], border: [], compact: true } };
}

function usd(value: number | undefined): string {
  return value === undefined ? 'unpriced' : `$${formatUsd(value)}`;
}

function describeQuery(result: SelectionResult): string {
  const { profile, requirements, deployment } = result;
  const task = [
    profile.task,
    profile.domainSpecific ? 'domain-specific' : '',
    profile.highStakes ? 'high-stakes' : '',
    profile.modalities.join('+'),
    profile.tools ? 'tools' : '',
    profile.taskFamily ? `family ${profile.taskFamily}` : '',
    profile.volumePerDay !== undefined ? `${profile.volumePerDay}/day` : '',
  ].filter(Boolean);
  const needs = [
    requirements.maxLatencyMs !== undefined ? `<= ${requirements.maxLatencyMs} ms` : '',
    requirements.minAccuracy !== undefined ? `accuracy >= ${requirements.minAccuracy}` : '',
    requirements.maxCostUsd !== undefined ? `<= $${requirements.maxCostUsd}/request` : '',
    `${requirements.tokensIn} tokens in, ${requirements.tokensOut} out`,
  ].filter(Boolean);
  const where = `${deployment.target}${deployment.sensitiveData ? ' (sensitive data)' : ''}`;
  return `Task: ${task.join(', ')}. Requirements: ${needs.join(', ')}. Deployment: ${where}.`;
}

function favouredBy(result: SelectionResult, modelClass: string): string {
  const labels = result.favours
    .filter((favour) => (favour.classes as string[]).includes(modelClass))
    .map((favour) => `${favour.step}: ${favour.label}`);
  return labels.join(', ') || '-';
}

function noted(result: SelectionResult, note: string): string {
  return result.ranked
    .filter((model) => model.notes.includes(note))
    .map((model) => model.id)
    .join(', ');
}

/**
 * The selection as text tables: the query, the favours of each step, the ranked feasible models,
 * the Pareto frontier, what to relax, and every excluded model with its reason.
 */
export function renderSelection(result: SelectionResult): string {
  const lines: string[] = [describeQuery(result), ...result.favours.map((favour) => `  ${favour.reason}`), ''];
  lines.push(result.summary, '');
  if (result.ranked.length > 0) {
    const notes = new Set<string>();
    const ranked = new Table({
      ...plainStyle(),
      head: ['#', 'model', 'class', 'runs', '$/request', '$/month', 'latency ms', 'accuracy', 'favoured by'],
    });
    for (const model of result.ranked) {
      ranked.push([
        model.rank,
        model.id,
        model.class,
        model.deployment,
        usd(model.costPerRequestUsd),
        model.costPerMonthUsd === undefined ? '-' : usd(model.costPerMonthUsd),
        model.latencyMs === undefined
          ? '?'
          : model.latencyMs < 10
            ? model.latencyMs.toFixed(2)
            : Math.round(model.latencyMs),
        `${model.accuracy.accuracy}${model.accuracy.estimated ? ' (est.)' : ' (measured)'}`,
        favouredBy(result, model.class),
      ]);
      for (const note of model.notes) notes.add(note);
    }
    lines.push('Feasible models, best first', ranked.toString());
    for (const note of notes) lines.push(`  note: ${note} (${noted(result, note)})`);
    lines.push('');
    lines.push(
      `Pareto frontier (cost, latency, accuracy): ${result.paretoFrontier.join(', ') || '(none with known cost and latency)'}`,
      '',
    );
  }
  if (result.relaxations.length > 0) {
    lines.push(result.ranked.length === 0 ? 'To admit a model, relax:' : 'Nearest misses:');
    for (const relaxation of result.relaxations) lines.push(`  - ${relaxation.message}`);
    lines.push('');
  }
  if (result.excluded.length > 0) {
    const excluded = new Table({ ...plainStyle(), head: ['excluded model', 'class', 'constraint', 'reason'] });
    for (const model of result.excluded) {
      const also = model.alsoFails.length > 0 ? ` (also: ${model.alsoFails.join(', ')})` : '';
      excluded.push([model.id, model.class, model.constraint, `${model.reason}${also}`]);
    }
    lines.push(`Excluded (${result.excluded.length})`, excluded.toString());
  }
  return lines.join('\n');
}
