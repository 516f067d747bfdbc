import { describe, expect, it } from 'vitest';
import { acceptAnswer, matchLabel } from './accept-answer.ts';

const labels = ['card_arrival', 'lost_or_stolen_card'];
const base = { answer: 'card_arrival', confidence: 0.9, calibratedThreshold: 0.8, labels };

describe('acceptAnswer', () => {
  it.each([
    ['no rule', undefined, base, true],
    ['calibrated, above', { calibrated: true }, base, true],
    ['calibrated, below', { calibrated: true }, { ...base, confidence: 0.79 }, false],
    ['calibrated, no threshold', { calibrated: true }, { ...base, calibratedThreshold: undefined }, false],
    ['min confidence, below', { minConfidence: 0.95 }, base, false],
    ['labels, exact', { labels: true }, base, true],
    ['labels, JSON form', { labels: true }, { ...base, answer: '{"label":"Lost or stolen card"}' }, true],
    ['labels, unknown', { labels: true }, { ...base, answer: 'exchange_rate' }, false],
    ['labels, null answer', { labels: true }, { ...base, answer: null }, false],
    ['regex', { regex: '^card_' }, base, true],
    ['regex, no match', { regex: '^lost' }, base, false],
    ['json schema', { jsonSchema: { type: 'object', required: ['a'] } }, { ...base, answer: '{"a":1}' }, true],
    [
      'json schema, missing key',
      { jsonSchema: { type: 'object', required: ['a'] } },
      { ...base, answer: '{"b":1}' },
      false,
    ],
    ['json schema, not JSON', { jsonSchema: { type: 'object' } }, base, false],
  ])('%s', (_name, rule, input, expected) => {
    expect(acceptAnswer(rule, input).accepted).toBe(expected);
  });

  it('returns the canonical label and the reason for escalations', () => {
    expect(acceptAnswer({ labels: true }, { ...base, answer: ' "Lost_Or_Stolen_Card." ' })).toEqual({
      accepted: true,
      answer: 'lost_or_stolen_card',
    });
    expect(acceptAnswer({ calibrated: true }, { ...base, confidence: 0.5 })).toMatchObject({
      accepted: false,
      reason: 'low_confidence',
    });
    expect(acceptAnswer({ labels: true }, { ...base, answer: 'nope' })).toMatchObject({
      accepted: false,
      reason: 'invalid_output',
    });
  });
});

describe('matchLabel', () => {
  // Banking77 has labels that end in "?"; a model (or a person) often drops it.
  const labels = ['reverted_card_payment?', 'card_arrival', 'Refund_not_showing_up'];
  it.each([
    ['reverted_card_payment?', 'reverted_card_payment?'],
    ['reverted_card_payment', 'reverted_card_payment?'],
    ['Reverted card payment', 'reverted_card_payment?'],
    ['"card arrival."', 'card_arrival'],
    ['{"label": "refund not showing up"}', 'Refund_not_showing_up'],
    ['card', undefined],
    ['reverted_card_payment ?', 'reverted_card_payment?'],
  ])('matches %j to %j', (answer, label) => {
    expect(matchLabel(answer, labels)).toBe(label);
  });

  it('prefers the label as written over one equal once punctuation is dropped', () => {
    expect(matchLabel('yes?', ['yes', 'yes?'])).toBe('yes?');
    expect(matchLabel('yes', ['yes?', 'yes'])).toBe('yes');
    expect(matchLabel('Yes.', ['yes', 'yes?'])).toBe('yes');
  });
});

describe('acceptAnswer for a tier that answers with a label of its own (a specialist)', () => {
  const input = { confidence: 0.99, calibratedThreshold: undefined, labels: ['yes', 'no'], answersWithLabel: true };
  it("refuses a label outside the route's, with or without a rule, and takes one of them", () => {
    expect(acceptAnswer(undefined, { ...input, answer: 'card_arrival' })).toMatchObject({
      accepted: false,
      reason: 'invalid_output',
    });
    expect(acceptAnswer({ minConfidence: 0.5 }, { ...input, answer: 'card_arrival' })).toMatchObject({
      accepted: false,
    });
    expect(acceptAnswer({ minConfidence: 0.5 }, { ...input, answer: 'yes' })).toEqual({
      accepted: true,
      answer: 'yes',
    });
    // A route without labels: nothing to check against.
    expect(acceptAnswer(undefined, { ...input, labels: null, answer: 'card_arrival' })).toMatchObject({
      accepted: true,
    });
  });
});
