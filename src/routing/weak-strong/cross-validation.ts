import { RightsizeError } from '../../errors/rightsize-error.ts';
import { normalizeWhitespace, type OutcomeItem } from './outcome-set.ts';
import { seededRandom, shuffled } from './seeded-random.ts';

/** One fold: the indices a router trains on and the indices it scores. */
export interface Fold {
  train: number[];
  test: number[];
}

/** Options of {@link kFoldSplit}. */
export interface KFoldOptions {
  /** Number of folds; `items.length` (or more) gives leave-one-prompt-out. @default 5 */
  folds?: number;
  /** Seed of the shuffle. @default 0 */
  seed?: number;
}

/**
 * Splits an outcome set into k folds by prompt: items whose whitespace-normalised prompts are equal
 * always land in the same fold, so a router never scores a prompt it was trained on. Prompt groups
 * are shuffled with a seeded generator and dealt round-robin, so folds differ in size by at most
 * one group.
 * @throws RightsizeError `invalid_input` when `folds` < 2 or there are fewer than 2 distinct prompts.
 */
export function kFoldSplit(items: readonly Pick<OutcomeItem, 'prompt'>[], options: KFoldOptions = {}): Fold[] {
  const groups = new Map<string, number[]>();
  for (const [index, item] of items.entries()) {
    const key = normalizeWhitespace(item.prompt);
    const group = groups.get(key) ?? [];
    group.push(index);
    groups.set(key, group);
  }
  const folds = Math.min(options.folds ?? 5, groups.size);
  if (folds < 2)
    throw new RightsizeError('invalid_input', 'cross-validation needs --folds >= 2 and 2 distinct prompts');
  const order = shuffled([...groups.values()], seededRandom(options.seed ?? 0));
  const testSets: number[][] = Array.from({ length: folds }, () => []);
  for (const [position, group] of order.entries()) testSets[position % folds]!.push(...group);
  return testSets.map((test) => {
    const inTest = new Set(test);
    const train: number[] = [];
    for (let index = 0; index < items.length; index++) if (!inTest.has(index)) train.push(index);
    return { train, test: test.sort((a, b) => a - b) };
  });
}

/**
 * Cross-validated scores: for each fold, `train` builds a scorer from the training items only, and
 * that scorer scores the fold's held-out items. Returns one score per item, in item order.
 */
export function crossValidatedScores<T>(
  items: readonly T[],
  folds: readonly Fold[],
  train: (trainItems: T[], foldIndex: number) => (item: T) => number,
): number[] {
  const scores = new Array<number>(items.length).fill(Number.NaN);
  for (const [foldIndex, fold] of folds.entries()) {
    const score = train(
      fold.train.map((index) => items[index]!),
      foldIndex,
    );
    for (const index of fold.test) scores[index] = score(items[index]!);
  }
  return scores;
}
