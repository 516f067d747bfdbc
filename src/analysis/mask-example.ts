import { findSensitiveData, type SensitiveDataKind } from '../routing/auto/find-sensitive-data.ts';

// Bounded local part and a look-behind so a long run of word characters is scanned once, not once per start.
const EMAIL = /(?<![\w.+-])[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+/g;
/** Digit runs of 6 or more, with spaces or dashes between groups: cards, IBAN tails, phones, accounts. */
const LONG_NUMBER = /(?:[A-Z]{2}\d{2}[ -]?)?\+?\(?\d[\d ()-]{4,}\d/g;

/**
 * An example prompt safe to show in a report: e-mail addresses and long digit runs (card, phone,
 * account numbers, IBANs) become `[email]` / `[number]`, and the text is cut to `maxChars`.
 * Also returns the kinds of sensitive data `findSensitiveData` saw in the original.
 */
export function maskExample(text: string, maxChars = 240): { text: string; sensitive: SensitiveDataKind[] } {
  const sensitive = findSensitiveData(text);
  const masked = text
    .replace(EMAIL, '[email]')
    .replace(LONG_NUMBER, (match) => (match.replace(/\D/g, '').length >= 6 ? '[number]' : match))
    .replace(/\s+/g, ' ')
    .trim();
  return { text: masked.length > maxChars ? `${masked.slice(0, maxChars - 3)}...` : masked, sensitive };
}
