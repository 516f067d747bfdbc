import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ClaimLapse, NewReviewItem, ReviewItem, ReviewQuery, ReviewResolution, Store } from '../store/store.ts';

/** Event name that wakes every waiter at shutdown (item ids start with `rv_`, so it cannot clash). */
const STOP = 'stop';

/**
 * The human review queue over the store. Items are durable (they live in the store); waiting for a
 * decision is woken at once by resolutions made through this process, and polls the store for
 * those made elsewhere (another gateway, the CLI). A claim lapses after `claimTimeoutMs`: the item is
 * pending again, for anyone to claim or resolve (a reviewer who went away holds nothing for ever).
 */
export class ReviewQueue {
  readonly #store: Store;
  readonly #events = new EventEmitter();
  readonly #pollMs: number;
  readonly #claimTimeoutMs: number;
  #stopped = false;

  /**
   * @param options.pollMs how often a waiting request re-reads the store, in ms. @default 250
   * @param options.claimTimeoutMs how long a claim holds an item, in ms (`human.claimTimeoutSeconds`).
   *   @default 1,800,000 (30 minutes)
   */
  constructor(store: Store, options: { pollMs?: number; claimTimeoutMs?: number } = {}) {
    this.#store = store;
    this.#pollMs = options.pollMs ?? 250;
    this.#claimTimeoutMs = options.claimTimeoutMs ?? 30 * 60_000;
    this.#events.setMaxListeners(0);
  }

  /** Claims made before now less the claim timeout have lapsed. */
  #lapse(): ClaimLapse {
    return { claimsLapseBefore: Date.now() - this.#claimTimeoutMs };
  }

  enqueue(item: Omit<NewReviewItem, 'id'>): Promise<ReviewItem> {
    return this.#store.createReviewItem({ ...item, id: `rv_${randomUUID().replaceAll('-', '')}` });
  }

  list(query: ReviewQuery = {}): Promise<ReviewItem[]> {
    return this.#store.listReviewItems({ ...query, ...this.#lapse() });
  }

  get(id: string): Promise<ReviewItem | undefined> {
    return this.#store.getReviewItem(id, this.#lapse());
  }

  claim(id: string, reviewer: string): Promise<ReviewItem> {
    return this.#store.claimReviewItem(id, reviewer, this.#lapse());
  }

  /** Gives a claimed item back to the queue (see `Store.releaseReviewItem`). */
  release(id: string, reviewer: string): Promise<ReviewItem> {
    return this.#store.releaseReviewItem(id, reviewer, this.#lapse());
  }

  /** Records a decision (see `Store.resolveReviewItem`) and wakes the requests waiting for it. */
  async resolve(id: string, resolution: ReviewResolution): Promise<ReviewItem> {
    const item = await this.#store.resolveReviewItem(id, resolution, this.#lapse());
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
