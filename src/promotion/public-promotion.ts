import type { Promotion } from '../store/store.ts';
import type { PromoteFamilyResult } from './promote-family.ts';

/** A promotion as the HTTP API and `promote --json` show it: its family matcher as an object rather than the store's JSON text. */
export function publicPromotion(promotion: Promotion): Omit<Promotion, 'matcher'> & { matcher: unknown } {
  let matcher: unknown;
  try {
    matcher = JSON.parse(promotion.matcher);
  } catch {
    matcher = promotion.matcher;
  }
  return { ...promotion, matcher };
}

/** A {@link PromoteFamilyResult} with its promotions shown by {@link publicPromotion}. */
export function publicPromoteResult(result: PromoteFamilyResult) {
  return {
    ...result,
    promotion: publicPromotion(result.promotion),
    previous: result.previous && publicPromotion(result.previous),
  };
}
