import { z } from 'zod';
import { deploymentSchema, HUMAN_MODEL_ID, modelEntrySchema } from '../catalog/catalog.ts';
import { selectionConfigSchema } from '../selection/selection-config.ts';

/**
 * The config file's schema (`rightsize.yaml`). Parsed once at start into a frozen object; errors
 * name the key and the fix (see `load-config.ts`). Secrets appear only as environment variable
 * names (`apiKeyEnv`, `env`), never as values.
 */
const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    message: 'must be the NAME of an environment variable (e.g. OPENAI_API_KEY), not a key',
    // One message for one mistake: the key heuristic below adds nothing to this one.
    abort: true,
  })
  .refine(
    (name) => !looksLikeKey(name),
    'looks like a key, not the NAME of an environment variable (e.g. OPENAI_API_KEY): put the key in the environment',
  );

/**
 * A heuristic for a key pasted where a variable name belongs: 20 or more characters, no underscore,
 * and at least 4 digits (variable names are words joined by underscores; keys are random).
 */
function looksLikeKey(name: string): boolean {
  return name.length >= 20 && !name.includes('_') && (name.match(/[0-9]/g)?.length ?? 0) >= 4;
}

/**
 * A header that carries a credential: one of the usual credential header names, a bearer token, or a
 * value shaped like an API key (`sk-...`, or the heuristic of {@link looksLikeKey}); OpenAI's
 * organization and project ids are not.
 */
function looksLikeCredentialHeader(name: string, value: string): boolean {
  // Identifiers, not secrets, however random they look (e.g. org-AbC123...).
  if (/^openai-(organization|project)$/i.test(name)) return false;
  return (
    /^(authorization|proxy-authorization|api-key|x-api-key|x-goog-api-key|cookie)$/i.test(name) ||
    /^(bearer|basic)\s/i.test(value) ||
    /\bsk-[A-Za-z0-9_-]{8,}/.test(value) ||
    looksLikeKey(value)
  );
}

/** A URL with a password in it, or a query parameter that usually carries a key or token. */
function urlHoldsCredential(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      url.password !== '' ||
      url.username !== '' ||
      [...url.searchParams.keys()].some((name) =>
        /^(api[-_]?key|key|token|access[-_]?token|sig|signature)$/i.test(name),
      )
    );
  } catch {
    return false;
  }
}

export const clientKeySchema = z.strictObject({
  /**
   * A name for the key, logged with each request (never the key itself). No `/`: a reviewer named
   * under a key is recorded as `<id>/<name>` (see `server/review-routes.ts`).
   */
  id: z
    .string()
    .min(1)
    .refine(
      (id) => !id.includes('/'),
      'a key id cannot contain "/" (reviewers under a key are recorded as <id>/<name>)',
    ),
  /** The environment variable holding the key. */
  env: envName,
  /**
   * What the key may do: `chat` (chat completions, models, select, metrics), `review` (the review
   * queue), `admin` (promotions and the log's analysis). @default [chat, review]: an application's
   * key cannot change routing for everyone; give `admin` to the operators' key.
   */
  scopes: z
    .array(z.enum(['chat', 'review', 'admin']))
    .min(1, 'give at least one scope (chat, review, admin), or leave scopes out for [chat, review]')
    .default(['chat', 'review']),
});

export const serverConfigSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Largest request body accepted, in bytes. @default 4 MiB */
  bodyLimitBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /** Client API keys; when any is set, requests need `Authorization: Bearer <key>`. */
  apiKeys: z.array(clientKeySchema).default([]),
});

export const storeConfigSchema = z.strictObject({
  /** `sqlite:<path>` (default) or `postgres://...`. */
  url: z.string().default('sqlite:.rightsize/rightsize.db'),
  /** Log rows written per batch. */
  batchSize: z.number().int().positive().default(256),
  /** Longest a log row waits before it is written, in ms. */
  flushIntervalMs: z.number().int().positive().default(250),
  /** Keep request messages and answer text in the log (needed by `analyze` and `distill`). */
  logContent: z.boolean().default(true),
});

export const providerConfigSchema = z.strictObject({
  kind: z.literal('openai-compatible').default('openai-compatible'),
  /** Base URL ending before `/chat/completions`, e.g. `https://api.openai.com/v1`. */
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL, e.g. http://127.0.0.1:11434/v1' })
    .refine(
      (url) => !urlHoldsCredential(url),
      'holds a credential (a user or password, or a key in the query): put it in the environment and name it in apiKeyEnv or headersEnv',
    )
    .optional(),
  /** Environment variable that, when set, overrides `baseUrl` (e.g. OPENAI_BASE_URL for a local Ollama). */
  baseUrlEnv: envName.optional(),
  /** Environment variable holding the provider's API key; omit for keyless local servers. */
  apiKeyEnv: envName.optional(),
  deployment: deploymentSchema.default('cloud'),
  /** Extra headers sent on every call; no credentials (use apiKeyEnv, or headersEnv). */
  headers: z
    .record(z.string(), z.string())
    .default({})
    .superRefine((headers, context) => {
      for (const [name, value] of Object.entries(headers)) {
        if (looksLikeCredentialHeader(name, value))
          context.addIssue({
            code: 'custom',
            path: [name],
            message: `looks like a credential: put it in an environment variable and name it under headersEnv (e.g. headersEnv: { ${name}: MY_PROVIDER_KEY }), or use apiKeyEnv for a bearer key`,
          });
      }
    }),
  /** Headers whose values are read from environment variables at start (e.g. `{ api-key: AZURE_OPENAI_KEY }`); the provider is skipped while one is unset. */
  headersEnv: z.record(z.string(), envName).default({}),
  /** Per-attempt timeout in ms, to the first byte for streams. @default 60000 */
  timeoutMs: z.number().int().positive().default(60_000),
  /** Retries after the first attempt, for retryable failures only. @default 2 */
  maxRetries: z.number().int().min(0).max(10).default(2),
  /** Longest wait between retries in ms, whatever `retry-after` says. @default 8000 */
  maxRetryDelayMs: z.number().int().min(0).default(8_000),
  /** Upstream takes `max_completion_tokens` (OpenAI) or `max_tokens` (most servers). @default max_tokens */
  maxTokensParameter: z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens'),
  /** Largest answer (not streamed) read from the provider, in bytes; a larger one is a 502. @default 33554432 (32 MiB) */
  maxResponseBytes: z
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
});

/**
 * A provider that answers from recorded model outputs (offline evaluation and demos): a JSONL/CSV
 * file of `prompt, answer`, or one side of RouteLLM's GSM8K recordings in ../shared/data.
 */
export const recordedProviderConfigSchema = z.strictObject({
  kind: z.literal('recorded'),
  /** A JSONL or CSV file with `prompt` and `answer` columns. */
  path: z.string().optional(),
  /** A recorded data set instead of a file. */
  dataset: z.enum(['routellm-gsm8k-weak', 'routellm-gsm8k-strong']).optional(),
  /** Folder holding the shared data sets. @default ../shared/data */
  dataRoot: z.string().optional(),
  deployment: deploymentSchema.default('on-prem'),
});

/** Why `pattern` is not a JavaScript regular expression (e.g. `/([/: Unterminated character class`), or undefined. */
export function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^Invalid regular expression: /, '');
  }
}

export const acceptRuleSchema = z.strictObject({
  /** Accept when the tier's confidence is at least this. */
  minConfidence: z.number().min(0).max(1).optional(),
  /** Accept at the specialist's calibrated threshold (from `rightsize calibrate`). */
  calibrated: z.boolean().optional(),
  /** Accept only answers that are one of the route's labels. */
  labels: z.boolean().optional(),
  /** Accept only answers matching this regular expression (JavaScript syntax); checked at load. */
  regex: z
    .string()
    .superRefine((pattern, context) => {
      const problem = regexProblem(pattern);
      if (problem) context.addIssue({ code: 'custom', message: `invalid regular expression: ${problem}` });
    })
    .optional(),
  /** Accept only answers that parse as JSON and match this JSON schema. */
  jsonSchema: z.record(z.string(), z.unknown()).optional(),
  /**
   * A cascade scorer (`rightsize router train --kind cascade`) that reads the prompt and this tier's
   * answer: accept when its score is at least `threshold` (default: the threshold stored with it).
   */
  scorer: z.strictObject({ name: z.string().min(1), threshold: z.number().min(0).max(1).optional() }).optional(),
});

export const tierConfigSchema = z.strictObject({
  /** A catalog model id, `specialist/<name>`, or `human`. */
  model: z.string().min(1),
  accept: acceptRuleSchema.optional(),
  /** Tier timeout in ms. */
  timeoutMs: z.number().int().positive().optional(),
});

export const routeConfigSchema = z
  .strictObject({
    description: z.string().optional(),
    /** Label set of a classification route; or take it from a specialist with `labelsFrom`. */
    labels: z
      .array(z.string().min(1, 'a label cannot be empty'))
      .min(1, 'list at least one label, or leave labels out')
      .optional(),
    labelsFrom: z.string().optional(),
    tiers: z.array(tierConfigSchema).min(1, 'a route needs at least one tier'),
  })
  .superRefine((route, context) => {
    // Mistakes that would load and then quietly never answer as meant.
    route.labels?.forEach((label, index) => {
      // Labels are matched without regard to case (see `matchLabel`): two that differ only so are one.
      const first = route.labels?.findIndex((other) => other.toLowerCase() === label.toLowerCase());
      if (first !== undefined && first < index)
        context.addIssue({
          code: 'custom',
          path: ['labels', index],
          message: `"${label}" repeats labels[${first}] ("${route.labels?.[first]}"); list each label once`,
        });
    });
    route.tiers.forEach((tier, index) => {
      if (tier.model === HUMAN_MODEL_ID && index < route.tiers.length - 1)
        context.addIssue({
          code: 'custom',
          path: ['tiers', index, 'model'],
          message: 'human must be the last tier: the tiers after it would never be reached',
        });
      if (tier.accept?.calibrated && !tier.model.startsWith('specialist/'))
        context.addIssue({
          code: 'custom',
          path: ['tiers', index, 'accept', 'calibrated'],
          message: `only specialist/NAME tiers have a calibrated threshold; for ${tier.model} use labels, regex, jsonSchema, scorer or minConfidence`,
        });
    });
    if (route.labels && route.labelsFrom)
      context.addIssue({
        code: 'custom',
        path: ['labelsFrom'],
        message: 'give labels or labelsFrom, not both',
      });
  });

/** A specialist trained at start when missing from the registry (see `providers/specialist/ensure-specialists.ts`). */
export const specialistTrainSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes'),
  /** A labelled CSV or JSONL file, relative to the working directory. */
  data: z.string(),
  textColumn: z.string().default('text'),
  labelColumn: z.string().default('label'),
  /** @default ensemble */
  arch: z.enum(['fasttext', 'encoder', 'ensemble']).optional(),
  /** Share of each label held out for calibration. @default 0.1 */
  validFraction: z.number().gt(0).max(0.5).optional(),
  seed: z.number().int().optional(),
  /** Accuracy on accepted answers the threshold is calibrated for, on the validation split. @default 0.98 */
  targetAccuracy: z.number().gt(0).lt(1).optional(),
  /** Confidence of that guarantee (one-sided Clopper-Pearson). @default 0.95 */
  confidence: z.number().gt(0).lt(1).optional(),
});

/**
 * A route whose specialist tiers are calibrated together at start, after training, on the validation
 * split they share (`rightsize calibrate --route NAME --split validation`): the thresholds are chosen
 * so that everything the specialist tiers accept, together, is right at least `targetAccuracy` of the
 * time with probability `confidence` (Learn-then-Test fixed-sequence testing with one-sided
 * Clopper-Pearson bounds; see `specialists/calibration/calibrate-cascade.ts`). Replaces the
 * thresholds each specialist got alone at training.
 */
export const routeCalibrationSchema = z.strictObject({
  /** A route of `routes`; its leading `specialist/NAME` tiers are calibrated, in order. */
  route: z.string().min(1),
  /** Accuracy required on what the specialist tiers accept together, e.g. 0.97. */
  targetAccuracy: z.number().gt(0).lt(1),
  /** Probability that the guarantee holds. @default 0.95 */
  confidence: z.number().gt(0).lt(1).default(0.95),
});

export const specialistsConfigSchema = z.strictObject({
  /** Folder holding trained specialists. */
  registry: z.string().default('.rightsize/specialists'),
  /** Specialists to train at start when missing from the registry. */
  train: z.array(specialistTrainSchema).default([]),
  /** Routes whose specialist tiers are calibrated together at start (they must share one `train` data file, fraction and seed). */
  calibrateRoutes: z.array(routeCalibrationSchema).default([]),
  /** Compute cost charged per specialist call, in USD. @default 0.000001 */
  costPerCallUsd: z.number().nonnegative().default(0.000001),
});

export const humanConfigSchema = z.strictObject({
  /** Cost of one human review, in USD. @default 5 */
  costPerItemUsd: z.number().nonnegative().default(5),
  /** How long a reviewer's claim holds an item before it is pending again, in seconds. @default 1800 */
  claimTimeoutSeconds: z.number().int().positive().default(1800),
});

export const configSchema = z.strictObject({
  server: serverConfigSchema.default(serverConfigSchema.parse({})),
  store: storeConfigSchema.default(storeConfigSchema.parse({})),
  providers: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9-_]*$/), z.union([recordedProviderConfigSchema, providerConfigSchema]))
    .default({}),
  /** Where cascade scorers (weak-to-strong routers) are kept. */
  routers: z.strictObject({ dir: z.string().default('.rightsize/routers') }).default({ dir: '.rightsize/routers' }),
  /** Models added to, or overriding by id, the built-in catalog. */
  models: z.array(modelEntrySchema).default([]),
  /** Model id -> models to try, in order, when it fails. */
  fallbacks: z.record(z.string(), z.array(z.string())).default({}),
  routes: z.record(z.string(), routeConfigSchema).default({}),
  specialists: specialistsConfigSchema.default(specialistsConfigSchema.parse({})),
  human: humanConfigSchema.default(humanConfigSchema.parse({})),
  /** Requirements of `model: "auto"` requests without `x-rightsize-*` headers: `defaults`, and per client key `keys`. */
  selection: selectionConfigSchema.optional(),
});

/**
 * A provider needs a base URL from `baseUrl` or `baseUrlEnv`; a model's fallbacks name neither the
 * model itself nor one model twice (they are tried once each, in order, one level deep).
 */
export const checkedConfigSchema = configSchema.superRefine((config, context) => {
  for (const [model, fallbacks] of Object.entries(config.fallbacks)) {
    fallbacks.forEach((fallback, index) => {
      if (fallback === model || fallbacks.indexOf(fallback) !== index) {
        context.addIssue({
          code: 'custom',
          path: ['fallbacks', model, index],
          message: `"${fallback}" is ${fallback === model ? 'the model itself' : 'already listed'}: name each other model once`,
        });
      }
    });
  }
  for (const [id, provider] of Object.entries(config.providers)) {
    if (provider.kind === 'recorded') {
      if (!provider.path === !provider.dataset) {
        context.addIssue({
          code: 'custom',
          path: ['providers', id, 'path'],
          message: 'a recorded provider takes exactly one of path (a JSONL/CSV file) or dataset',
        });
      }
      continue;
    }
    if (!provider.baseUrl && !provider.baseUrlEnv) {
      context.addIssue({
        code: 'custom',
        path: ['providers', id, 'baseUrl'],
        message: 'set baseUrl (e.g. http://127.0.0.1:11434/v1) or baseUrlEnv',
      });
    }
  }
});

/** The parsed, defaulted config. */
export type RightsizeConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
export type RecordedProviderConfig = z.infer<typeof recordedProviderConfigSchema>;
export type RouteConfig = z.infer<typeof routeConfigSchema>;
export type TierConfig = z.infer<typeof tierConfigSchema>;
export type AcceptRule = z.infer<typeof acceptRuleSchema>;
export type RouteCalibrationConfig = z.infer<typeof routeCalibrationSchema>;
