import { describe, expect, it } from 'vitest';
import { BUILTIN_MODELS } from './builtin/builtin-models.ts';
import { type ModelEntryInput, modelEntrySchema } from './catalog.ts';
import { inferModelClass } from './infer-model-class.ts';

describe('inferModelClass', () => {
  const cases: Array<{ name: string; entry: ModelEntryInput; expected: string }> = [
    {
      name: 'explicit class wins',
      entry: { id: 'x', provider: 'openai', class: 'llm', parameters: 1e9 },
      expected: 'llm',
    },
    { name: 'human provider', entry: { id: 'x', provider: 'human' }, expected: 'human' },
    {
      name: 'reasoning capability',
      entry: { id: 'x', provider: 'openai', capabilities: { reasoning: true } },
      expected: 'reasoning',
    },
    { name: 'single-task model', entry: { id: 'x', provider: 'specialist', scope: 'single-task' }, expected: 'slm' },
    { name: '8B text model', entry: { id: 'x', provider: 'local', parameters: 8e9 }, expected: 'slm' },
    { name: '10B exactly is still small', entry: { id: 'x', provider: 'local', parameters: 10e9 }, expected: 'slm' },
    { name: '70B text model', entry: { id: 'x', provider: 'local', parameters: 70e9 }, expected: 'llm' },
    { name: 'unknown size, text', entry: { id: 'x', provider: 'openai' }, expected: 'llm' },
    {
      name: 'small vision model',
      entry: { id: 'x', provider: 'local', parameters: 7e9, inputModalities: ['text', 'image'] },
      expected: 'multimodal',
    },
    {
      name: 'audio input, unknown size',
      entry: { id: 'x', provider: 'openai', inputModalities: ['text', 'audio'] },
      expected: 'multimodal',
    },
  ];
  it.each(cases)('$name -> $expected', ({ entry, expected }) => {
    expect(inferModelClass(modelEntrySchema.parse(entry))).toBe(expected);
  });
});

describe('built-in catalog', () => {
  const parsed = BUILTIN_MODELS.map((entry) => modelEntrySchema.parse(entry));

  it('has unique ids and a source on every entry', () => {
    expect(new Set(parsed.map((entry) => entry.id)).size).toBe(parsed.length);
    for (const entry of parsed) expect(entry.source, entry.id).toMatch(/2025|measured|config/);
  });

  it('prices every entry and sizes every context window', () => {
    for (const entry of parsed) {
      expect(entry.prices, entry.id).toBeDefined();
      expect(entry.contextWindow, entry.id).toBeGreaterThan(0);
      expect(entry.latency?.ttftMs, entry.id).toBeDefined();
    }
  });

  it('covers every class and the providers the gateway knows', () => {
    const classes = new Set(parsed.map((entry) => inferModelClass(entry)));
    expect([...classes].sort()).toEqual(['human', 'llm', 'multimodal', 'reasoning', 'slm']);
    expect(new Set(parsed.map((entry) => entry.provider))).toEqual(
      new Set(['openai', 'anthropic', 'google', 'together', 'local', 'specialist', 'human']),
    );
  });

  it('keeps known list prices (USD per 1M tokens)', () => {
    const price = (id: string) => parsed.find((entry) => entry.id === id)?.prices;
    expect(price('gpt-4o-mini')).toMatchObject({ inputPerMillionUsd: 0.15, outputPerMillionUsd: 0.6 });
    expect(price('gpt-4.1')).toMatchObject({ inputPerMillionUsd: 2, outputPerMillionUsd: 8 });
    expect(price('human')).toEqual({ perCallUsd: 5 });
  });
});
