import type { Catalog } from '../catalog/create-catalog.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';

/**
 * The task families `catalog` knows, sorted: those it has measured quality for (`quality` keys) and
 * those its trained specialists serve (`taskFamilies`).
 */
export function knownTaskFamilies(catalog: Catalog): string[] {
  const families = new Set<string>();
  for (const entry of catalog.list()) {
    for (const family of Object.keys(entry.quality ?? {})) families.add(family);
    for (const family of entry.taskFamilies ?? []) families.add(family);
  }
  return [...families].sort();
}

/**
 * The catalog's spelling of the task family `name`: itself when known, the one known family that
 * matches it ignoring case (`Banking77` -> `banking77`), else an error. An unknown family would be
 * silently ignored by the selection (accuracy falls back to estimates), so it is refused.
 * @param option how the user gave it, for the message (`--task-family`).
 * @throws RightsizeError `invalid_input` naming the known families, when none matches.
 */
export function resolveTaskFamily(catalog: Catalog, name: string, option = '--task-family'): string {
  const known = knownTaskFamilies(catalog);
  if (known.includes(name)) return name;
  const folded = known.filter((family) => family.toLowerCase() === name.toLowerCase());
  if (folded.length === 1) return folded[0] as string;
  throw new RightsizeError(
    'invalid_input',
    folded.length > 1
      ? `${option} ${name} matches ${folded.join(' and ')} but for case: pass one of them as spelled`
      : `${option} ${name}: the catalog has no measurements for that task family (known: ${known.join(', ') || 'none'}); pass one of those, add the family's figures to a model's quality in the config, or leave ${option} out to rank on estimated accuracy`,
  );
}
