/**
 * Text a client sent, as an error message may quote it: JSON-quoted (control characters escaped)
 * and cut to `max` characters (an id can be kilobytes long).
 */
export function quoteInput(text: string, max = 64): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}...` : text);
}
