import { RightsizeError } from '../errors/rightsize-error.ts';
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
    const held = heldOutRows(group.length, options.validFraction);
    valid.push(...group.slice(0, held));
    train.push(...group.slice(held));
  }
  return { train: shuffleInPlace(train, random), valid: shuffleInPlace(valid, random) };
}

/** Rows of a label of `count` that {@link splitTrainValid} holds out: round(count x validFraction), keeping one for training. */
function heldOutRows(count: number, validFraction: number): number {
  return Math.max(0, Math.min(count - 1, Math.round(count * validFraction)));
}

/**
 * Fewest rows a label needs for {@link splitTrainValid} to give one of them to validation at
 * `validFraction` (the split's own rule, {@link heldOutRows}).
 * @param validFraction in (0, 0.5].
 */
export function rowsPerLabelForValidation(validFraction: number): number {
  let rows = 2;
  while (heldOutRows(rows, validFraction) < 1) rows++;
  return rows;
}

/**
 * Refuses rows whose validation split (see {@link splitTrainValid}) would be empty: no label has
 * enough rows to give one to validation at `validFraction`. The message names the file and its rows,
 * and a fix that works: the rows a label needs, or the --valid-fraction that would do with these.
 * @param validFraction in (0, 0.5].
 * @param dataPath the data file, named in the message. @default "the training data"
 * @throws RightsizeError `invalid_input` when the split would be empty.
 */
export function checkValidationSplit(
  rows: readonly LabelledRow[],
  options: { validFraction: number; dataPath?: string | undefined },
): void {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.label, (counts.get(row.label) ?? 0) + 1);
  if ([...counts.values()].some((count) => heldOutRows(count, options.validFraction) > 0)) return;
  const largest = Math.max(0, ...counts.values());
  const needed = rowsPerLabelForValidation(options.validFraction);
  // With two rows of a label, a higher fraction (at most 0.5) would hold one out.
  const fraction = largest >= 2 ? Math.min(0.5, Math.ceil((0.5 / largest) * 100) / 100) : undefined;
  throw new RightsizeError(
    'invalid_input',
    `${options.dataPath ?? 'the training data'} has ${rows.length} row${rows.length === 1 ? '' : 's'} in ${counts.size} label${counts.size === 1 ? '' : 's'}, at most ${largest} per label: ` +
      `the validation split (held out for calibration) would be empty, since at --valid-fraction ${options.validFraction} a label needs at least ${needed} rows to give one to it and keep one for training; ` +
      `add rows (a few dozen per label for a useful calibration)${fraction === undefined ? '' : `, or pass --valid-fraction ${fraction}`}`,
  );
}
