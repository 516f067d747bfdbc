import { describe, expect, it } from 'vitest';
import { clopperPearsonLowerBound, logGamma, regularizedIncompleteBeta } from './clopper-pearson.ts';

describe('clopperPearsonLowerBound', () => {
  it('matches the closed form when every trial succeeds: alpha^(1/n)', () => {
    expect(clopperPearsonLowerBound(10, 10, 0.95)).toBeCloseTo(0.05 ** (1 / 10), 9);
    expect(clopperPearsonLowerBound(300, 300, 0.99)).toBeCloseTo(0.01 ** (1 / 300), 9);
  });

  it('matches published one-sided 95 % bounds', () => {
    // scipy: beta.ppf(0.05, 8, 3) = 0.4930987 (R: binom.test(8, 10, alternative = "greater"))
    expect(clopperPearsonLowerBound(8, 10, 0.95)).toBeCloseTo(0.4930987, 6);
    // scipy: beta.ppf(0.05, 95, 6) = 0.8977466
    expect(clopperPearsonLowerBound(95, 100, 0.95)).toBeCloseTo(0.8977466, 6);
  });

  it('is 0 with no successes, below the observed rate, and tighter with more data', () => {
    expect(clopperPearsonLowerBound(0, 50, 0.95)).toBe(0);
    const small = clopperPearsonLowerBound(98, 100, 0.95);
    const large = clopperPearsonLowerBound(980, 1000, 0.95);
    expect(small).toBeLessThan(0.98);
    expect(large).toBeLessThan(0.98);
    expect(large).toBeGreaterThan(small);
  });

  it('covers the true rate at least 95 % of the time (simulation)', () => {
    let state = 12345;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const truth = 0.9;
    let covered = 0;
    const runs = 2000;
    for (let run = 0; run < runs; run++) {
      let successes = 0;
      for (let trial = 0; trial < 60; trial++) if (random() < truth) successes++;
      if (clopperPearsonLowerBound(successes, 60, 0.95) <= truth) covered++;
    }
    expect(covered / runs).toBeGreaterThanOrEqual(0.95);
  });
});

describe('regularizedIncompleteBeta and logGamma', () => {
  it('agree with known values', () => {
    expect(Math.exp(logGamma(5))).toBeCloseTo(24, 9);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(regularizedIncompleteBeta(0.5, 2, 2)).toBeCloseTo(0.5, 12);
    // I_x(1, b) = 1 - (1 - x)^b
    expect(regularizedIncompleteBeta(0.3, 1, 4)).toBeCloseTo(1 - 0.7 ** 4, 12);
  });
});
