import { RightsizeError } from '../../errors/rightsize-error.ts';
import { ANSWER_FEATURE_NAMES, answerFeatures } from './answer-features.ts';
import type { LogisticRegressionOptions } from './logistic-regression.ts';
import { predictLogistic, trainLogisticRegression } from './logistic-regression.ts';
import type { OutcomeItem } from './outcome-set.ts';
import { PROMPT_FEATURE_NAMES, promptFeatures } from './prompt-features.ts';
import { ROUTER_FORMAT, type RouterModel, type TextFeatureSettings } from './router-model.ts';
import { hashedNgrams, type SparseVector } from './text-features.ts';

/** Options of {@link trainCascadeScorer}. */
export interface CascadeScorerOptions extends LogisticRegressionOptions {
  /** Model name. @default 'cascade' */
  name?: string;
  /** Data name recorded in the model. @default 'custom' */
  data?: string;
  /** Text features. @default { maxN: 2, buckets: 2 ** 18 } */
  text?: TextFeatureSettings;
  /** Kind of quality, which decides the label (see {@link weakAcceptable}). @default 'accuracy' */
  qualityKind?: 'accuracy' | 'judge';
}

const DEFAULT_TEXT: TextFeatureSettings = { maxN: 2, buckets: 2 ** 18 };

/**
 * The label a cascade scorer learns, "the weak answer is acceptable": on correctness data the weak
 * answer is right (quality 1); on judge scores it scores at least as well as the strong answer.
 */
export function weakAcceptable(
  item: Pick<OutcomeItem, 'weakQuality' | 'strongQuality'>,
  qualityKind: 'accuracy' | 'judge',
): boolean {
  return qualityKind === 'accuracy' ? item.weakQuality >= 1 : item.weakQuality >= item.strongQuality;
}

/**
 * Features of a (prompt, answer) pair: hashed n-grams of the answer and of the prompt (separate
 * namespaces) and the hand-made {@link answerFeatures} and {@link promptFeatures}.
 */
export function cascadeFeatures(
  prompt: string,
  answer: string,
  text: TextFeatureSettings,
): { sparse: SparseVector; dense: number[] } {
  const fromAnswer = hashedNgrams(answer, { ...text, namespace: 'a' });
  const fromPrompt = hashedNgrams(prompt, { ...text, namespace: 'p' });
  return {
    sparse: {
      indices: [...fromAnswer.indices, ...fromPrompt.indices],
      values: [...fromAnswer.values, ...fromPrompt.values],
    },
    dense: [...answerFeatures(prompt, answer), ...promptFeatures(prompt)],
  };
}

/**
 * Trains a cascade scorer: logistic regression that reads the prompt and the weak model's answer
 * and estimates P(weak answer acceptable) ({@link weakAcceptable}).
 * @throws RightsizeError `invalid_input` when an item has no recorded weak answer.
 */
export function trainCascadeScorer(items: readonly OutcomeItem[], options: CascadeScorerOptions = {}): RouterModel {
  const text = options.text ?? DEFAULT_TEXT;
  const qualityKind = options.qualityKind ?? 'accuracy';
  const examples = items.map((item) => {
    if (item.weakAnswer === undefined) {
      throw new RightsizeError(
        'invalid_input',
        `item ${item.id} has no weak answer: a cascade scorer needs the weak model's answers (use --kind pre)`,
      );
    }
    return {
      ...cascadeFeatures(item.prompt, item.weakAnswer, text),
      label: weakAcceptable(item, qualityKind) ? 1 : 0,
    };
  });
  const model = trainLogisticRegression(examples, {
    epochs: 20,
    learningRate: 0.05,
    l2Sparse: 1e-3,
    ...options,
    buckets: text.buckets,
  });
  return {
    format: ROUTER_FORMAT,
    kind: 'cascade',
    name: options.name ?? 'cascade',
    trainedOn: {
      data: options.data ?? 'custom',
      items: items.length,
      positives: examples.filter((example) => example.label === 1).length,
    },
    text,
    denseFeatures: [...ANSWER_FEATURE_NAMES, ...PROMPT_FEATURE_NAMES],
    model,
  };
}

/** P(weak answer acceptable) for a prompt and the weak model's answer under a trained cascade scorer. */
export function scoreAnswer(scorer: RouterModel, prompt: string, answer: string): number {
  const { sparse, dense } = cascadeFeatures(prompt, answer, scorer.text);
  return predictLogistic(scorer.model, sparse, dense);
}
