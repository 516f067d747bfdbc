import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeForFastText } from '../fasttext/fasttext-classifier.ts';
import { specialistDirectory } from './specialist-paths.ts';

/**
 * A specialist's record of the texts it was trained on (not those its training held out): sorted,
 * unique 8-byte digests (the first 8 bytes of SHA-256 of the text as fastText reads it: lower case,
 * digits as 0, punctuation apart, single spaces), about 72 KB for 9,000 rows. It lets calibration
 * leave out rows the specialist learned from, whatever file they come in and however recased or
 * re-spaced.
 */
export const TRAINING_TEXTS_FILE = 'training-texts.bin';

const DIGEST_BYTES = 8;

/** The digest of one text, as hex (16 characters). */
export function trainingTextDigest(text: string): string {
  return createHash('sha256').update(normalizeForFastText(text)).digest().subarray(0, DIGEST_BYTES).toString('hex');
}

/** Writes the digests of `texts` into `<directory>/training-texts.bin`. */
export function writeTrainingTexts(directory: string, texts: readonly string[]): void {
  const digests = [...new Set(texts.map(trainingTextDigest))].sort();
  writeFileSync(join(directory, TRAINING_TEXTS_FILE), Buffer.from(digests.join(''), 'hex'));
}

/**
 * The digests a specialist folder records, or undefined when it has no record (trained before the
 * record existed) or the file is not a whole number of digests.
 */
export function readTrainingTexts(directory: string): ReadonlySet<string> | undefined {
  const path = join(directory, TRAINING_TEXTS_FILE);
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  if (bytes.length % DIGEST_BYTES !== 0) return undefined;
  const digests = new Set<string>();
  for (let offset = 0; offset < bytes.length; offset += DIGEST_BYTES)
    digests.add(bytes.subarray(offset, offset + DIGEST_BYTES).toString('hex'));
  return digests;
}

/**
 * Whether a text is one any of the named specialists of `registryDir` was trained on, by their
 * records; undefined when none of them has a record (trained before it existed), so that callers
 * skip the digests altogether.
 */
export function learnedBy(registryDir: string, names: readonly string[]): ((text: string) => boolean) | undefined {
  const records = names.flatMap((name) => {
    const record = readTrainingTexts(specialistDirectory(registryDir, name));
    return record === undefined ? [] : [record];
  });
  if (records.length === 0) return undefined;
  return (text) => {
    const digest = trainingTextDigest(text);
    return records.some((record) => record.has(digest));
  };
}
