/**
 * Learned-text features: word n-grams hashed into a fixed number of buckets (the hashing trick),
 * so a model needs no vocabulary file. Text is lower-cased and every digit becomes `0`, so
 * `16 eggs` and `23 eggs` share features.
 */

/** A sparse feature vector: parallel arrays of bucket indices and values. */
export interface SparseVector {
  indices: number[];
  values: number[];
}

/** FNV-1a 32-bit hash of a string (Fowler-Noll-Vo, public domain). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Lower-cased word and punctuation tokens with digits mapped to `0`. */
export function tokenize(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/\d/g, '0')
      .match(/[a-z0]+|[^\sa-z0]/g) ?? []
  );
}

/** Options of {@link hashedNgrams}. */
export interface HashedNgramOptions {
  /** Longest n-gram. @default 2 */
  maxN?: number;
  /** Number of buckets. @default 2 ** 18 */
  buckets?: number;
  /** Prefix that keeps several texts (prompt, answer) apart in one space. @default '' */
  namespace?: string;
}

/**
 * Hashed word n-gram counts of a text, scaled to unit L2 norm so that long texts do not dominate.
 * Returned indices are unique.
 */
export function hashedNgrams(text: string, options: HashedNgramOptions = {}): SparseVector {
  const maxN = options.maxN ?? 2;
  const buckets = options.buckets ?? 2 ** 18;
  const namespace = options.namespace ?? '';
  const tokens = tokenize(text);
  const counts = new Map<number, number>();
  for (let n = 1; n <= maxN; n++) {
    for (let start = 0; start + n <= tokens.length; start++) {
      const gram = `${namespace}${n}:${tokens.slice(start, start + n).join(' ')}`;
      const bucket = fnv1a(gram) % buckets;
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
    }
  }
  let norm = 0;
  for (const count of counts.values()) norm += count * count;
  norm = Math.sqrt(norm) || 1;
  const indices: number[] = [];
  const values: number[] = [];
  for (const [bucket, count] of counts) {
    indices.push(bucket);
    values.push(count / norm);
  }
  return { indices, values };
}
