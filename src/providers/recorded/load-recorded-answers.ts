import { z } from 'zod';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import { readTableRows } from '../../internal/read-table-rows.ts';
import { loadRouteLLMGsm8k, type RouteLLMLoadOptions } from '../../routing/weak-strong/load-routellm-gsm8k.ts';
import { createRecordedProvider, type RecordedAnswer, type RecordedProvider } from './create-recorded-provider.ts';

const booleanLike = z.union([
  z.boolean(),
  z
    .enum(['true', 'false', 'True', 'False', '1', '0'])
    .transform((value) => value === 'true' || value === 'True' || value === '1'),
  z.number().transform((value) => value >= 1),
]);

/** Empty CSV cells mean "not recorded". */
const emptyToNull = (value: unknown): unknown => (value === '' ? null : value);

const recordSchema = z.looseObject({
  prompt: z.string().min(1, 'prompt must not be empty'),
  answer: z.string(),
  correct: z.preprocess(emptyToNull, booleanLike.nullish()),
  score: z.preprocess(
    emptyToNull,
    z
      .union([
        z.number(),
        z
          .string()
          .regex(/^-?\d+(\.\d+)?$/)
          .transform(Number),
      ])
      .nullish(),
  ),
});

/**
 * Reads recorded answers from a file: JSONL (`.jsonl`, one object a line) or CSV with a header
 * (`.csv`). Fields: `prompt`, `answer`, optional `correct` (true/false) and `score` (a number).
 * @throws RightsizeError `invalid_input` naming the file, the row and the field at fault.
 */
export function loadRecordedAnswers(path: string): RecordedAnswer[] {
  const rows = readTableRows(path, 'recording');
  return rows.map((row, index) => {
    const parsed = recordSchema.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RightsizeError(
        'invalid_input',
        `${path} row ${index + 1}: ${issue?.path.join('.') || 'row'} ${issue?.message ?? 'is invalid'} (fields: prompt, answer, correct?, score?)`,
      );
    }
    const record: RecordedAnswer = { prompt: parsed.data.prompt, answer: parsed.data.answer };
    if (parsed.data.correct != null) record.correct = parsed.data.correct;
    if (parsed.data.score != null) record.score = parsed.data.score;
    return record;
  });
}

/**
 * Creates a recorded provider from a file (see {@link loadRecordedAnswers}).
 * @throws RightsizeError `invalid_input` when the file cannot be read.
 */
export function createRecordedProviderFromFile(options: {
  id: string;
  path: string;
  deployment?: RecordedProvider['deployment'];
}): RecordedProvider {
  return createRecordedProvider({
    id: options.id,
    records: loadRecordedAnswers(options.path),
    ...(options.deployment === undefined ? {} : { deployment: options.deployment }),
  });
}

/**
 * RouteLLM's GSM8K file as two recordings: `weak` holds Mixtral-8x7B-Instruct's answers, `strong`
 * GPT-4-1106-preview's, each with its correctness (1,307 decontaminated prompts).
 */
export function loadRouteLLMGsm8kRecordings(options: RouteLLMLoadOptions = {}): {
  weak: RecordedAnswer[];
  strong: RecordedAnswer[];
} {
  const set = loadRouteLLMGsm8k(options);
  return {
    weak: set.items.map((item) => ({
      prompt: item.prompt,
      answer: item.weakAnswer ?? '',
      correct: item.weakQuality >= 1,
    })),
    strong: set.items.map((item) => ({
      prompt: item.prompt,
      answer: item.strongAnswer ?? '',
      correct: item.strongQuality >= 1,
    })),
  };
}

/**
 * Two recorded providers replaying RouteLLM's GSM8K answers: `weak` (id `mixtral-8x7b-recorded`)
 * and `strong` (id `gpt-4-1106-recorded`), for offline cascades and demos.
 */
export function createRouteLLMGsm8kProviders(
  options: RouteLLMLoadOptions & { weakId?: string; strongId?: string } = {},
): { weak: RecordedProvider; strong: RecordedProvider } {
  const recordings = loadRouteLLMGsm8kRecordings(options.dataRoot === undefined ? {} : { dataRoot: options.dataRoot });
  return {
    weak: createRecordedProvider({ id: options.weakId ?? 'mixtral-8x7b-recorded', records: recordings.weak }),
    strong: createRecordedProvider({ id: options.strongId ?? 'gpt-4-1106-recorded', records: recordings.strong }),
  };
}
