import { describe, expect, it } from 'vitest';
import { crossValidatedScores, kFoldSplit } from './cross-validation.ts';
import { normalizeWhitespace } from './outcome-set.ts';

const items = Array.from({ length: 23 }, (_, index) => ({
  id: `item-${index}`,
  // items 0-2 repeat one prompt (with different whitespace); 5 and 6 another
  prompt: index < 3 ? `same  question ${index === 1 ? '' : ' '}` : index === 5 || index === 6 ? 'twin' : `q ${index}`,
}));

describe('kFoldSplit', () => {
  it('covers every item exactly once across test folds', () => {
    const folds = kFoldSplit(items, { folds: 5 });
    expect(folds).toHaveLength(5);
    const tested = folds.flatMap((fold) => fold.test).sort((a, b) => a - b);
    expect(tested).toEqual(items.map((_, index) => index));
  });

  it("never puts a test prompt in the same fold's training set (no leakage)", () => {
    for (const count of [2, 5, 10, 30]) {
      for (const fold of kFoldSplit(items, { folds: count, seed: 7 })) {
        const trainPrompts = new Set(fold.train.map((index) => normalizeWhitespace(items[index]!.prompt)));
        for (const index of fold.test) expect(trainPrompts.has(normalizeWhitespace(items[index]!.prompt))).toBe(false);
        expect(fold.train.length + fold.test.length).toBe(items.length);
      }
    }
  });

  it('gives leave-one-prompt-out when folds exceed the distinct prompts', () => {
    // 23 items, 20 distinct prompts
    expect(kFoldSplit(items, { folds: 100 })).toHaveLength(20);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(kFoldSplit(items, { seed: 1 })).toEqual(kFoldSplit(items, { seed: 1 }));
    expect(kFoldSplit(items, { seed: 1 })).not.toEqual(kFoldSplit(items, { seed: 2 }));
  });
});

describe('crossValidatedScores', () => {
  it('scores each item only with a scorer that never saw it', () => {
    const folds = kFoldSplit(items, { folds: 4 });
    const seenBy: Set<string>[] = [];
    const scores = crossValidatedScores(items, folds, (train, foldIndex) => {
      seenBy[foldIndex] = new Set(train.map((item) => item.id));
      return (item) => {
        if (seenBy[foldIndex]!.has(item.id)) throw new Error(`leak: ${item.id}`);
        return foldIndex;
      };
    });
    for (const [foldIndex, fold] of folds.entries())
      for (const index of fold.test) expect(scores[index]).toBe(foldIndex);
  });
});
