import { createRequire } from 'node:module';

type O200kEncoding = typeof import('gpt-tokenizer/encoding/o200k_base');

let encoding: O200kEncoding | undefined;

/**
 * The o200k_base tokenizer (GPT-4o family), loaded on first use: its tables take about 70 MB, and
 * most requests never need them (providers report usage, and prompts are bounded by length first).
 * Loaded synchronously from the package's CommonJS build so callers stay synchronous.
 */
export function o200kTokenizer(): O200kEncoding {
  encoding ??= createRequire(import.meta.url)('gpt-tokenizer/cjs/encoding/o200k_base') as O200kEncoding;
  return encoding;
}
