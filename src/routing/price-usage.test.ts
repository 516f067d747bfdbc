import { describe, expect, it } from 'vitest';
import { addCosts, priceUsage } from './price-usage.ts';

const usage = {
  inputTokens: 1000,
  cachedInputTokens: 200,
  outputTokens: 500,
  reasoningTokens: 0,
  source: 'provider' as const,
};

describe('priceUsage', () => {
  it('prices uncached input, cached input and output per 1M tokens', () => {
    // 800 x $0.15 + 200 x $0.075 + 500 x $0.60, per 1M tokens = 0.00012 + 0.000015 + 0.0003
    expect(
      priceUsage({ inputPerMillionUsd: 0.15, cachedInputPerMillionUsd: 0.075, outputPerMillionUsd: 0.6 }, usage),
    ).toBeCloseTo(0.000435, 12);
  });
  it('charges cached tokens at the input price when no cached price is listed', () => {
    expect(priceUsage({ inputPerMillionUsd: 1, outputPerMillionUsd: 2 }, usage)).toBeCloseTo(0.002, 12);
  });
  it('adds a per-call price, and prices per-call-only models without usage', () => {
    expect(priceUsage({ perCallUsd: 5 }, undefined)).toBe(5);
    expect(priceUsage({ inputPerMillionUsd: 1, outputPerMillionUsd: 2, perCallUsd: 0.01 }, usage)).toBeCloseTo(
      0.012,
      12,
    );
  });
  it('returns null (unpriced), never 0, without prices', () => {
    expect(priceUsage(undefined, usage)).toBeNull();
    expect(priceUsage({}, usage)).toBeNull();
    expect(addCosts([0.1, null, 0.2])).toBeNull();
    expect(addCosts([0.1, 0.2])).toBeCloseTo(0.3, 12);
  });
});
