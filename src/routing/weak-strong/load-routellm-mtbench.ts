import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import { defaultDataRoot } from './data-root.ts';
import { ROUTELLM_STRONG_MODEL, ROUTELLM_WEAK_MODEL, type RouteLLMLoadOptions } from './load-routellm-gsm8k.ts';
import type { OutcomeItem, OutcomeSet } from './outcome-set.ts';
import { readContaminatedPrompts } from './read-contaminated-prompts.ts';

const questionSchema = z.looseObject({
  question_id: z.number(),
  category: z.string().nullish(),
  turns: z.array(z.string()).min(2),
});
const judgementSchema = z.looseObject({
  question_id: z.number(),
  model: z.string(),
  score: z.number(),
  turn: z.number(),
  user_prompt: z.string().nullish(),
});

function readJsonLines<T>(path: string, schema: z.ZodType<T>): T[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new RightsizeError('invalid_input', `cannot read ${path}: check the data folder (--data-root)`, { cause });
  }
  const rows: T[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const parsed = schema.safeParse(JSON.parse(line));
    if (!parsed.success)
      throw new RightsizeError('invalid_input', `${path} line ${index + 1}: ${parsed.error.message}`);
    rows.push(parsed.data);
  }
  return rows;
}

const ANSWER_START = "[The Start of Assistant's Answer]\n";
const ANSWER_END = "\n[The End of Assistant's Answer]";

/**
 * The assistant's answer quoted in a single-turn MT-Bench judge prompt (FastChat's `single-v1` and
 * `single-math-v1` templates quote it between `[The Start of Assistant's Answer]` and
 * `[The End of Assistant's Answer]`); undefined when the prompt has no such block.
 */
export function extractJudgedAnswer(judgePrompt: string): string | undefined {
  const start = judgePrompt.lastIndexOf(ANSWER_START);
  const end = judgePrompt.lastIndexOf(ANSWER_END);
  if (start < 0 || end < start) return undefined;
  return judgePrompt.slice(start + ANSWER_START.length, end);
}

const CONVERSATION_ANSWER = '### Assistant A:\n';
const CONVERSATION_END = "\n\n<|The End of Assistant A's Conversation with User|>";

/**
 * The assistant's second-turn answer in a multi-turn MT-Bench judge prompt (FastChat's
 * `single-v1-multi-turn` and `single-math-v1-multi-turn` templates): the text after the last
 * `### Assistant A:` up to the end of the conversation block; undefined when absent.
 */
export function extractSecondTurnAnswer(judgePrompt: string): string | undefined {
  const start = judgePrompt.lastIndexOf(CONVERSATION_ANSWER);
  const end = judgePrompt.lastIndexOf(CONVERSATION_END);
  if (start < 0 || end < start) return undefined;
  return judgePrompt.slice(start + CONVERSATION_ANSWER.length, end);
}

/**
 * Loads RouteLLM's MT-Bench outcomes: 80 questions, minus those whose first or second turn is a
 * contaminated `eval_prompt` = 72 items. An item's quality is the mean GPT-4 judge score (1-10) of
 * the model's two turns, and its prompt is the first turn (RouteLLM routes on it alone and sends
 * both turns to the routed model). The weak answer is the first-turn answer quoted in the judge
 * prompt (the judge's verdict is never read); the second turn and both models' second answers are
 * kept in `followUp`, for cost. Expected: weak 8.281, strong 9.212.
 * Source: lm-sys/RouteLLM `routellm/evals/mt_bench/` and `benchmarks.py`, commit 0b64fdaf.
 * @throws RightsizeError `invalid_input` when a file is missing, malformed, or a score is missing.
 */
export function loadRouteLLMMtBench(options: RouteLLMLoadOptions = {}): OutcomeSet {
  const folder = join(options.dataRoot ?? defaultDataRoot(), 'routellm-mtbench');
  const contaminated = readContaminatedPrompts(join(folder, 'contaminated_prompts.jsonl'));
  const questions = readJsonLines(join(folder, 'question.jsonl'), questionSchema);
  const judgements = readJsonLines(join(folder, 'judgements.jsonl'), judgementSchema);
  const scores = new Map<string, number[]>();
  const firstAnswers = new Map<string, string>();
  const secondAnswers = new Map<string, string>();
  for (const judgement of judgements) {
    const key = `${judgement.question_id}|${judgement.model}`;
    const list = scores.get(key) ?? [];
    list.push(judgement.score);
    scores.set(key, list);
    if (judgement.turn === 1 && judgement.user_prompt) {
      const answer = extractJudgedAnswer(judgement.user_prompt);
      if (answer !== undefined) firstAnswers.set(key, answer);
    }
    if (judgement.turn === 2 && judgement.user_prompt) {
      const answer = extractSecondTurnAnswer(judgement.user_prompt);
      if (answer !== undefined) secondAnswers.set(key, answer);
    }
  }
  const meanScore = (questionId: number, model: string): number => {
    const list = scores.get(`${questionId}|${model}`);
    if (!list || list.length === 0) {
      throw new RightsizeError('invalid_input', `judgements.jsonl has no score for question ${questionId} (${model})`);
    }
    return list.reduce((sum, value) => sum + value, 0) / list.length;
  };
  const items: OutcomeItem[] = [];
  for (const question of questions) {
    const [first, second] = question.turns;
    if (first === undefined || second === undefined) continue;
    if (contaminated.has(first) || contaminated.has(second)) continue;
    const weakSecond = secondAnswers.get(`${question.question_id}|${ROUTELLM_WEAK_MODEL}`);
    const strongSecond = secondAnswers.get(`${question.question_id}|${ROUTELLM_STRONG_MODEL}`);
    const weakAnswer = firstAnswers.get(`${question.question_id}|${ROUTELLM_WEAK_MODEL}`);
    const strongAnswer = firstAnswers.get(`${question.question_id}|${ROUTELLM_STRONG_MODEL}`);
    items.push({
      id: `mtbench-${question.question_id}`,
      prompt: first,
      ...(weakAnswer === undefined ? {} : { weakAnswer }),
      ...(strongAnswer === undefined ? {} : { strongAnswer }),
      weakQuality: meanScore(question.question_id, ROUTELLM_WEAK_MODEL),
      strongQuality: meanScore(question.question_id, ROUTELLM_STRONG_MODEL),
      ...(question.category ? { category: question.category } : {}),
      followUp: {
        prompt: second,
        ...(weakSecond === undefined ? {} : { weakAnswer: weakSecond }),
        ...(strongSecond === undefined ? {} : { strongAnswer: strongSecond }),
      },
    });
  }
  return {
    name: 'mtbench',
    qualityKind: 'judge',
    weakModel: ROUTELLM_WEAK_MODEL,
    strongModel: ROUTELLM_STRONG_MODEL,
    items,
  };
}
