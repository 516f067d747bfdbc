import { describe, expect, it } from 'vitest';
import { shellQuote } from './shell-quote.ts';

describe('shellQuote', () => {
  it('leaves a plain path alone', () => {
    expect(shellQuote('.rightsize/routers/cascade-gsm8k.json')).toBe('.rightsize/routers/cascade-gsm8k.json');
  });

  it('quotes spaces, shell characters and single quotes', () => {
    expect(shellQuote('/path/with space/sub.jsonl')).toBe("'/path/with space/sub.jsonl'");
    expect(shellQuote('a$b;c')).toBe("'a$b;c'");
    expect(shellQuote("it's.json")).toBe("'it'\\''s.json'");
    expect(shellQuote('')).toBe("''");
  });
});
