import { promptQuantities } from './answer-features.ts';

/**
 * Hand-made features of a prompt alone (difficulty cues), read by the pre-router and, next to the
 * answer features, by the cascade scorer. Order of {@link promptFeatures}' output; documented in
 * docs/routing.md.
 */
export const PROMPT_FEATURE_NAMES = [
  'words_log',
  'characters_log',
  'quantities_log',
  'digit_share',
  'math_symbols_log',
  'has_choices',
  'choice_words_log',
  'longest_choice_words_log',
  'negation',
  'multi_statement',
  'sentences_log',
  'lines_log',
  'code_like',
] as const;

/** The features of {@link PROMPT_FEATURE_NAMES}, in that order. */
export function promptFeatures(prompt: string): number[] {
  const words = prompt.split(/\s+/).filter(Boolean);
  const digits = (prompt.match(/\d/g) ?? []).length;
  const choices = [...prompt.matchAll(/^\s*\(?([A-D])[.)]\s*(.*)$/gm)].map((match) => match[2] ?? '');
  const choiceWords = choices.map((choice) => choice.split(/\s+/).filter(Boolean).length);
  const lower = prompt.toLowerCase();
  return [
    Math.log1p(words.length),
    Math.log1p(prompt.length),
    Math.log1p(promptQuantities(prompt).length),
    digits / Math.max(1, prompt.length),
    Math.log1p((prompt.match(/[=+*/^<>√∫∑πθ]|\\[a-z]+/g) ?? []).length),
    choices.length >= 2 ? 1 : 0,
    Math.log1p(choiceWords.reduce((sum, count) => sum + count, 0)),
    Math.log1p(Math.max(0, ...choiceWords)),
    /\b(not|except|least|false|incorrect)\b/.test(lower) ? 1 : 0,
    /statement 1|\bi\.\s|\bii\b|\biii\b/i.test(prompt) ? 1 : 0,
    Math.log1p((prompt.match(/[.!?](\s|$)/g) ?? []).length),
    Math.log1p(prompt.split('\n').length),
    /[{};]|\bdef |\bfunction\b|```/.test(prompt) ? 1 : 0,
  ];
}
