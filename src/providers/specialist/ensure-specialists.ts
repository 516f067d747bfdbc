import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import type { specialistsConfigSchema } from '../../config/config-schema.ts';
import { readLabelledData } from '../../specialists/read-labelled-data.ts';
import { listSpecialists } from '../../specialists/registry/load-specialist.ts';
import type { SpecialistMetadata, TrainingProgress } from '../../specialists/specialist.ts';
import { trainSpecialist } from '../../specialists/training/train-specialist.ts';

/** The config's `specialists` section, parsed. */
export type SpecialistsConfig = z.infer<typeof specialistsConfigSchema>;

/** What {@link ensureSpecialists} did, per configured specialist. */
export interface EnsureSpecialistsResult {
  /** Trained now. */
  trained: SpecialistMetadata[];
  /** Already in the registry (left as they are). */
  present: string[];
  /** Not trained, with the reason and how to fix it (e.g. the data file is missing). */
  skipped: Array<{ name: string; reason: string }>;
}

/**
 * Trains every specialist of `specialists.train` that is missing from the registry, one after the
 * other, each in a worker thread (used at gateway start, and by `rightsize train --config`).
 * A missing data file does not throw: the specialist is skipped with a message saying how to
 * point `specialists.train[i].data` elsewhere, so that the gateway still starts.
 * @param options.baseDir folder that relative `registry` and `data` paths start from. @default process.cwd()
 * @throws RightsizeError `invalid_input` when a data file exists but is unusable (missing column...).
 */
export async function ensureSpecialists(
  config: SpecialistsConfig,
  options: {
    baseDir?: string;
    onProgress?: (name: string, progress: TrainingProgress) => void;
  } = {},
): Promise<EnsureSpecialistsResult> {
  const baseDir = options.baseDir ?? process.cwd();
  const registryDir = resolve(baseDir, config.registry);
  const present = new Set(listSpecialists(registryDir).map((entry) => entry.name));
  const result: EnsureSpecialistsResult = { trained: [], present: [], skipped: [] };
  for (const [index, entry] of config.train.entries()) {
    if (present.has(entry.name)) {
      result.present.push(entry.name);
      continue;
    }
    const dataPath = resolve(baseDir, entry.data);
    if (!existsSync(dataPath)) {
      result.skipped.push({
        name: entry.name,
        reason:
          `training data ${entry.data} not found (looked in ${dataPath}): point specialists.train[${index}].data ` +
          `at a labelled CSV or JSONL file (columns ${entry.textColumn}, ${entry.labelColumn}), ` +
          `or train it by hand with \`rightsize train --data FILE --name ${entry.name}\``,
      });
      continue;
    }
    const data = readLabelledData({ path: dataPath, textColumn: entry.textColumn, labelColumn: entry.labelColumn });
    const metadata = await trainSpecialist({
      rows: data.rows,
      name: entry.name,
      arch: entry.arch,
      validFraction: entry.validFraction,
      seed: entry.seed,
      targetAccuracy: entry.targetAccuracy,
      confidence: entry.confidence,
      registryDir,
      dataPath: entry.data,
      onProgress: (progress) => options.onProgress?.(entry.name, progress),
    });
    result.trained.push(metadata);
  }
  return result;
}
