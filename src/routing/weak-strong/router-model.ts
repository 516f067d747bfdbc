import type { LogisticModel } from './logistic-regression.ts';

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
