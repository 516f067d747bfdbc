/**
 * The store contract: the request log and the human review queue. Implementations: `sqlite/`
 * (default, a file) and, later, `postgres/`; both pass the one conformance suite in
 * `store-conformance.ts`.
 */

/** One attempt at one tier of a request. Latency in ms, cost in USD (null: unpriced). */
export interface TierAttempt {
  tier: number;
  model: string;
  provider: string;
  outcome: 'accepted' | 'escalated' | 'failed' | 'skipped' | 'shadow' | 'pending';
  /** Why the request went on: `low_confidence`, `invalid_output`, `provider_error`, `timeout`, `not_configured`, ... */
  reason?: string;
  confidence?: number;
  latencyMs: number;
  costUsd: number | null;
  /** The tier's answer, when it gave one (labels for classification tiers). */
  answer?: string;
}

/** One row of the request log. Times are Unix epoch ms; tokens are counts; cost in USD. */
export interface RequestLogRecord {
  id: string;
  time: number;
  /** The id (never the value) of the client API key; null when auth is off. */
  apiKeyId: string | null;
  requestedModel: string;
  /** The route name when the request named one (or `auto`), else null. */
  route: string | null;
  servedModel: string | null;
  provider: string | null;
  /** Every tier tried, in order. */
  tiers: TierAttempt[];
  /** HTTP status sent to the client. */
  status: number;
  /** `RightsizeErrorCode` when the request failed. */
  errorCode: string | null;
  stream: boolean;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  /** `provider` or `tokenizer` (counted by Rightsize when the provider sent no usage). */
  usageSource: 'provider' | 'tokenizer' | null;
  /** Total cost in USD over all tiers; null when a model that served it has no price. */
  costUsd: number | null;
  latencyMs: number;
  /** Time to first token in ms (streams), else null. */
  ttftMs: number | null;
  escalations: number;
  /** A task-family tag the client sent (`x-rightsize-task`), else null. */
  tag: string | null;
  /** Why the plan was chosen (`auto` routing reasons, `; `-joined), else null. */
  decision: string | null;
  /** The request's messages (JSON text), when the config logs content; else null. */
  requestMessages: string | null;
  /** The answer's text, when the config logs content; else null. */
  responseText: string | null;
}

export type ReviewStatus = 'pending' | 'claimed' | 'resolved';

/** A request escalated to a person. */
export interface ReviewItem {
  id: string;
  route: string;
  /** The request log id of the escalated request. */
  requestId: string;
  status: ReviewStatus;
  createdAt: number;
  /** The text to decide on (the last user message). */
  input: string;
  /** The label set of the route, when it is a classification route. */
  labels: string[] | null;
  /** What the tiers before the human answered, with their confidences. */
  candidates: Array<{ model: string; answer: string | null; confidence: number | null; reason: string | null }>;
  claimedBy: string | null;
  claimedAt: number | null;
  resolvedBy: string | null;
  resolvedAt: number | null;
  /** The reviewer's decision: the gold label or answer. */
  decision: string | null;
}

/** A reviewer's decision on an item (see `Store.resolveReviewItem`). */
export interface ReviewResolution {
  reviewer: string;
  decision: string;
  /** The route's label set the decision was checked against, for an item queued without one. */
  labels?: readonly string[];
}

export type NewReviewItem = Pick<ReviewItem, 'id' | 'route' | 'requestId' | 'input' | 'labels' | 'candidates'> & {
  createdAt?: number;
};

export interface RequestLogQuery {
  /** Only rows at or after this time (epoch ms). */
  since?: number;
  route?: string;
  /** At most this many rows, newest first. @default unlimited */
  limit?: number;
}

export interface ReviewQuery extends ClaimLapse {
  status?: ReviewStatus | undefined;
  route?: string | undefined;
  /** Oldest first, at most this many. */
  limit?: number | undefined;
}

/**
 * When claims lapse (a reviewer who claimed an item and went away must not hold it for ever): an
 * item claimed before `claimsLapseBefore` (epoch ms) is pending again, for every read and write that
 * is given it (its `claimedBy` and `claimedAt` then read null). Without it a claim never lapses.
 */
export interface ClaimLapse {
  claimsLapseBefore?: number | undefined;
}

/**
 * How a promoted specialist serves a task family: `shadow` runs it beside the model without
 * answering (its agreement is logged as a `shadow` attempt); `active` puts it first in a cascade
 * in front of the model the client asked for; `rolled-back` turns the promotion off.
 */
export type PromotionMode = 'shadow' | 'active' | 'rolled-back';

/** A specialist promoted for one task family (see `promotion/`). Times are epoch ms. */
export interface Promotion {
  /** The family id from `rightsize analyze`. */
  familyId: string;
  /** How the gateway recognises the family's requests: JSON text of a `FamilyMatcher` (see `analysis/`). */
  matcher: string;
  /** The specialist's name in the registry (served as `specialist/<name>`). */
  specialist: string;
  mode: PromotionMode;
  /** Accept the specialist's answer at this confidence; null: its calibrated threshold. */
  threshold: number | null;
  updatedAt: number;
  /** Who or what changed it, and why (free text, no prompts). */
  note: string | null;
}

export interface Store {
  /** `sqlite:<path>` or `postgres://...`, without credentials. */
  readonly description: string;
  /** Appends request log rows in one transaction. */
  insertRequestLogs(rows: readonly RequestLogRecord[]): Promise<void>;
  queryRequestLogs(query?: RequestLogQuery): Promise<RequestLogRecord[]>;
  countRequestLogs(): Promise<number>;

  createReviewItem(item: NewReviewItem): Promise<ReviewItem>;
  getReviewItem(id: string, lapse?: ClaimLapse): Promise<ReviewItem | undefined>;
  listReviewItems(query?: ReviewQuery): Promise<ReviewItem[]>;
  /**
   * Claims a pending item (or one whose claim has lapsed) for a reviewer, atomically; the claimant
   * claiming again renews the claim.
   * @throws RightsizeError `not_found`, or `conflict` when someone else holds or resolved it.
   */
  claimReviewItem(id: string, reviewer: string, lapse?: ClaimLapse): Promise<ReviewItem>;
  /**
   * Gives a claimed item back to the queue (pending): only its claimant may.
   * @throws RightsizeError `not_found`, or `conflict` when it is not claimed by `reviewer`.
   */
  releaseReviewItem(id: string, reviewer: string, lapse?: ClaimLapse): Promise<ReviewItem>;
  /**
   * Records the decision. A claimed item may be resolved only by its claimant; a pending one (or one
   * whose claim has lapsed) by anyone, and then keeps no claimant.
   * `labels`, when given, is stored on an item that has none (queued while its route's labels were
   * unknown, e.g. its specialist still training); an item's own labels are never replaced.
   * @throws RightsizeError `not_found`, or `conflict` when already resolved or claimed by another.
   */
  resolveReviewItem(id: string, resolution: ReviewResolution, lapse?: ClaimLapse): Promise<ReviewItem>;

  /** Creates or replaces the promotion of `promotion.familyId`. */
  upsertPromotion(promotion: Promotion): Promise<void>;
  /** Every promotion, rolled-back ones included, oldest change first. */
  listPromotions(): Promise<Promotion[]>;

  close(): Promise<void>;
}
