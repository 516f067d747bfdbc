import { checkArithmetic, normalizeArithmeticText } from './arithmetic-check.ts';

/**
 * Hand-made features of a (prompt, weak answer) pair, read by the cascade scorer. Each is a number;
 * the names below are the order of {@link answerFeatures}' output and are documented in
 * docs/routing.md. They are generic (any answer), with extra signal on math word problems.
 */
export const ANSWER_FEATURE_NAMES = [
  'answer_words_log',
  'prompt_words_log',
  'answer_prompt_ratio_log',
  'has_final_marker',
  'has_final_number',
  'final_is_integer',
  'final_is_negative',
  'final_magnitude_log',
  'final_in_prompt',
  'final_was_computed',
  'final_disagrees_with_text',
  'equations_checked_log',
  'equations_mismatched',
  'any_mismatch',
  'mismatch_share',
  'equations_rounded',
  'annotations_log',
  'hedges',
  'any_hedge',
  'final_markers',
  'prompt_numbers_unused_share',
  'prompt_numbers_log',
  'answer_numbers_log',
  'answer_decimals_log',
  'answer_lines_log',
  'answer_questions',
  'answer_truncated',
] as const;

/** Words and phrases of doubt, second thoughts or changed course in an answer. */
const HEDGES = [
  /\bhowever\b/g,
  /\bassum(e|ing|ption)\b/g,
  /\bapproximately\b|\baround\b|\babout\b/g,
  /\bround(ed|ing)?\b/g,
  /\bactually\b/g,
  /\bnot possible\b|\bimpossible\b|\bcannot\b|\bcan't\b|\bcan not\b/g,
  /\bunclear\b|\bambiguous\b|\bnot (enough|sufficient) information\b/g,
  /\bwait\b|\bmistake\b|\bapologi[sz]e\b|\bcorrect(ion)?\b|\bre-?evaluate\b|\bre-?calculate\b/g,
  /\bit seems\b|\blikely\b|\bprobably\b|\bperhaps\b|\bmight\b|\bestimate\b/g,
  /\bbut since\b|\bsince we can't\b|\bwhole number\b|\bpartial\b/g,
];

const WORD_NUMBERS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  hundred: 100,
  thousand: 1000,
  half: 0.5,
  twice: 2,
  double: 2,
  triple: 3,
  quarter: 0.25,
  third: 3,
  fourth: 4,
  dozen: 12,
};

/** Every number written in digits in a text (currency and thousands separators removed). */
export function numbersIn(text: string): number[] {
  const normalized = normalizeArithmeticText(text).replace(/<<[^<>]*>>/g, ' ');
  return (normalized.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
}

/** Numbers in a prompt, in digits or as number words (`three`, `half`, `twice`). */
export function promptQuantities(prompt: string): number[] {
  const quantities = numbersIn(prompt).map(Math.abs);
  for (const word of prompt.toLowerCase().match(/[a-z]+/g) ?? []) {
    const value = WORD_NUMBERS[word];
    if (value !== undefined) quantities.push(value);
  }
  return quantities;
}

/**
 * The answer's final result: the number after the last `####` or `answer is`, else the last number
 * of the text; with whether an explicit marker was found.
 */
export function finalResult(answer: string): { value: number | undefined; marked: boolean; markers: number } {
  const normalized = normalizeArithmeticText(answer).replace(/<<[^<>]*>>/g, ' ');
  const markers = [...normalized.matchAll(/(?:####|answer is|answer:|\\boxed\{)\s*:?\s*(-?\d+(?:\.\d+)?)/gi)];
  const last = markers[markers.length - 1];
  if (last?.[1] !== undefined) return { value: Number(last[1]), marked: true, markers: markers.length };
  const numbers = numbersIn(answer);
  return { value: numbers[numbers.length - 1], marked: false, markers: 0 };
}

function nearlyEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** The features of {@link ANSWER_FEATURE_NAMES}, in that order. */
export function answerFeatures(prompt: string, answer: string): number[] {
  const answerWords = answer.split(/\s+/).filter(Boolean).length;
  const promptWords = prompt.split(/\s+/).filter(Boolean).length;
  const final = finalResult(answer);
  const arithmetic = checkArithmetic(answer);
  const prompts = promptQuantities(prompt);
  const answerNumbers = numbersIn(answer).map(Math.abs);
  const lower = answer.toLowerCase();
  let hedges = 0;
  for (const pattern of HEDGES) hedges += lower.match(pattern)?.length ?? 0;
  const distinctPrompt = [...new Set(prompts)];
  const unused = distinctPrompt.filter(
    (value) => !answerNumbers.some((number) => nearlyEqual(number, value)) && !(value === 0.5 || value === 2),
  ).length;
  // The last number written before the final marker: when the text concludes with one number and
  // the marker states another, the answer contradicts itself.
  let disagrees = 0;
  if (final.marked && final.value !== undefined) {
    const beforeMarker = answer.slice(0, answer.lastIndexOf('####') >= 0 ? answer.lastIndexOf('####') : answer.length);
    const before = numbersIn(beforeMarker);
    const lastBefore = before[before.length - 1];
    if (lastBefore !== undefined && !nearlyEqual(Math.abs(lastBefore), Math.abs(final.value))) disagrees = 1;
  }
  const value = final.value;
  return [
    Math.log1p(answerWords),
    Math.log1p(promptWords),
    Math.log((answerWords + 1) / (promptWords + 1)),
    final.marked ? 1 : 0,
    value === undefined ? 0 : 1,
    value !== undefined && Number.isInteger(value) ? 1 : 0,
    value !== undefined && value < 0 ? 1 : 0,
    value === undefined ? 0 : Math.log10(1 + Math.abs(value)),
    value !== undefined && prompts.some((number) => nearlyEqual(number, Math.abs(value))) ? 1 : 0,
    value !== undefined && arithmetic.results.some((number) => nearlyEqual(number, value)) ? 1 : 0,
    disagrees,
    Math.log1p(arithmetic.checked),
    Math.min(arithmetic.mismatched, 5),
    arithmetic.mismatched > 0 ? 1 : 0,
    arithmetic.checked === 0 ? 0 : arithmetic.mismatched / arithmetic.checked,
    Math.min(arithmetic.rounded, 5),
    Math.log1p(arithmetic.annotations),
    Math.min(hedges, 10),
    hedges > 0 ? 1 : 0,
    Math.min(final.markers, 5),
    distinctPrompt.length === 0 ? 0 : unused / distinctPrompt.length,
    Math.log1p(distinctPrompt.length),
    Math.log1p(answerNumbers.length),
    Math.log1p(answerNumbers.filter((number) => !Number.isInteger(number)).length),
    Math.log1p(answer.split('\n').filter((line) => line.trim() !== '').length),
    Math.min((answer.match(/\?/g) ?? []).length, 5),
    (answer.match(/<</g) ?? []).length > (answer.match(/>>/g) ?? []).length ||
    !(/[.!?)\]`"*\d]\s*$/.test(answer.trim()) || answer.trim() === '')
      ? 1
      : 0,
  ];
}
