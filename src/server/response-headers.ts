import type { ExecutionResult } from '../routing/execute-plan.ts';
import type { Plan } from '../routing/plan.ts';

/**
 * The `x-rightsize-*` headers every answer carries: route (or `-`), the model that answered, its
 * tier (zero-based), the cost in USD (`unpriced` when a model has no price), escalations, and for
 * classification tiers the confidence; for cascades, `x-rightsize-accepted` (`true`, or `false` when
 * no tier's acceptance rule took an answer and the best refused one is served): a route, or a single
 * model a promotion put a specialist in front of (`x-rightsize-decision` names the family); absent
 * while a person has not decided;
 * `x-rightsize-review-id` and `-review-status` when a person will decide; `x-rightsize-skipped`
 * listing tiers whose provider is not configured; `x-rightsize-decision` with the plan's reasons.
 */
export function decisionHeaders(requestId: string, plan: Plan, result: ExecutionResult): Record<string, string> {
  const headers: Record<string, string> = {
    'x-request-id': requestId,
    'x-rightsize-route': plan.route ?? '-',
    'x-rightsize-model': result.servedModel,
    'x-rightsize-tier': String(result.tier),
    'x-rightsize-cost-usd': formatCost(result.costUsd),
    'x-rightsize-escalations': String(result.escalations),
  };
  if (result.completion.confidence !== undefined)
    headers['x-rightsize-confidence'] = result.completion.confidence.toFixed(4);
  if (result.reviewId) {
    headers['x-rightsize-review-id'] = result.reviewId;
    headers['x-rightsize-review-status'] = result.completion.review?.status ?? 'pending';
  }
  // A promoted request is a cascade like a route: [specialist, the model named] (see `promotion/`).
  // An answer still waiting for a person is neither accepted nor refused: the review status says so.
  const pending = result.reviewId !== undefined && result.completion.review?.status !== 'resolved';
  if ((plan.kind === 'route' || plan.tiers.length > 1) && !pending)
    headers['x-rightsize-accepted'] = String(result.accepted);
  const skipped = result.attempts.filter((attempt) => attempt.outcome === 'skipped').map((attempt) => attempt.model);
  // A tier that could not run is reported, never passed over silently.
  if (skipped.length > 0) headers['x-rightsize-skipped'] = skipped.join(',');
  if (plan.reasons.length > 0) headers['x-rightsize-decision'] = plan.reasons.join('; ').slice(0, 512);
  return headers;
}

/** USD with up to 10 decimals, or `unpriced`. */
export function formatCost(costUsd: number | null): string {
  return costUsd === null ? 'unpriced' : String(Number(costUsd.toFixed(10)));
}
