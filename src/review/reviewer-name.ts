/**
 * What is wrong with a reviewer's name, else undefined. A name is 1-200 characters, not blank, and
 * holds no control characters (ESC sequences would reach `rightsize review list` raw), invisible
 * format characters (zero-width spaces, right-to-left overrides) or line and paragraph separators.
 */
export function reviewerNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 200) return 'use 1-200 characters';
  if (name.trim() === '' || /^[\p{Z}\p{Cf}]+$/u.test(name)) return 'use a name that is not blank';
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name))
    return 'use a name without control, invisible or line-separator characters';
  return undefined;
}
