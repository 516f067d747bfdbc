import { describe, expect, it } from 'vitest';
import { banking77Sample } from '../specialists/banking77-sample.ts';
import { countTokensWithin, estimateTokens, o200kTokenizer } from './o200k-tokenizer.ts';

describe('countTokensWithin and estimateTokens', () => {
  const exact = (text: string) => o200kTokenizer().countTokens(text);

  it('counts text without long runs exactly: real messages, and slices cut before a blank', () => {
    for (const row of banking77Sample({ split: 'test', labels: 10, perLabel: 10 }))
      expect(countTokensWithin(row.text)).toBe(exact(row.text));
    // Longer than one 4,096-character slice: cut before blanks, the count is o200k's within 0.1 %.
    const long = banking77Sample({ split: 'train', labels: 20, perLabel: 20 })
      .map((row) => row.text)
      .join(' ');
    expect(long.length).toBeGreaterThan(20_000);
    const counted = countTokensWithin(long) as number;
    expect(Math.abs(counted - exact(long)) / exact(long)).toBeLessThan(0.001);
  });

  it('encodes a run of non-blank characters in pieces of 64 (whole, such runs take quadratic time)', () => {
    const piece = exact('x'.repeat(64));
    expect(countTokensWithin('x'.repeat(64 * 1_000))).toBe(piece * 1_000);
    expect(countTokensWithin(`hello ${'-'.repeat(640)} world`)).toBe(
      exact('hello ') + 10 * exact('-'.repeat(64)) + exact(' world'),
    );
  });

  it('stops at the limit', () => {
    const text = 'my card has not arrived yet '.repeat(1_000);
    expect(countTokensWithin(text, 100)).toBe(false);
    expect(countTokensWithin(text, exact(text) + 10)).toBe(countTokensWithin(text));
  });

  it('estimates a very long text from its first 262,144 characters, scaled by length', () => {
    const sentence = 'where is my new card? ';
    const text = sentence.repeat(40_000);
    const counted = countTokensWithin(text.slice(0, 262_144)) as number;
    expect(estimateTokens(text)).toBe(Math.ceil((counted * text.length) / 262_144));
    expect(Math.abs(estimateTokens(text) - exact(text)) / exact(text)).toBeLessThan(0.01);
    expect(estimateTokens('short text')).toBe(exact('short text'));
  });
});
