import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { NewReviewItem, ReviewItem, ReviewQuery, ReviewResolution, Store } from '../store/store.ts';

/** Event name that wakes every waiter at shutdown (item ids start with `rv_`, so it cannot clash). */
const STOP = 'stop';

/**
 * The human review queue over the store. Items are durable (they live in the store); waiting for a
 * decision is woken at once by resolutions made through this process, and polls the store for
 * those made elsewhere (another gateway, the CLI).
 */
export class ReviewQueue {
  readonly #store: Store;
  readonly #events = new EventEmitter();
  readonly #pollMs: number;
  #stopped = false;

  /** @param pollMs how often a waiting request re-reads the store, in ms. @default 250 */
  constructor(store: Store, pollMs = 250) {
    this.#store = store;
    this.#pollMs = pollMs;
    this.#events.setMaxListeners(0);
  }

  enqueue(item: Omit<NewReviewItem, 'id'>): Promise<ReviewItem> {
    return this.#store.createReviewItem({ ...item, id: `rv_${randomUUID().replaceAll('-', '')}` });
  }

  list(query: ReviewQuery = {}): Promise<ReviewItem[]> {
    return this.#store.listReviewItems(query);
  }

  get(id: string): Promise<ReviewItem | undefined> {
    return this.#store.getReviewItem(id);
  }

  claim(id: string, reviewer: string): Promise<ReviewItem> {
    return this.#store.claimReviewItem(id, reviewer);
  }

  /** Records a decision (see `Store.resolveReviewItem`) and wakes the requests waiting for it. */
  async resolve(id: string, resolution: ReviewResolution): Promise<ReviewItem> {
    const item = await this.#store.resolveReviewItem(id, resolution);
    this.#events.emit(id, item);
    return item;
  }

  /**
   * Wakes every request waiting for a decision and stops later waits, so a shutdown answers them
   * (as pending) instead of holding them. Items stay in the store.
   */
  stopWaiting(): void {
    this.#stopped = true;
    this.#events.emit(STOP);
  }

  /** The item once resolved, or as it stands after `waitMs` (or when `signal` aborts, or on shutdown). */
  async waitForDecision(id: string, waitMs: number, signal?: AbortSignal): Promise<ReviewItem | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const item = await this.#store.getReviewItem(id);
      if (!item || item.status === 'resolved' || Date.now() >= deadline || signal?.aborted || this.#stopped)
        return item;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#events.off(id, done);
          this.#events.off(STOP, done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(this.#pollMs, Math.max(0, deadline - Date.now())));
        this.#events.on(id, done);
        this.#events.on(STOP, done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }
}
