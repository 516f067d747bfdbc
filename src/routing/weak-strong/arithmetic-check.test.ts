import { describe, expect, it } from 'vitest';
import { checkArithmetic, evaluateArithmetic } from './arithmetic-check.ts';

describe('evaluateArithmetic', () => {
  it('follows precedence, parentheses, unary minus and percentages', () => {
    expect(evaluateArithmetic('2 + 3 * 4')).toBe(14);
    expect(evaluateArithmetic('(1 + 2) / 3')).toBe(1);
    expect(evaluateArithmetic('-2^2')).toBe(-4);
    expect(evaluateArithmetic('50% * 80')).toBe(40);
    expect(evaluateArithmetic('5 5')).toBeUndefined();
    expect(evaluateArithmetic('1 / 0')).toBeUndefined();
  });
});

describe('checkArithmetic', () => {
  it('checks calculator annotations and inline equations, with currency and separators', () => {
    const check = checkArithmetic(
      'She has 16 - 3 = 13 eggs left.\nShe makes 9 * $2 = $<<9*2=18>>18.\nThe house: $80,000 + $50,000 = $130,000.\n#### 18',
    );
    expect(check.annotations).toBe(1);
    expect(check.checked).toBe(4);
    expect(check.mismatched).toBe(0);
    expect(check.results).toEqual([18, 13, 18, 130000]);
  });

  it('counts a wrong result, a rounded one, and a wrong annotation', () => {
    const check = checkArithmetic('1. 16 - 3 = 12 eggs. Then 10/3 = 3. So 3 x 4 = 12 and 1/3 = 0.33. <<7*8=54>>54');
    expect(check.checked).toBe(5);
    // 16 - 3 = 12 and 7*8 = 54 are wrong; 10/3 = 3 is rounding; 3 x 4 = 12 and 1/3 = 0.33 check out
    expect(check.mismatched).toBe(2);
    expect(check.rounded).toBe(1);
  });

  it('does not check a bare assignment', () => {
    expect(checkArithmetic('Total = 12').checked).toBe(0);
  });
});
