import type { Store } from '../store/store.ts';
import { type AnalysisReport, type AnalyzeOptions, analyzeLog } from './analyze-log.ts';
import { DEFAULT_DISTILLATION_DIR, readDistillations } from './distillation-record.ts';
import { findFamilies } from './find-families.ts';

/** Options of {@link analyzeStore}. */
export interface AnalyzeStoreOptions extends Omit<AnalyzeOptions, 'promotions' | 'distillations'> {
  /** Only rows at most this old, in ms. @default all */
  sinceMs?: number;
  /** Folder of distillation records. @default .rightsize/distillations */
  distillationDir?: string;
  /** The time `sinceMs` counts back from (epoch ms). @default Date.now() */
  now?: number;
  /** Split free-form families by meaning with the sentence encoder (`findFamilies`). @default true */
  cluster?: boolean;
  /** Sentence vectors for the clustering. @default the Universal Sentence Encoder lite */
  embed?: (texts: readonly string[]) => Promise<Float32Array[]>;
}

/**
 * Reads the request log (and the promotions and distillations) and analyses it (see `analyzeLog`).
 * With `sinceMs` and no `periodMs`, the period is the `sinceMs` window.
 */
export async function analyzeStore(store: Store, options: AnalyzeStoreOptions = {}): Promise<AnalysisReport> {
  const { sinceMs, distillationDir, now, cluster, embed, ...rest } = options;
  const since = sinceMs === undefined ? undefined : (now ?? Date.now()) - sinceMs;
  const [records, promotions] = await Promise.all([
    store.queryRequestLogs(since === undefined ? {} : { since }),
    store.listPromotions(),
  ]);
  const groups = await findFamilies(records, {
    ...rest,
    ...(cluster === undefined ? {} : { cluster }),
    ...(embed ? { embed } : {}),
  });
  return analyzeLog(records, {
    ...rest,
    groups,
    ...(rest.periodMs === undefined && sinceMs !== undefined ? { periodMs: sinceMs } : {}),
    promotions,
    distillations: readDistillations(distillationDir ?? DEFAULT_DISTILLATION_DIR),
  });
}
