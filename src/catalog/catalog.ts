import { z } from 'zod';

/**
 * The catalog contract: what Rightsize knows about each model it can send a request to.
 * Built-in entries live in `catalog/builtin/`; the config's `models` list adds entries or overrides
 * built-in ones by `id`. Prices are in USD per 1M tokens, latencies in ms.
 */
export const modelClassSchema = z.enum(['slm', 'llm', 'reasoning', 'multimodal', 'human']);
/** `slm` small specialist (1M-10B params), `llm`, `reasoning`, `multimodal`, or the `human` tier. */
export type ModelClass = z.infer<typeof modelClassSchema>;

/** The model id of the human review tier: a route's last tier, and the model of the answers it gives. */
export const HUMAN_MODEL_ID = 'human';

export const modalitySchema = z.enum(['text', 'image', 'audio']);
export type Modality = z.infer<typeof modalitySchema>;

export const deploymentSchema = z.enum(['edge', 'on-prem', 'cloud']);
/** Where a model runs: `edge` in process or on device, `on-prem` on the user's hosts, `cloud` at a vendor. */
export type Deployment = z.infer<typeof deploymentSchema>;

/** Prices in USD. Per-token prices are per 1M tokens; `perCallUsd` is added to every call. */
export const pricesSchema = z.strictObject({
  inputPerMillionUsd: z.number().nonnegative().optional(),
  cachedInputPerMillionUsd: z.number().nonnegative().optional(),
  outputPerMillionUsd: z.number().nonnegative().optional(),
  perCallUsd: z.number().nonnegative().optional(),
});
export type Prices = z.infer<typeof pricesSchema>;

export const modelEntrySchema = z.strictObject({
  /** The id clients name in `model`, e.g. `gpt-4o-mini`. */
  id: z.string().min(1),
  /** Provider id from the config's `providers`, or `specialist` / `human` / `recorded`. */
  provider: z.string().min(1),
  /** The model's name at the provider; defaults to `id`. */
  upstreamName: z.string().min(1).optional(),
  class: modelClassSchema.optional(),
  /** Parameter count, when public. */
  parameters: z.number().positive().optional(),
  inputModalities: z.array(modalitySchema).default(['text']),
  outputModalities: z.array(modalitySchema).default(['text']),
  /** Context window in tokens. */
  contextWindow: z.number().int().positive().optional(),
  /** Prices; absent means unpriced (logged as such, never as $0). */
  prices: pricesSchema.optional(),
  /** Where the model can run; defaults to the provider's deployment. */
  deployments: z.array(deploymentSchema).optional(),
  latency: z
    .strictObject({ ttftMs: z.number().nonnegative(), outputTokensPerSecond: z.number().positive() })
    .partial()
    .optional(),
  capabilities: z
    .strictObject({
      tools: z.boolean(),
      jsonSchema: z.boolean(),
      logprobs: z.boolean(),
      /** Thinks before it answers (o-series, DeepSeek-R1, Gemini 2.5 Pro); implies class `reasoning`. */
      reasoning: z.boolean(),
    })
    .partial()
    .optional(),
  /**
   * Typical hidden reasoning tokens per request, in tokens: billed as output tokens and generated
   * before the first visible token. Only for reasoning models. @default 0
   */
  hiddenReasoningTokens: z.number().int().nonnegative().optional(),
  /**
   * `general` (default) answers any prompt; `single-task` only does the task families in
   * `taskFamilies` (a trained specialist), or, with `taskFamilies` empty or absent, is an
   * architecture that must first be trained on the user's labelled data (`rightsize train`).
   */
  scope: z.enum(['general', 'single-task']).optional(),
  /** Task families a `single-task` model was trained for (e.g. `banking77`). */
  taskFamilies: z.array(z.string().min(1)).optional(),
  /** Measured quality per task family (e.g. `mmlu`: 0.806), each with its source. */
  quality: z.record(z.string(), z.strictObject({ accuracy: z.number().min(0).max(1), source: z.string() })).optional(),
  /** Where the prices and sizes come from (URL and date). */
  source: z.string().optional(),
});
export type ModelEntry = z.infer<typeof modelEntrySchema>;
/** What a config may write for a model (before defaults are applied). */
export type ModelEntryInput = z.input<typeof modelEntrySchema>;
