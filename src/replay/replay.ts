/**
 * The replay contract: what one replayed request came to (`ReplayOutcome`, read from the
 * gateway's `x-rightsize-*` headers and the client's clock) and the scenario table made from all
 * of them (`ReplaySummary`). Costs in USD, latencies in ms, shares and accuracies in [0, 1].
 */
import type { Prices } from '../catalog/catalog.ts';

/** Token counts of one request as the all-LLM baseline would be billed for it. */
export interface BaselineTokens {
  /** The message, with OpenAI's chat overhead (see `routing/count-tokens.ts`). */
  input: number;
  /** The gold label (or, unlabelled, the answer the gateway gave). */
  output: number;
}

/** A request the gateway answered. */
export interface ReplayAnswer {
  kind: 'answer';
  label?: string;
  /** The answer's text. */
  answer: string | null;
  /** `x-rightsize-tier`: zero-based index of the tier that answered. */
  tier: number;
  /** `x-rightsize-model`: the model that answered. */
  model: string;
  /** `x-rightsize-cost-usd`, over every tier tried; null when `unpriced`. */
  costUsd: number | null;
  /** Client-measured, request sent to answer parsed. */
  latencyMs: number;
  /** `x-rightsize-review-status`, when the human tier took the request. */
  review: 'pending' | 'resolved' | null;
  /** `x-rightsize-review-id`, when the human tier took the request; else null. */
  reviewId: string | null;
  /**
   * A pending item's decision, when a reviewer resolved it by the end of the replay (read back
   * with `GET /v1/rightsize/review/{id}`); else null. The answer itself stays pending in the table.
   */
  resolvedLater: string | null;
  /** `x-rightsize-accepted`: false when the route had no acceptable answer; null when absent. */
  accepted: boolean | null;
  /** `x-rightsize-skipped`: tiers passed over because they are not configured. */
  skipped: string[];
  baselineTokens: BaselineTokens;
}

/** A request that failed (an HTTP error or no answer at all). */
export interface ReplayFailure {
  kind: 'error';
  label?: string;
  /** HTTP status, or null when the gateway could not be reached. */
  status: number | null;
  /** The error's message, for the table's error list. */
  message: string;
  latencyMs: number;
  baselineTokens: BaselineTokens;
}

export type ReplayOutcome = ReplayAnswer | ReplayFailure;

/** How the all-LLM baseline is priced: a catalog model with per-1M-token prices, or why it cannot be. */
export type ReplayBaseline =
  | {
      model: string;
      /** The catalog's prices (USD per 1M tokens). */
      prices: Prices;
    }
  | { model: string | null; unavailable: string };

/** Figures over a set of answered requests. */
export interface ReplayGroupSummary {
  requests: number;
  /** Of every replayed request, errors included. */
  share: number;
  /** Requests with a known label whose answer is final (not pending review). */
  judged: number;
  correct: number;
  /** correct / judged; null when nothing could be judged. */
  accuracy: number | null;
  /** Requests waiting for a person; neither right nor wrong. */
  pending: number;
  /** Answers the route's acceptance rules refused (the best it had). */
  notAccepted: number;
  /** Mean of the priced requests' costs; null when none is priced. */
  costPerRequestUsd: number | null;
  /** Sum of the priced requests' costs. */
  totalCostUsd: number;
  /** Requests whose cost is `unpriced`. */
  unpriced: number;
  /** Median client latency (linear interpolation between the middle two). */
  p50LatencyMs: number | null;
}

/** One row of the table: the requests one model settled at one tier. */
export interface ReplayTierSummary extends ReplayGroupSummary {
  tier: number;
  model: string;
  human: boolean;
}

export interface ReplayErrorSummary {
  requests: number;
  share: number;
  /** Distinct messages (with the status), most frequent first. */
  messages: Array<{ message: string; count: number }>;
}

/** The table as if every answered request had gone to the route's large model. */
export interface ReplayBaselineSummary {
  model: string | null;
  /** Why there is no baseline, when there is none. */
  unavailable?: string;
  /** Answered requests priced. */
  requests: number;
  perRequestUsd: number | null;
  totalUsd: number | null;
  /** What Rightsize cost for the same requests. */
  rightsizeTotalUsd: number | null;
  /** (baseline - Rightsize) / baseline x 100; negative when Rightsize cost more; null when unknown. */
  savingPercent: number | null;
  /** The same comparison on the requests the automated (non-human) tiers settled. */
  automated: {
    requests: number;
    baselineTotalUsd: number;
    rightsizeTotalUsd: number;
    savingPercent: number | null;
  } | null;
}

export interface ReplaySummary {
  route: string;
  requests: number;
  tiers: ReplayTierSummary[];
  /** Every tier but the human one, when a person took some requests. */
  automated: ReplayGroupSummary | null;
  errors: ReplayErrorSummary;
  /** Every answered request. */
  total: ReplayGroupSummary;
  /** Tiers skipped because not configured, with how many requests passed over them. */
  skipped: Array<{ model: string; requests: number }>;
  /**
   * Requests answered as pending whose review a person resolved by the end of the replay: how many,
   * and the decisions against the labels (accuracy null without labels). Kept apart from the tiers'
   * figures, which describe the answers the clients got.
   */
  resolvedLater: { requests: number; judged: number; correct: number; accuracy: number | null };
  baseline: ReplayBaselineSummary;
}
