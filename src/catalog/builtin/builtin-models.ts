import type { ModelEntryInput } from '../catalog.ts';

/**
 * The built-in catalog: public models with their list prices (USD per 1M tokens) and context
 * windows, each with its source and date. Users add or override entries in the config.
 */
export const BUILTIN_MODELS: readonly ModelEntryInput[] = [];
