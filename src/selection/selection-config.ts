import { z } from 'zod';
import { deploymentTargetSchema } from './selection.ts';

/**
 * Requirements of `model: "auto"` requests when the client sends no `x-rightsize-*` header: the
 * config's `selection.defaults`, overridden per client key by `selection.keys.<key id>`.
 */
export const autoRequirementsSchema = z.strictObject({
  /** Latency budget per request, in ms. */
  maxLatencyMs: z.number().positive().optional(),
  /** Accuracy floor in [0, 1] (measured where the catalog has the task family, else estimated). */
  minAccuracy: z.number().min(0).max(1).optional(),
  /** Cost ceiling per request, in USD. */
  maxCostUsd: z.number().nonnegative().optional(),
  /** Where the data may go. A request header may make this stricter, never looser. @default cloud */
  deployment: deploymentTargetSchema.optional(),
  /** `repetitive` or `varied` (step 1 of the matrix). @default varied */
  task: z.enum(['repetitive', 'varied']).optional(),
  domainSpecific: z.boolean().optional(),
  highStakes: z.boolean().optional(),
  /** Task family, for measured quality and trained specialists (e.g. `banking77`). */
  taskFamily: z.string().min(1).optional(),
});
export type AutoRequirements = z.infer<typeof autoRequirementsSchema>;

/** The config's optional `selection` section. */
export const selectionConfigSchema = z.strictObject({
  /** Requirements of every `auto` request. */
  defaults: autoRequirementsSchema.default({}),
  /** Per client key id (`server.apiKeys[].id`): replaces `defaults` field by field. */
  keys: z.record(z.string(), autoRequirementsSchema).default({}),
});
export type SelectionConfig = z.infer<typeof selectionConfigSchema>;

/** The requirements for a client key: `defaults`, then the key's own entries on top. */
export function requirementsForKey(
  config: SelectionConfig | undefined,
  keyId: string | null | undefined,
): AutoRequirements {
  if (!config) return {};
  const own = keyId ? config.keys[keyId] : undefined;
  return own ? { ...config.defaults, ...own } : config.defaults;
}
