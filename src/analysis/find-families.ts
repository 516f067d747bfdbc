import type { RequestLogRecord } from '../store/store.ts';
import { type ClusterFreeFormOptions, clusterFreeFormFamilies, isFreeForm } from './cluster-free-form.ts';
import { type FamilyGroup, type GroupFamiliesOptions, groupFamilies } from './group-families.ts';

/** Options of {@link findFamilies}. */
export interface FindFamiliesOptions extends GroupFamiliesOptions, Partial<ClusterFreeFormOptions> {
  /** Split free-form families by meaning with the sentence encoder. @default true */
  cluster?: boolean;
}

/**
 * Task families of log rows: templates and tags (`groupFamilies`), then free-form families split by
 * meaning (`clusterFreeFormFamilies`, with the Universal Sentence Encoder lite unless `embed` is given).
 */
export async function findFamilies(
  records: readonly RequestLogRecord[],
  options: FindFamiliesOptions = {},
): Promise<FamilyGroup[]> {
  const groups = groupFamilies(records, options);
  if (options.cluster === false || !groups.some(isFreeForm)) return groups;
  const embed =
    options.embed ??
    (async (texts: readonly string[]) =>
      (await import('../specialists/encoder/sentence-encoder.ts')).embedTexts(texts));
  return clusterFreeFormFamilies(groups, { ...options, embed });
}

/**
 * The family of an id: looked up among templates and tags first, and only when it is not there
 * among the clustered free-form families (which needs the sentence encoder).
 */
export async function findFamily(
  records: readonly RequestLogRecord[],
  familyId: string,
  options: FindFamiliesOptions = {},
): Promise<FamilyGroup | undefined> {
  const direct = groupFamilies(records, options).find((group) => group.id === familyId);
  if (direct || options.cluster === false) return direct;
  return (await findFamilies(records, options)).find((group) => group.id === familyId);
}
