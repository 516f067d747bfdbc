/** Kinds of sensitive data the router looks for. The matched text itself is never returned or logged. */
export type SensitiveDataKind = 'email' | 'phone' | 'card' | 'iban' | 'account';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
/** 13-19 digits, optionally grouped by spaces or dashes (ISO/IEC 7812 card numbers). */
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
/** Country code, 2 check digits, 11-30 letters or digits, optionally in groups of four (ISO 13616). */
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;
/** A phone number with a `+` prefix, parentheses or separators; the digit count is checked after. */
const PHONE = /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){1,4}(?![\w])|\+\d{9,15}\b/g;
/** An account number after a keyword: "account no. 12345678", "acct #: 0012-3456-78", "IBAN"-less bank accounts. */
const ACCOUNT =
  /\b(?:account|acct|a\/c|konto|compte|cuenta|conto)(?:\s*(?:number|no\.?|num(?:ber)?|nr\.?|#))?\s*[:#]?\s*\d[\d -]{4,18}\d/i;
/** Shapes that look like phone numbers and are not: dates and IPv4 addresses. */
const NOT_PHONE = /^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$|^\d{1,3}(?:\.\d{1,3}){3}$/;

/** Luhn (mod 10) check of a digit string, as card numbers carry it (ISO/IEC 7812-1). */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index--) {
    let digit = digits.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** ISO 13616 check: move the first four characters to the end, letters to 10-35, mod 97 must be 1. */
export function passesIbanCheck(iban: string): boolean {
  const compact = iban.replaceAll(' ', '');
  if (compact.length < 15 || compact.length > 34) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 && code <= 90 ? code - 55 : code - 48;
    if (value < 0 || value > 35) return false;
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

function hasCard(text: string): boolean {
  for (const match of text.matchAll(CARD)) {
    const digits = digitsOf(match[0]);
    if (digits.length >= 13 && digits.length <= 19 && passesLuhn(digits)) return true;
  }
  return false;
}

function hasIban(text: string): boolean {
  for (const match of text.matchAll(IBAN)) if (passesIbanCheck(match[0])) return true;
  return false;
}

function hasPhone(text: string): boolean {
  for (const match of text.matchAll(PHONE)) {
    const candidate = match[0];
    const digits = digitsOf(candidate);
    if (digits.length < 9 || digits.length > 15) continue;
    if (NOT_PHONE.test(candidate)) continue;
    // A Luhn-valid 13+ digit run is a card, reported as such.
    if (digits.length >= 13 && passesLuhn(digits)) continue;
    return true;
  }
  return false;
}

/**
 * The kinds of sensitive data in `text`: e-mail addresses, phone numbers (9-15 digits, written with
 * `+`, parentheses or separators), card numbers (13-19 digits passing the Luhn check), IBANs (passing
 * the ISO 13616 mod-97 check) and account numbers introduced by a keyword ("account no.", "acct #").
 * Returns kinds only, never the matched text. Tuned to err towards reporting: under a hybrid
 * deployment a false positive only keeps a request on a local model.
 */
export function findSensitiveData(text: string): SensitiveDataKind[] {
  const kinds: SensitiveDataKind[] = [];
  if (text.includes('@') && EMAIL.test(text)) kinds.push('email');
  // Every other kind needs digits; most prompts without any skip the rest.
  if (!/\d/.test(text)) return kinds;
  if (hasCard(text)) kinds.push('card');
  const iban = hasIban(text);
  if (iban) kinds.push('iban');
  if (ACCOUNT.test(text)) kinds.push('account');
  // The digit groups of an IBAN look like a phone number: look for phones outside it.
  if (hasPhone(iban ? text.replace(IBAN, ' ') : text)) kinds.push('phone');
  return kinds;
}
