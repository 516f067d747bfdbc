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

/**
 * Runs of non-blank characters longer than this are encoded in pieces of this many characters:
 * byte-pair merging is quadratic in the length of one pre-tokenized piece (measured on this 2-core
 * machine, two single runs each: 16,000 `x` 0.30-0.33 s, 32,000 `x` 0.76-1.11 s, 60,000 `-`
 * 2.3-2.8 s, on the gateway's one thread), and no language has words this long.
 */
const MAX_RUN_CHARS = 64;
const LONG_RUN = new RegExp(`\\S{${MAX_RUN_CHARS + 1},}`, 'g');
/** Other text is encoded in slices of about this many characters, each cut just before a blank. */
const SLICE_CHARS = 4_096;
/** {@link estimateTokens} counts this many characters and scales the count to the rest. */
const COUNTED_CHARS = 262_144;

/**
 * The o200k_base token count of `text`, or false once it passes `limit`, in time linear in the
 * text's length whatever it holds: text is encoded in slices cut before a blank (which o200k's
 * pre-tokenizer splits at anyway), and runs of more than 64 non-blank characters in pieces of 64,
 * whose counts may differ from encoding the run whole by about a token per piece (such runs are not
 * language). Exact for text without such runs.
 */
export function countTokensWithin(text: string, limit = Number.POSITIVE_INFINITY): number | false {
  const encoding = o200kTokenizer();
  let tokens = 0;
  const add = (slice: string): boolean => {
    if (slice === '') return true;
    const within = encoding.isWithinTokenLimit(slice, Math.max(0, limit - tokens));
    if (within === false) return false;
    tokens += within;
    return true;
  };
  const addSlices = (part: string): boolean => {
    let start = 0;
    while (part.length - start > SLICE_CHARS) {
      // No run here is longer than MAX_RUN_CHARS, so a blank lies within that many characters.
      let end = start + SLICE_CHARS;
      while (end > start + SLICE_CHARS - MAX_RUN_CHARS - 1 && !/\s/.test(part.charAt(end))) end--;
      if (!add(part.slice(start, end))) return false;
      start = end;
    }
    return add(part.slice(start));
  };
  let position = 0;
  LONG_RUN.lastIndex = 0;
  for (let match = LONG_RUN.exec(text); match !== null; match = LONG_RUN.exec(text)) {
    if (!addSlices(text.slice(position, match.index))) return false;
    const run = match[0];
    for (let offset = 0; offset < run.length; offset += MAX_RUN_CHARS) {
      if (!add(run.slice(offset, offset + MAX_RUN_CHARS))) return false;
    }
    position = match.index + run.length;
  }
  return addSlices(text.slice(position)) ? tokens : false;
}

/**
 * The o200k_base token count of `text` for usage a provider did not report: {@link countTokensWithin}
 * over the first 262,144 characters, scaled by length to the rest (a 4 MB body costs what 256 KB
 * does); exact for shorter text without long runs.
 */
export function estimateTokens(text: string): number {
  if (text.length <= COUNTED_CHARS) return countTokensWithin(text) as number;
  const counted = countTokensWithin(text.slice(0, COUNTED_CHARS)) as number;
  return Math.ceil((counted * text.length) / COUNTED_CHARS);
}
