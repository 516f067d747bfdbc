import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { makeFolder } from '../internal/make-folder.ts';

/**
 * What `rightsize distill` measured for a family, kept as `<dir>/<familyId>.json` (default
 * `.rightsize/distillations/`) so that `analyze` and `promote` can use the measured figures.
 */
export const distillationRecordSchema = z.object({
  familyId: z.string(),
  specialist: z.string(),
  /** Training rows from the log, of which `reviewedRows` took a reviewer's decision as their label. */
  trainRows: z.number().int(),
  reviewedRows: z.number().int(),
  /** Held-out logged requests the agreement and the threshold were measured on. */
  heldOutRows: z.number().int(),
  /** Share of held-out requests where the specialist's top label equals the large model's answer. */
  agreement: z.number(),
  targetAccuracy: z.number(),
  /** The calibrated threshold (undefined: no threshold reaches the target). */
  threshold: z.number().optional(),
  /** Share of held-out requests the specialist settles at the threshold. */
  coverage: z.number(),
  /** Agreement on the settled held-out requests, and its Clopper-Pearson lower bound. */
  selectiveAccuracy: z.number(),
  accuracyLowerBound: z.number(),
  /** Projected saving at the observed rate, in USD per 30-day month, and per request. */
  monthlySavingUsd: z.number(),
  savingPerRequestUsd: z.number(),
  costPerRequestUsd: z.number(),
  requestsPerMonth: z.number(),
  /** ISO 8601. */
  createdAt: z.string(),
});
export type DistillationRecord = z.infer<typeof distillationRecordSchema>;

/** The default folder of distillation records, beside the store's default file. */
export const DEFAULT_DISTILLATION_DIR = '.rightsize/distillations';

/** Writes a family's distillation record (replacing an older one). */
export function saveDistillation(dir: string, record: DistillationRecord): string {
  makeFolder(dir);
  const path = join(dir, `${record.familyId}.json`);
  writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
  return path;
}

/** Every readable distillation record in `dir`, by family id; unreadable files are skipped. */
export function readDistillations(dir: string): Map<string, DistillationRecord> {
  const records = new Map<string, DistillationRecord>();
  if (!existsSync(dir)) return records;
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.json')) continue;
    try {
      const parsed = distillationRecordSchema.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
      if (parsed.success) records.set(parsed.data.familyId, parsed.data);
    } catch {
      // A half-written or foreign file is not a distillation.
    }
  }
  return records;
}
