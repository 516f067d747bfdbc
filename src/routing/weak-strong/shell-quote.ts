/**
 * A path or word as it must be typed in a POSIX shell: unchanged when it holds only characters the
 * shell leaves alone, else in single quotes (a `'` inside written `'\''`). For commands quoted in
 * error messages, so a path with a space can be pasted as is.
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
