import {
  type FamilyMatcher,
  familyMatcherSchema,
  linesMatchTemplate,
  maskedLines,
  maskSlots,
  requestParts,
} from '../analysis/family-matcher.ts';
import type { Plan } from '../routing/plan.ts';
import type { PromotionRequest } from '../routing/resolve-plan.ts';
import type { Promotion, Store } from '../store/store.ts';

/** How often a running gateway re-reads the promotions, in ms. */
export const PROMOTION_POLL_MS = 1_000;

/** A promotion the gateway applies, with its matcher parsed. */
export interface LoadedPromotion {
  promotion: Promotion;
  matcher: FamilyMatcher;
}

/** The promotions a gateway applies, kept in step with the store. */
export interface PromotionRegistry {
  /**
   * Re-reads the promotions from the store now (the gateway also does it every `pollMs`); resolves
   * once they apply. Calls run one after another, never interleaved.
   */
  refresh(): Promise<void>;
  /** Shadow and active promotions now. */
  current(): readonly LoadedPromotion[];
  /**
   * The plan hook (`PlanSources.promote`): a single-model plan whose request belongs to a promoted
   * family becomes `[specialist (accept at the threshold, else never served) -> the model]` (active) or keeps its model
   * with the specialist as a shadow (shadow). Other plans are returned as they are.
   */
  promote(plan: Plan, request: PromotionRequest): Plan;
  /** Stops polling. */
  close(): void;
}

/**
 * Loads the promotions from the store and re-reads them every `pollMs`, so that `rightsize promote`
 * (and rollback) take effect in a running gateway within about a second, without a restart. With no
 * promotion, `promote` returns at once; with some, a request costs one mask of its system prompt and,
 * when that matches, one pass over its user lines.
 */
export async function createPromotionRegistry(options: {
  store: Store;
  /** @default PROMOTION_POLL_MS; 0: never poll (call `refresh`). */
  pollMs?: number;
  onError?: (error: unknown) => void;
  /**
   * Called by a refresh with the shadow and active promotions that are new or changed (specialist,
   * mode, threshold or time) since the last refresh, before they apply: the gateway (re)loads their
   * specialists here, so that a changed promotion is never served by a stale copy. The first refresh
   * reports every promotion. A rejection goes to `onError`; the promotions apply all the same.
   */
  onChange?: (changed: readonly LoadedPromotion[]) => Promise<void>;
}): Promise<PromotionRegistry> {
  let loaded: LoadedPromotion[] = [];
  let byTag = new Map<string, LoadedPromotion>();
  let bySystem = new Map<string, LoadedPromotion[]>();
  /** What each applied promotion was, by family, to tell a change. */
  let applied = new Map<string, string>();
  const stateOf = (promotion: Promotion) =>
    `${promotion.specialist}|${promotion.mode}|${promotion.threshold}|${promotion.updatedAt}`;

  // The poll and an explicit refresh (e.g. the promotion HTTP routes) may overlap: run them in turn.
  let queue: Promise<void> = Promise.resolve();
  function refresh(): Promise<void> {
    const run = queue.then(load, load);
    queue = run.catch(() => undefined);
    return run;
  }

  async function load(): Promise<void> {
    const next: LoadedPromotion[] = [];
    for (const promotion of await options.store.listPromotions()) {
      if (promotion.mode === 'rolled-back') continue;
      let matcher: FamilyMatcher;
      try {
        matcher = familyMatcherSchema.parse(JSON.parse(promotion.matcher));
      } catch (error) {
        options.onError?.(new Error(`promotion of ${promotion.familyId} has an unreadable matcher: ${String(error)}`));
        continue;
      }
      next.push({ promotion, matcher });
    }
    const tags = new Map<string, LoadedPromotion>();
    const systems = new Map<string, LoadedPromotion[]>();
    for (const entry of next) {
      if (entry.matcher.kind === 'tag') tags.set(entry.matcher.tag, entry);
      else if (entry.matcher.kind === 'template')
        systems.set(entry.matcher.system, [...(systems.get(entry.matcher.system) ?? []), entry]);
    }
    const changed = next.filter((entry) => applied.get(entry.promotion.familyId) !== stateOf(entry.promotion));
    if (changed.length > 0 && options.onChange) {
      try {
        await options.onChange(changed);
      } catch (error) {
        options.onError?.(error);
      }
    }
    loaded = next;
    byTag = tags;
    bySystem = systems;
    applied = new Map(next.map((entry) => [entry.promotion.familyId, stateOf(entry.promotion)]));
  }

  await refresh();
  const pollMs = options.pollMs ?? PROMOTION_POLL_MS;
  let polling = false;
  const timer =
    pollMs > 0
      ? setInterval(() => {
          if (polling) return;
          polling = true;
          refresh()
            .catch((error: unknown) => options.onError?.(error))
            .finally(() => {
              polling = false;
            });
        }, pollMs)
      : undefined;
  timer?.unref();

  function find(request: PromotionRequest): LoadedPromotion | undefined {
    // A tagged request belongs to its tag's family (as `analyze` groups it), never to a template's.
    if (request.tag !== null) return byTag.get(request.tag);
    if (bySystem.size === 0) return undefined;
    const parts = requestParts(request.messages, request.tag);
    const candidates = bySystem.get(maskSlots(parts.system));
    if (!candidates) return undefined;
    const lines = maskedLines(parts.user);
    return candidates.find(
      (entry) => entry.matcher.kind === 'template' && linesMatchTemplate(entry.matcher.lines, lines),
    );
  }

  return {
    refresh,
    current: () => loaded,
    promote(plan, request) {
      if (loaded.length === 0 || plan.kind !== 'model' || plan.tiers.length !== 1) return plan;
      const entry = find(request);
      if (!entry) return plan;
      const { promotion } = entry;
      const specialist = `specialist/${promotion.specialist}`;
      if (promotion.mode === 'shadow')
        return {
          ...plan,
          shadow: { model: specialist, familyId: promotion.familyId },
          reasons: [...plan.reasons, `family ${promotion.familyId}: ${specialist} in shadow`],
        };
      return {
        ...plan,
        tiers: [
          {
            model: specialist,
            fallbacks: [],
            // Below its threshold the specialist's answer never reaches the client: the model does, or its error.
            onlyIfAccepted: true,
            accept: promotion.threshold === null ? { calibrated: true } : { minConfidence: promotion.threshold },
          },
          ...plan.tiers,
        ],
        reasons: [
          ...plan.reasons,
          `family ${promotion.familyId}: ${specialist} first${promotion.threshold === null ? '' : ` (accept at ${promotion.threshold.toFixed(4)})`}`,
        ],
      };
    },
    close() {
      if (timer) clearInterval(timer);
    },
  };
}
