import { createHash } from 'node:crypto';
import { agnes } from 'ml-hclust';
import { type FamilyMatcher, familyId, maskSlots, SLOT } from './family-matcher.ts';
import type { FamilyGroup, FamilyMember, OutputShape } from './group-families.ts';

/** Options of {@link clusterFreeFormFamilies}. */
export interface ClusterFreeFormOptions {
  /** Sentence vectors of texts (the Universal Sentence Encoder lite in the CLI). */
  embed: (texts: readonly string[]) => Promise<Float32Array[]>;
  /** Cut the dendrogram where clusters are this far apart (average cosine distance). @default 0.75 */
  distance?: number;
  /** Only free-form groups with at least this many requests are clustered. @default 10 */
  minMembers?: number;
  /** At most this many requests of a group are clustered (AGNES is cubic); the rest keep the group's family. @default 500 */
  maxMembers?: number;
  /** Clusters smaller than this join the group's remainder family. @default 3 */
  minClusterSize?: number;
}

/** True for groups without a system prompt or any fixed wording: all their prompts are free text. */
export function isFreeForm(group: FamilyGroup): boolean {
  return (
    group.matcher.kind === 'template' &&
    group.matcher.system === '' &&
    group.matcher.lines.every((line) => line === SLOT)
  );
}

/**
 * Splits free-form families (no system prompt, no fixed wording) by what their prompts are about:
 * sentence vectors of each prompt, agglomerative clustering with average linkage on cosine distance
 * (ml-hclust's AGNES), cut at `distance`. A cluster family's id hashes its medoid prompt (masked),
 * so it is stable for the same traffic; its matcher is `cluster`, which the gateway cannot check
 * per request without an encoder, so such families are analysed and distilled but promoted by tag.
 */
export async function clusterFreeFormFamilies(
  groups: readonly FamilyGroup[],
  options: ClusterFreeFormOptions,
): Promise<FamilyGroup[]> {
  const distance = options.distance ?? 0.75;
  const minMembers = options.minMembers ?? 10;
  const maxMembers = options.maxMembers ?? 500;
  const minClusterSize = options.minClusterSize ?? 3;
  const result: FamilyGroup[] = [];
  for (const group of groups) {
    if (!isFreeForm(group) || group.members.length < minMembers) {
      result.push(group);
      continue;
    }
    const sample = group.members.slice(0, maxMembers);
    const vectors = (await options.embed(sample.map((member) => member.parts.user.slice(0, 2_000)))).map(normalise);
    const matrix = vectors.map((a) => vectors.map((b) => Math.max(0, 1 - dot(a, b))));
    const tree = agnes(matrix, { isDistanceMatrix: true, method: 'average' });
    const clusters = tree.cut(distance).map((cluster) => cluster.indices());
    const remainder: FamilyMember[] = group.members.slice(maxMembers);
    for (const indices of clusters) {
      const members = indices.map((index) => sample[index] as FamilyMember);
      if (members.length < minClusterSize) {
        remainder.push(...members);
        continue;
      }
      const medoid = members[medoidOf(indices, matrix, members)] as FamilyMember;
      const key = maskSlots(medoid.parts.user).slice(0, 500);
      const matcher: FamilyMatcher = {
        kind: 'cluster',
        medoid: createHash('sha256').update(key).digest('hex').slice(0, 16),
      };
      const shape = dominantShape(members);
      result.push({
        id: familyId(matcher, shape),
        matcher,
        shape,
        template: `[user] like "${key.slice(0, 100)}" (${members.length} similar free-form prompts)`,
        members,
      });
    }
    if (remainder.length > 0) result.push({ ...group, members: remainder });
  }
  return result.sort((a, b) => b.members.length - a.members.length);
}

/** The member nearest all others (ties: the smallest masked prompt, so the choice does not depend on order). */
function medoidOf(indices: readonly number[], matrix: readonly number[][], members: readonly FamilyMember[]): number {
  let best = 0;
  let bestSum = Number.POSITIVE_INFINITY;
  indices.forEach((index, position) => {
    let sum = 0;
    for (const other of indices) sum += matrix[index]?.[other] ?? 0;
    const tie = Math.abs(sum - bestSum) < 1e-9;
    if (
      (sum < bestSum && !tie) ||
      (tie && maskSlots(members[position]?.parts.user ?? '') < maskSlots(members[best]?.parts.user ?? ''))
    ) {
      bestSum = Math.min(sum, bestSum);
      best = position;
    }
  });
  return best;
}

function dominantShape(members: readonly FamilyMember[]): OutputShape {
  const labels = members.filter((member) => member.shape === 'label').length;
  return labels * 2 >= members.length ? 'label' : 'text';
}

function normalise(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  return vector.map((value) => value / norm);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += (a[index] ?? 0) * (b[index] ?? 0);
  return sum;
}
