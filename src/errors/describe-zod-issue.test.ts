import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeZodIssue, parseRequestInput } from './describe-zod-issue.ts';
import { isRightsizeError } from './rightsize-error.ts';

const schema = z.strictObject({
  family: z.string(),
  shadow: z.boolean().optional(),
  status: z.enum(['pending', 'resolved']).optional(),
  threshold: z.number().max(1).optional(),
  tiers: z.array(z.strictObject({ model: z.string() })).optional(),
});

function failure(value: unknown): { message: string; param: string | undefined } {
  try {
    parseRequestInput(schema, value, 'body');
  } catch (error) {
    if (isRightsizeError(error, 'invalid_request')) return { message: error.message, param: error.param };
    throw error;
  }
  throw new Error('expected the value to be refused');
}

describe('parseRequestInput', () => {
  it.each([
    [{ family: 'f', shadow: 'yes' }, 'Invalid body: shadow: expected boolean, got string.', 'shadow'],
    [{ family: 'f', shadow: null }, 'Invalid body: shadow: expected boolean, got null.', 'shadow'],
    [{ shadow: true }, 'Invalid body: family: is required.', 'family'],
    [[], 'Invalid body: expected a JSON object.', 'body'],
    ['text', 'Invalid body: expected a JSON object.', 'body'],
    [{ family: 'f', mode: 'active', extra: 1 }, 'Invalid body: unknown fields mode, extra.', 'body'],
    [{ family: 'f', status: 'done' }, 'Invalid body: status: expected one of "pending", "resolved".', 'status'],
    [{ family: 'f', threshold: 2 }, 'Invalid body: threshold: Too big: expected number to be <=1.', 'threshold'],
    [
      { family: 'f', tiers: [{ model: 7 }] },
      'Invalid body: tiers[0].model: expected string, got number.',
      'tiers[0].model',
    ],
  ])('%j: %s', (value, message, param) => {
    expect(failure(value)).toEqual({ message, param });
  });

  it('returns the parsed value', () => {
    expect(parseRequestInput(schema, { family: 'f', shadow: true }, 'body')).toEqual({ family: 'f', shadow: true });
  });

  it('describes an issue against the value that was parsed', () => {
    const result = z.object({ a: z.number() }).safeParse({ a: '1' });
    const issue = result.error?.issues[0];
    expect(issue && describeZodIssue(issue, { a: '1' })).toBe('expected number, got string');
  });
});
