import type { Plan } from '../plan.ts';
import type { AutoPlan } from './plan-auto-request.ts';

/**
 * The gateway's `Plan` for an `auto` decision: one tier, the best candidate, with the others as its
 * fallbacks in order (each of them also meets every hard constraint), and the reasons.
 */
export function toRoutingPlan(autoPlan: AutoPlan): Plan {
  const [first, ...rest] = autoPlan.candidates;
  return {
    kind: 'auto',
    route: 'auto',
    tiers: first ? [{ model: first.id, fallbacks: rest.map((model) => model.id) }] : [],
    labels: null,
    reasons: autoPlan.reasons,
  };
}
