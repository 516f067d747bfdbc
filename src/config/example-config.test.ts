import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './load-config.ts';

describe('rightsize.example.yaml', () => {
  it('is a valid config', () => {
    const config = parseConfig(
      readFileSync(new URL('../../rightsize.example.yaml', import.meta.url), 'utf8'),
      'rightsize.example.yaml',
    );
    expect(config.providers['ollama']?.deployment).toBe('on-prem');
    expect(config.routes['support-triage']?.tiers).toHaveLength(3);
  });
});
