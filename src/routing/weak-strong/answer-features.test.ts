import { describe, expect, it } from 'vitest';
import { ANSWER_FEATURE_NAMES, answerFeatures, finalResult } from './answer-features.ts';

const feature = (values: number[], name: (typeof ANSWER_FEATURE_NAMES)[number]): number =>
  values[ANSWER_FEATURE_NAMES.indexOf(name)]!;

describe('answerFeatures', () => {
  const prompt = 'Tom has three apples and buys 4 more at $2 each. How many apples does he have?';

  it('reads a clean, verified answer', () => {
    const values = answerFeatures(prompt, 'Tom has 3 + 4 = <<3+4=7>>7 apples.\n#### 7');
    expect(values).toHaveLength(ANSWER_FEATURE_NAMES.length);
    expect(feature(values, 'has_final_marker')).toBe(1);
    expect(feature(values, 'final_is_integer')).toBe(1);
    expect(feature(values, 'final_was_computed')).toBe(1);
    expect(feature(values, 'any_mismatch')).toBe(0);
    expect(feature(values, 'any_hedge')).toBe(0);
    // prompt quantities 3 (three), 4, 2 -> 2 is exempt (often implicit), so 0 of 3 unused... 3 and 4 used
    expect(feature(values, 'prompt_numbers_unused_share')).toBe(0);
    expect(feature(values, 'answer_truncated')).toBe(0);
  });

  it('flags a wrong sum, a hedge, a non-integer final and a cut-off answer', () => {
    const values = answerFeatures(prompt, 'Assuming he eats one, 3 + 4 = 8, so about 7.5 apples');
    expect(feature(values, 'any_mismatch')).toBe(1);
    expect(feature(values, 'hedges')).toBeGreaterThanOrEqual(2);
    expect(feature(values, 'final_is_integer')).toBe(0);
    expect(feature(values, 'answer_truncated')).toBe(1);
    expect(feature(values, 'has_final_marker')).toBe(0);
  });

  it('takes the number after the last marker as the final result', () => {
    expect(finalResult('so 5 then #### 1,200')).toEqual({ value: 1200, marked: true, markers: 1 });
    expect(finalResult('The answer is $42.')).toEqual({ value: 42, marked: true, markers: 1 });
    expect(finalResult('maybe 3 or 4')).toEqual({ value: 4, marked: false, markers: 0 });
  });
});
