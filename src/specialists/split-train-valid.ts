import type { LabelledRow } from './read-labelled-data.ts';

/**
 * A seeded pseudo-random generator (mulberry32, public domain, by Tommy Ettinger): the same seed
 * gives the same split and the same training on every machine.
 * @returns numbers in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles an array in place (Fisher-Yates) with the given generator. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    const swap = items[index] as T;
    items[index] = items[other] as T;
    items[other] = swap;
  }
  return items;
}

/**
 * Splits rows into train and validation, stratified by label: each label gives
 * round(count x validFraction) rows to validation, keeping at least one for training.
 * @param validFraction share of each label held out, in [0, 0.5].
 */
export function splitTrainValid(
  rows: readonly LabelledRow[],
  options: { validFraction: number; seed: number },
): { train: LabelledRow[]; valid: LabelledRow[] } {
  const random = seededRandom(options.seed);
  const byLabel = new Map<string, LabelledRow[]>();
  for (const row of rows) {
    const group = byLabel.get(row.label);
    if (group) group.push(row);
    else byLabel.set(row.label, [row]);
  }
  const train: LabelledRow[] = [];
  const valid: LabelledRow[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const group = shuffleInPlace([...(byLabel.get(label) ?? [])], random);
    const held = Math.min(group.length - 1, Math.round(group.length * options.validFraction));
    valid.push(...group.slice(0, held));
    train.push(...group.slice(held));
  }
  return { train: shuffleInPlace(train, random), valid: shuffleInPlace(valid, random) };
}
