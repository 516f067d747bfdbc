import { RightsizeError } from '../errors/rightsize-error.ts';

const UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a duration such as `90s`, `30m`, `24h`, `7d` or `2w` into ms (always at least 1 s: rates
 * and monthly figures divide by it, and a window of a fraction of a second turns them into noise).
 * @throws RightsizeError `invalid_input` naming the option and the accepted forms, for text that is
 *   not a duration or one shorter than a second.
 */
export function parseDuration(text: string, option = '--since'): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim());
  const unit = match ? UNITS[match[2] as string] : undefined;
  if (!match || unit === undefined)
    throw new RightsizeError('invalid_input', `${option} ${text} is not a duration: use e.g. 90s, 30m, 24h, 7d or 2w`);
  const ms = Number(match[1]) * unit;
  if (!(ms > 0))
    throw new RightsizeError(
      'invalid_input',
      `${option} ${text} is a duration of zero: give a positive one, e.g. 90s, 30m, 24h, 7d or 2w`,
    );
  if (ms < 1_000)
    throw new RightsizeError(
      'invalid_input',
      `${option} ${text} is shorter than a second: give at least 1s, e.g. 90s, 30m, 24h, 7d or 2w`,
    );
  return ms;
}
