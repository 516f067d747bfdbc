/**
 * List prices of RouteLLM's routed pair, in USD per 1M tokens, as published when RouteLLM's data was
 * recorded (early 2024).
 *
 * - `mistralai/Mixtral-8x7B-Instruct-v0.1`: $0.60 per 1M tokens, input and output alike: Together AI
 *   pricing page (together.ai/pricing, "Mixtral-8x7B Instruct", December 2023 to mid 2024; Anyscale
 *   Endpoints charged $0.50 at the time).
 * - `gpt-4-1106-preview` (GPT-4 Turbo): $10.00 per 1M input tokens, $30.00 per 1M output tokens:
 *   OpenAI, "New models and developer products announced at DevDay" (openai.com/blog, 6 November
 *   2023) and openai.com/pricing (November 2023).
 */
export interface TokenPrice {
  /** USD per 1M input tokens. */
  inputUsdPerMillion: number;
  /** USD per 1M output tokens. */
  outputUsdPerMillion: number;
  /** Where the figure comes from. */
  source: string;
}

export const ROUTELLM_PRICES: Readonly<{ weak: TokenPrice; strong: TokenPrice }> = Object.freeze({
  weak: {
    inputUsdPerMillion: 0.6,
    outputUsdPerMillion: 0.6,
    source: 'Together AI pricing, Mixtral-8x7B Instruct, Dec 2023 - mid 2024',
  },
  strong: {
    inputUsdPerMillion: 10,
    outputUsdPerMillion: 30,
    source: 'OpenAI pricing, gpt-4-1106-preview, Nov 2023 (DevDay)',
  },
});

/** Cost in USD of one call with the given token counts. */
export function callCostUsd(price: TokenPrice, inputTokens: number, outputTokens: number): number {
  return (inputTokens * price.inputUsdPerMillion + outputTokens * price.outputUsdPerMillion) / 1e6;
}
