import { describe, expect, it } from 'vitest';
import type { LabelledRow } from './read-labelled-data.ts';
import { checkValidationSplit, rowsPerLabelForValidation, splitTrainValid } from './split-train-valid.ts';

/** `perLabel[i]` rows of label `l<i>`. */
function rows(...perLabel: number[]): LabelledRow[] {
  return perLabel.flatMap((count, label) =>
    Array.from({ length: count }, (_, index) => ({ text: `text ${label} ${index}`, label: `l${label}` })),
  );
}

describe('rowsPerLabelForValidation', () => {
  it('is the least count the split holds one row of, at every fraction', () => {
    for (const fraction of [0.5, 0.3, 0.25, 0.2, 0.1, 0.05, 0.01, 0.001]) {
      const needed = rowsPerLabelForValidation(fraction);
      expect(splitTrainValid(rows(needed), { validFraction: fraction, seed: 1 }).valid).toHaveLength(1);
      expect(splitTrainValid(rows(needed - 1), { validFraction: fraction, seed: 1 }).valid).toHaveLength(0);
    }
    expect(rowsPerLabelForValidation(0.5)).toBe(2);
    expect(rowsPerLabelForValidation(0.1)).toBe(5);
  });
});

describe('checkValidationSplit', () => {
  it('refuses one row per label even at the largest fraction, naming the file and a fix that works', () => {
    expect(() => checkValidationSplit(rows(1, 1), { validFraction: 0.5, dataPath: 'tiny.csv' })).toThrow(
      'tiny.csv has 2 rows in 2 labels, at most 1 per label: the validation split (held out for calibration) would be empty, since at --valid-fraction 0.5 a label needs at least 2 rows to give one to it and keep one for training; add rows (a few dozen per label for a useful calibration)',
    );
  });

  it('suggests the fraction that would do when one exists', () => {
    expect(() => checkValidationSplit(rows(3, 2), { validFraction: 0.1, dataPath: 'small.csv' })).toThrow(
      'at --valid-fraction 0.1 a label needs at least 5 rows to give one to it and keep one for training; add rows (a few dozen per label for a useful calibration), or pass --valid-fraction 0.17',
    );
    // ... and that fraction works.
    expect(() => checkValidationSplit(rows(3, 2), { validFraction: 0.17 })).not.toThrow();
    expect(splitTrainValid(rows(3, 2), { validFraction: 0.17, seed: 1 }).valid.length).toBeGreaterThan(0);
  });

  it('accepts rows whose split holds some validation rows', () => {
    expect(() => checkValidationSplit(rows(5, 1), { validFraction: 0.1 })).not.toThrow();
  });
});
