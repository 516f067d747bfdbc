import type { RequestLogRecord, Store } from './store.ts';

export interface RequestLogWriterOptions {
  store: Store;
  /** Rows per write. @default 256 */
  batchSize?: number;
  /** Longest a row waits before it is written, in ms. @default 250 */
  flushIntervalMs?: number;
  /** Called when a write fails; the rows are kept and tried again with the next batch. */
  onError?: (error: unknown) => void;
}

/**
 * Writes request log rows off the hot path: `append` only queues; rows are written in batches when
 * `batchSize` is reached or `flushIntervalMs` passes. `close` writes everything still queued, so a
 * graceful shutdown loses no accepted request.
 */
export class RequestLogWriter {
  readonly #store: Store;
  readonly #batchSize: number;
  readonly #flushIntervalMs: number;
  readonly #onError: (error: unknown) => void;
  #queue: RequestLogRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: RequestLogWriterOptions) {
    this.#store = options.store;
    this.#batchSize = options.batchSize ?? 256;
    this.#flushIntervalMs = options.flushIntervalMs ?? 250;
    this.#onError = options.onError ?? (() => {});
  }

  /** Rows queued and not yet written. */
  get pending(): number {
    return this.#queue.length;
  }

  append(record: RequestLogRecord): void {
    this.#queue.push(record);
    if (this.#queue.length >= this.#batchSize) {
      void this.flush();
    } else if (this.#timer === undefined && !this.#closed) {
      this.#timer = setTimeout(() => void this.flush(), this.#flushIntervalMs);
      this.#timer.unref();
    }
  }

  /** Writes every queued row; resolves when they are in the store (or the write failed and was reported). */
  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#writing = this.#writing.then(async () => {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#batchSize);
        try {
          await this.#store.insertRequestLogs(batch);
        } catch (error) {
          // Keep the rows for the next attempt rather than dropping what was accepted.
          this.#queue.unshift(...batch);
          this.#onError(error);
          return;
        }
      }
    });
    return this.#writing;
  }

  /** Flushes and stops the timer; later appends are still written by the next `flush`. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }
}
