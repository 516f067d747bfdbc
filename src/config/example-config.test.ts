import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../server/create-runtime.ts';
import { readEnvironment } from './environment.ts';
import { parseConfig } from './load-config.ts';

describe('rightsize.example.yaml', () => {
  it('is a valid config whose every reference resolves, so a copy starts as is', async () => {
    const text = readFileSync(new URL('../../rightsize.example.yaml', import.meta.url), 'utf8');
    const parsed = parseConfig(text, 'rightsize.example.yaml');
    expect(parsed.providers['ollama']?.deployment).toBe('on-prem');
    expect(parsed.routes['support-triage']?.tiers).toHaveLength(4);
    const folder = mkdtempSync(join(tmpdir(), 'rightsize-example-'));
    try {
      const config = { ...parsed, store: { ...parsed.store, url: 'sqlite::memory:' }, routers: { dir: folder } };
      const runtime = await createRuntime({ config, environment: readEnvironment({}) });
      expect(runtime.unconfigured.get('openai')).toBe('set OPENAI_API_KEY');
      expect(runtime.context.resolveModel('mixtral-recorded')?.provider?.kind).toBe('recorded');
      await runtime.close();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
