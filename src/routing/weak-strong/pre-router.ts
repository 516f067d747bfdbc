import type { LogisticRegressionOptions } from './logistic-regression.ts';
import { predictLogistic } from './logistic-regression.ts';
import type { OutcomeItem } from './outcome-set.ts';
import { PROMPT_FEATURE_NAMES, promptFeatures } from './prompt-features.ts';
import { fitRouterModel, type RouterModel, type TextFeatureSettings } from './router-model.ts';
import { hashedNgrams, type SparseVector } from './text-features.ts';

/** Options of {@link trainPreRouter}. */
export interface PreRouterOptions extends LogisticRegressionOptions {
  /** Model name. @default 'pre-router' */
  name?: string;
  /** Data name recorded in the model. @default 'custom' */
  data?: string;
  /** Text features. @default { maxN: 2, buckets: 2 ** 18 } */
  text?: TextFeatureSettings;
}

const DEFAULT_TEXT: TextFeatureSettings = { maxN: 2, buckets: 2 ** 18 };

/** The label a pre-router learns: the strong model does strictly better than the weak one. */
export function strongWins(item: Pick<OutcomeItem, 'weakQuality' | 'strongQuality'>): boolean {
  return item.strongQuality > item.weakQuality;
}

/** Features of a prompt for the pre-router: hashed prompt n-grams and {@link promptFeatures}. */
export function preRouterFeatures(
  prompt: string,
  text: TextFeatureSettings,
): { sparse: SparseVector; dense: number[] } {
  return { sparse: hashedNgrams(prompt, { ...text, namespace: 'p' }), dense: promptFeatures(prompt) };
}

/**
 * Trains a pre-router: logistic regression on the prompt alone (hashed word n-grams plus prompt
 * features) with the label "strong wins" ({@link strongWins}). Its score is P(strong wins), the
 * quantity RouteLLM's routers estimate (the "strong win rate").
 */
export function trainPreRouter(items: readonly OutcomeItem[], options: PreRouterOptions = {}): RouterModel {
  const text = options.text ?? DEFAULT_TEXT;
  const examples = items.map((item) => ({ ...preRouterFeatures(item.prompt, text), label: strongWins(item) ? 1 : 0 }));
  return fitRouterModel({
    kind: 'pre',
    name: options.name ?? 'pre-router',
    data: options.data ?? 'custom',
    examples,
    text,
    denseFeatures: PROMPT_FEATURE_NAMES,
    options,
  });
}

/** P(strong wins) for a prompt under a trained pre-router. */
export function scorePrompt(router: RouterModel, prompt: string): number {
  const { sparse, dense } = preRouterFeatures(prompt, router.text);
  return predictLogistic(router.model, sparse, dense);
}
