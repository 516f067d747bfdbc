import type { Relaxation, RequirementChange } from '../selection.ts';
import { changeFor, type Evaluation, formatUsd } from './evaluate-model.ts';

/**
 * How a change names its requirement: a CLI flag (`--max-cost-usd`), a request header
 * (`x-rightsize-max-cost-usd`) or a JSON field of `POST /v1/rightsize/select` (`requirements.maxCostUsd`).
 */
export type RelaxationStyle = 'flag' | 'header' | 'field';

function formatChange(change: RequirementChange, style: RelaxationStyle): string {
  const name =
    style === 'flag' ? change.flag : style === 'header' ? change.header : `requirements.${change.requirement}`;
  const to = change.requirement === 'maxCostUsd' ? formatUsd(change.to) : String(change.to);
  return `${change.requirement === 'minAccuracy' ? 'lower' : 'raise'} ${name} to ${to}`;
}

/** Relative size of a change (0.5 = 50 % looser), to prefer the smallest relaxation. */
function relativeSize(change: RequirementChange): number {
  if (change.requirement === 'minAccuracy') return (change.from - change.to) / Math.max(change.from, 1e-9);
  return (change.to - change.from) / Math.max(change.from, 1e-9);
}

/**
 * The smallest ways to admit an excluded model: only models whose every failure is a numeric
 * requirement (latency, accuracy, cost) can be admitted by relaxing; hard constraints (modality,
 * tools, context, deployment, versatility) are never suggested away. Single changes first, smallest
 * first, at most `perRequirementSet` suggestions per set of requirements, at most `limit` in all;
 * combined changes only when fewer than two single changes would do.
 */
export function suggestRelaxations(
  excluded: readonly Evaluation[],
  style: RelaxationStyle = 'flag',
  limit = 5,
  perRequirementSet = 2,
): Relaxation[] {
  const options: Array<{ relaxation: Relaxation; size: number }> = [];
  for (const evaluation of excluded) {
    const changes: RequirementChange[] = [];
    let relaxable = true;
    for (const failure of evaluation.failures ?? []) {
      const change = changeFor(failure);
      if (!change) {
        relaxable = false;
        break;
      }
      changes.push(change);
    }
    if (!relaxable || changes.length === 0) continue;
    const id = evaluation.figures.entry.id;
    options.push({
      relaxation: {
        changes,
        admits: id,
        message: `${changes.map((change) => formatChange(change, style)).join(' and ')} to admit ${id}`,
      },
      size: changes.reduce((sum, change) => sum + relativeSize(change), 0),
    });
  }
  options.sort((a, b) => a.relaxation.changes.length - b.relaxation.changes.length || a.size - b.size);
  // Combined changes are noise beside single ones: offer them only when fewer than two single ones exist.
  const singles = options.filter((option) => option.relaxation.changes.length === 1).length;
  if (singles >= 2) options.length = singles;
  const seen = new Map<string, number>();
  const result: Relaxation[] = [];
  for (const option of options) {
    const key = option.relaxation.changes.map((change) => change.requirement).join('+');
    const count = seen.get(key) ?? 0;
    if (count >= perRequirementSet) continue;
    seen.set(key, count + 1);
    result.push(option.relaxation);
    if (result.length >= limit) break;
  }
  return result;
}
