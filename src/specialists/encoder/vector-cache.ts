import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeFolder } from '../../internal/make-folder.ts';

/** Bytes of a record's key: the first 16 bytes of the SHA-256 of the text. */
const KEY_BYTES = 16;

/**
 * An append-only disk cache of sentence vectors keyed by the SHA-256 of the text: one file of
 * fixed-size records (16-byte key, then `dimension` float32 values). Appends are single `write`
 * calls, so concurrent writers interleave whole records; a torn last record is ignored on load.
 */
export class VectorCache {
  readonly path: string;
  readonly dimension: number;
  private readonly vectors = new Map<string, Float32Array>();

  constructor(options: { path: string; dimension: number }) {
    this.path = options.path;
    this.dimension = options.dimension;
    if (existsSync(this.path)) this.load();
  }

  /** The cache key of a text (hex of the first 16 bytes of its SHA-256). */
  static key(text: string): string {
    return createHash('sha256')
      .update(text)
      .digest('hex')
      .slice(0, KEY_BYTES * 2);
  }

  get size(): number {
    return this.vectors.size;
  }

  get(text: string): Float32Array | undefined {
    return this.vectors.get(VectorCache.key(text));
  }

  /** Adds vectors and appends them to the file in one write. */
  addAll(entries: ReadonlyArray<{ text: string; vector: Float32Array }>): void {
    const fresh = entries.filter((entry) => !this.vectors.has(VectorCache.key(entry.text)));
    if (fresh.length === 0) return;
    const recordBytes = KEY_BYTES + this.dimension * 4;
    const buffer = Buffer.alloc(recordBytes * fresh.length);
    fresh.forEach((entry, index) => {
      const key = VectorCache.key(entry.text);
      const offset = index * recordBytes;
      buffer.write(key, offset, 'hex');
      Buffer.from(entry.vector.buffer, entry.vector.byteOffset, this.dimension * 4).copy(buffer, offset + KEY_BYTES);
      this.vectors.set(key, entry.vector);
    });
    makeFolder(dirname(this.path));
    appendFileSync(this.path, buffer);
  }

  private load(): void {
    const bytes = readFileSync(this.path);
    const recordBytes = KEY_BYTES + this.dimension * 4;
    const records = Math.floor(bytes.length / recordBytes);
    for (let index = 0; index < records; index++) {
      const offset = index * recordBytes;
      const key = bytes.toString('hex', offset, offset + KEY_BYTES);
      const vector = new Float32Array(this.dimension);
      Buffer.from(vector.buffer).set(bytes.subarray(offset + KEY_BYTES, offset + recordBytes));
      this.vectors.set(key, vector);
    }
  }
}
