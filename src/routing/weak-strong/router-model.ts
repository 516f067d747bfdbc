import {
  type LogisticExample,
  type LogisticModel,
  type LogisticRegressionOptions,
  trainLogisticRegression,
} from './logistic-regression.ts';

/** File format tag of trained routers. */
export const ROUTER_FORMAT = 'rightsize-weak-strong-router/1';

/** How text becomes hashed features; stored in the model so scoring matches training. */
export interface TextFeatureSettings {
  /** Longest word n-gram. */
  maxN: number;
  /** Number of hash buckets. */
  buckets: number;
}

/** A trained pre-router or cascade scorer as saved to disk (JSON). */
export interface RouterModel {
  format: typeof ROUTER_FORMAT;
  /** `pre`: reads the prompt, estimates P(strong wins). `cascade`: reads prompt and weak answer, estimates P(weak answer acceptable). */
  kind: 'pre' | 'cascade';
  /** Display name, e.g. `cascade-gsm8k`. */
  name: string;
  /** What it was trained on: the data name and item count. */
  trainedOn: { data: string; items: number; positives: number };
  text: TextFeatureSettings;
  /** Names of the dense features, in order (a check that the code reading the model matches). */
  denseFeatures: string[];
  model: LogisticModel;
  /** The acceptance threshold calibrated at training time, when one was asked for. */
  threshold?: number;
}

/** What both router kinds are trained from: labelled examples and what to record with them. */
export interface FitRouterInput {
  kind: RouterModel['kind'];
  name: string;
  /** The data name recorded in the model. */
  data: string;
  examples: readonly LogisticExample[];
  text: TextFeatureSettings;
  denseFeatures: readonly string[];
  /** Training options; the defaults are 10 epochs, learning rate 0.05, sparse L2 1e-3. */
  options: LogisticRegressionOptions;
}

/** Fits the logistic regression behind a pre-router or cascade scorer and packs it as a saved model. */
export function fitRouterModel(input: FitRouterInput): RouterModel {
  const model = trainLogisticRegression(input.examples, {
    epochs: 10,
    learningRate: 0.05,
    l2Sparse: 1e-3,
    ...input.options,
    buckets: input.text.buckets,
  });
  return {
    format: ROUTER_FORMAT,
    kind: input.kind,
    name: input.name,
    trainedOn: {
      data: input.data,
      items: input.examples.length,
      positives: input.examples.filter((example) => example.label === 1).length,
    },
    text: input.text,
    denseFeatures: [...input.denseFeatures],
    model,
  };
}
