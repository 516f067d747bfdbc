import { fileURLToPath } from 'node:url';
import { type LabelledRow, readLabelledData } from './read-labelled-data.ts';

/** Banking77's folder (../shared/data/banking77 from the repository root; Casanueva et al. 2020, CC BY 4.0). */
export const BANKING77_DIRECTORY = fileURLToPath(new URL('../../../shared/data/banking77/', import.meta.url));

/**
 * A small, deterministic slice of Banking77 for tests and examples: the first `labels` intents in
 * alphabetical order, at most `perLabel` rows each, from `train.csv` or `test.csv`.
 */
export function banking77Sample(options: { split: 'train' | 'test'; labels: number; perLabel: number }): LabelledRow[] {
  const data = readLabelledData({ path: `${BANKING77_DIRECTORY}${options.split}.csv`, labelColumn: 'category' });
  const kept = new Set(data.labels.slice(0, options.labels));
  const counts = new Map<string, number>();
  return data.rows.filter((row) => {
    if (!kept.has(row.label)) return false;
    const count = counts.get(row.label) ?? 0;
    counts.set(row.label, count + 1);
    return count < options.perLabel;
  });
}
