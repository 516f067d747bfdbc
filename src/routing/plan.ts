import type { AcceptRule } from '../config/config-schema.ts';

/** One tier of a plan: a model with what to try when it fails, and when to accept its answer. */
export interface PlanTier {
  /** Catalog model id, `specialist/<name>`, or `human`. */
  model: string;
  /** Models tried in order when `model` fails with a retryable error. */
  fallbacks: readonly string[];
  /** Absent: any answer is accepted. */
  accept?: AcceptRule;
  /** Tier timeout in ms. */
  timeoutMs?: number;
  /**
   * Its answer is served only when `accept` takes it, never as the best answer of a plan that no
   * tier settled: a specialist a promotion puts in front of the model the client named, so that the
   * promotion never turns an answer below its threshold into the final one.
   */
  onlyIfAccepted?: boolean;
}

/**
 * How a request will be served: one tier (a model, with fallbacks), or a cascade of tiers (a route).
 * `reasons` explain the choice (for `auto`) and go to the `x-rightsize-decision` header and the log.
 */
export interface Plan {
  kind: 'model' | 'route' | 'auto';
  /** The route name (or `auto`), else null. */
  route: string | null;
  tiers: readonly PlanTier[];
  /** The label set of a classification route. */
  labels: readonly string[] | null;
  reasons: readonly string[];
  /**
   * A model run beside the plan without answering (a specialist in shadow mode): its answer and
   * confidence are logged as a `shadow` attempt, to measure its agreement before it is promoted.
   */
  shadow?: ShadowTier;
}

/** The shadow of a plan (see `promotion/`). */
export interface ShadowTier {
  /** `specialist/<name>`. */
  model: string;
  /** The task family it shadows. */
  familyId: string;
}
