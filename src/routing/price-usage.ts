import type { Prices } from '../catalog/catalog.ts';
import type { TokenUsage } from '../providers/chat-completion.ts';

/**
 * Cost of one call in USD: uncached input x input price + cached input x cached price (the input
 * price when no cached price is listed) + output x output price, prices per 1M tokens, plus
 * `perCallUsd`. Returns null when the model has no price: unpriced is logged as such, never as $0.
 */
export function priceUsage(prices: Prices | undefined, usage: TokenUsage | undefined): number | null {
  if (!prices) return null;
  const perCall = prices.perCallUsd ?? 0;
  const hasTokenPrices = prices.inputPerMillionUsd !== undefined || prices.outputPerMillionUsd !== undefined;
  if (!hasTokenPrices) return prices.perCallUsd === undefined ? null : perCall;
  if (!usage) return null;
  const inputPrice = prices.inputPerMillionUsd ?? 0;
  const cachedPrice = prices.cachedInputPerMillionUsd ?? inputPrice;
  const uncached = Math.max(0, usage.inputTokens - usage.cachedInputTokens);
  const tokens =
    uncached * inputPrice +
    usage.cachedInputTokens * cachedPrice +
    usage.outputTokens * (prices.outputPerMillionUsd ?? 0);
  return tokens / 1_000_000 + perCall;
}

/** Sum of costs; null when any part is unpriced. */
export function addCosts(costs: ReadonlyArray<number | null>): number | null {
  let total = 0;
  for (const cost of costs) {
    if (cost === null) return null;
    total += cost;
  }
  return total;
}
