import { describe, expect, it } from 'vitest';
import { seconds } from './bench-gateway.ts';

describe('bench gateway flags', () => {
  it('takes a warm-up of 0 (none) but not a measured window of 0, and says which', () => {
    expect(seconds('--warmup', { zero: true })('0')).toBe(0);
    expect(seconds('--warmup', { zero: true })('2.5')).toBe(2.5);
    expect(() => seconds('--duration', { zero: false })('0')).toThrow(
      '--duration must be a number of seconds above 0 up to 600, got "0"',
    );
    expect(() => seconds('--warmup', { zero: true })('-1')).toThrow(
      '--warmup must be a number of seconds from 0 up to 600, got "-1"',
    );
    expect(() => seconds('--duration', { zero: false })('601')).toThrow('up to 600');
  });
});
