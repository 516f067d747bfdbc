import { describe, expect, it } from 'vitest';
import { findSensitiveData, passesIbanCheck, passesLuhn } from './find-sensitive-data.ts';

describe('findSensitiveData', () => {
  const cases: Array<{ name: string; text: string; kinds: string[] }> = [
    { name: 'plain question', text: 'How do I reset my PIN?', kinds: [] },
    { name: 'e-mail', text: 'write to jane.doe@example.co.uk please', kinds: ['email'] },
    { name: 'not an e-mail', text: 'ping @team about it', kinds: [] },
    { name: 'Visa test card, spaced', text: 'card 4111 1111 1111 1111 was declined', kinds: ['card'] },
    { name: 'Mastercard test card, dashed', text: 'use 5555-5555-5555-4444', kinds: ['card'] },
    { name: '16 digits failing Luhn', text: 'order 4111111111111112 shipped', kinds: [] },
    { name: 'valid IBAN, grouped', text: 'pay GB82 WEST 1234 5698 7654 32 today', kinds: ['iban'] },
    { name: 'IBAN with a wrong check', text: 'pay GB83WEST12345698765432 today', kinds: [] },
    { name: 'account number after a keyword', text: 'my account no. 12345678 is blocked', kinds: ['account'] },
    { name: 'international phone', text: 'call +44 20 7946 0958', kinds: ['phone'] },
    { name: 'US phone with parentheses', text: 'call (555) 123-4567 now', kinds: ['phone'] },
    { name: 'a date is not a phone', text: 'due 2024-01-15', kinds: [] },
    { name: 'an IPv4 address is not a phone', text: 'server 192.168.100.200 is down', kinds: [] },
    { name: 'version numbers are not phones', text: 'upgrade from 1.2.3 to 10.4', kinds: [] },
    {
      name: 'several kinds at once',
      text: 'I am bob@example.com, card 4111111111111111, phone 555-123-4567',
      kinds: ['email', 'card', 'phone'],
    },
  ];
  it.each(cases)('$name', ({ text, kinds }) => {
    expect(findSensitiveData(text)).toEqual(kinds);
  });

  it('returns kinds, never the matched text', () => {
    const found = findSensitiveData('jane.doe@example.com 4111 1111 1111 1111');
    expect(JSON.stringify(found)).not.toMatch(/jane|4111/);
  });
});

describe('checksums', () => {
  it.each([
    ['4111111111111111', true],
    ['79927398713', true],
    ['79927398710', false],
    ['', false],
  ])('Luhn %s -> %s', (digits, expected) => expect(passesLuhn(digits)).toBe(expected));

  it.each([
    ['GB82WEST12345698765432', true],
    ['DE89370400440532013000', true],
    ['DE89370400440532013001', false],
  ])('IBAN %s -> %s', (iban, expected) => expect(passesIbanCheck(iban)).toBe(expected));
});
