import { describe, expect, it } from 'vitest';
import { parseDuration } from './parse-duration.ts';

describe('parseDuration', () => {
  it('reads a number and a unit into ms', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1.5h', '--period')).toBe(5_400_000);
    expect(parseDuration(' 2w ')).toBe(1_209_600_000);
  });

  it('refuses text that is not a duration, naming the option', () => {
    expect(() => parseDuration('yesterday', '--period')).toThrow(
      '--period yesterday is not a duration: use e.g. 90s, 30m, 24h, 7d or 2w',
    );
    expect(() => parseDuration('-1h')).toThrow('--since -1h is not a duration');
  });

  it('refuses a duration of zero, which would make every rate infinite', () => {
    expect(() => parseDuration('0s', '--period')).toThrow(
      '--period 0s is a duration of zero: give a positive one, e.g. 90s, 30m, 24h, 7d or 2w',
    );
    expect(() => parseDuration('0.0d')).toThrow('--since 0.0d is a duration of zero');
  });

  it('refuses a window shorter than a second, which would turn rates into noise', () => {
    expect(() => parseDuration('0.5s', '--period')).toThrow(
      '--period 0.5s is shorter than a second: give at least 1s, e.g. 90s, 30m, 24h, 7d or 2w',
    );
    expect(parseDuration('1s')).toBe(1_000);
  });
});
