import { BUILTIN_MODELS } from './builtin/builtin-models.ts';
import { type ModelEntry, type ModelEntryInput, modelEntrySchema } from './catalog.ts';

/** A read-only view of the models Rightsize can route to. */
export interface Catalog {
  get(id: string): ModelEntry | undefined;
  list(): readonly ModelEntry[];
}

/**
 * Builds the catalog: the built-in models, then `overrides` (from the config), which replace
 * built-in entries with the same `id`.
 */
export function createCatalog(
  overrides: readonly ModelEntryInput[] = [],
  builtin: readonly ModelEntryInput[] = BUILTIN_MODELS,
): Catalog {
  const byId = new Map<string, ModelEntry>();
  for (const entry of [...builtin, ...overrides]) {
    const parsed = modelEntrySchema.parse(entry);
    byId.set(parsed.id, Object.freeze(parsed));
  }
  const list = Object.freeze([...byId.values()]);
  return { get: (id) => byId.get(id), list: () => list };
}
