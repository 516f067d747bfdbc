import { describe, expect, it } from 'vitest';
import { requirementsForKey, selectionConfigSchema } from './selection-config.ts';

describe('requirementsForKey', () => {
  const config = selectionConfigSchema.parse({
    defaults: { deployment: 'hybrid', maxCostUsd: 0.01 },
    keys: { legal: { deployment: 'on-prem', minAccuracy: 0.95 } },
  });

  it.each([
    ['a key with its own entries', 'legal', { deployment: 'on-prem', maxCostUsd: 0.01, minAccuracy: 0.95 }],
    ['a key without', 'support', { deployment: 'hybrid', maxCostUsd: 0.01 }],
    ['no key', null, { deployment: 'hybrid', maxCostUsd: 0.01 }],
  ] as const)('%s', (_name, key, expected) => {
    expect(requirementsForKey(config, key)).toEqual(expected);
  });

  it('is empty without a selection section', () => {
    expect(requirementsForKey(undefined, 'legal')).toEqual({});
  });

  it('refuses unknown keys', () => {
    expect(selectionConfigSchema.safeParse({ defaults: { maxLatency: 5 } }).success).toBe(false);
  });
});
