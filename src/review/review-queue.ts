import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { NewReviewItem, ReviewItem, ReviewQuery, Store } from '../store/store.ts';

/**
 * The human review queue over the store. Items are durable (they live in the store); waiting for a
 * decision is woken at once by resolutions made through this process, and polls the store for
 * those made elsewhere (another gateway, the CLI).
 */
export class ReviewQueue {
  readonly #store: Store;
  readonly #events = new EventEmitter();
  readonly #pollMs: number;

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

  async resolve(id: string, resolution: { reviewer: string; decision: string }): Promise<ReviewItem> {
    const item = await this.#store.resolveReviewItem(id, resolution);
    this.#events.emit(id, item);
    return item;
  }

  /** The item once resolved, or as it stands after `waitMs` (or when `signal` aborts). */
  async waitForDecision(id: string, waitMs: number, signal?: AbortSignal): Promise<ReviewItem | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const item = await this.#store.getReviewItem(id);
      if (!item || item.status === 'resolved' || Date.now() >= deadline || signal?.aborted) return item;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#events.off(id, done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(this.#pollMs, Math.max(0, deadline - Date.now())));
        this.#events.on(id, done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }
}
