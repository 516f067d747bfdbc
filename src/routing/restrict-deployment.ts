import { RightsizeError } from '../errors/rightsize-error.ts';
import type { Plan } from './plan.ts';
import type { RoutingContext } from './routing-context.ts';

/** Where a request's data may go, from the `x-rightsize-deployment` request header. */
export type DeploymentRequirement = 'edge' | 'on-prem' | 'cloud' | 'hybrid';

const ALLOWED: Readonly<Record<'edge' | 'on-prem', ReadonlySet<string>>> = {
  edge: new Set(['edge']),
  'on-prem': new Set(['edge', 'on-prem']),
};

/**
 * Enforces a deployment requirement on a plan for a named model or route (for `auto` the selection
 * engine does it): with `on-prem` no model whose provider runs in the cloud is tried, with `edge`
 * only in-process models are; tiers left with no model are dropped and the reasons say so.
 * `cloud` and `hybrid` restrict nothing here.
 * A model that cannot run now counts where it would run (`ResolvedModel.deployment`).
 * @throws RightsizeError `invalid_request` for an unknown value; `no_model_qualifies` (422) when
 * no model of the plan may see the data; `provider_not_configured` (503) when the models it may see
 * cannot run yet (e.g. `edge` while the specialists are still loading), naming why.
 */
export function restrictDeployment(plan: Plan, requirement: string, context: RoutingContext): Plan {
  if (requirement !== 'edge' && requirement !== 'on-prem' && requirement !== 'cloud' && requirement !== 'hybrid') {
    throw new RightsizeError('invalid_request', 'x-rightsize-deployment must be edge, on-prem, cloud or hybrid.', {
      param: 'x-rightsize-deployment',
    });
  }
  if (requirement === 'cloud' || requirement === 'hybrid') return plan;
  const allowed = ALLOWED[requirement];
  const dropped: string[] = [];
  const permitted = (id: string) => {
    const model = context.resolveModel(id);
    // A model that cannot run now is judged by where it would run; kept when that is unknown (the executor skips it and says why).
    const deployment = model?.provider?.deployment ?? model?.deployment;
    if (deployment === undefined || allowed.has(deployment)) return true;
    dropped.push(`${id} (${deployment})`);
    return false;
  };
  const tiers = plan.tiers.flatMap((tier) => {
    const models = [tier.model, ...tier.fallbacks].filter(permitted);
    const [first, ...rest] = models;
    return first === undefined ? [] : [{ ...tier, model: first, fallbacks: rest }];
  });
  if (dropped.length === 0) return plan;
  if (tiers.length === 0) {
    throw new RightsizeError(
      'no_model_qualifies',
      `x-rightsize-deployment: ${requirement} excludes every model of this request: ${dropped.join(', ')}. Name a model on an on-prem or edge provider, or a route with one.`,
      {
        param: 'x-rightsize-deployment',
      },
    );
  }
  const waiting = tiers.flatMap((tier) => [tier.model, ...tier.fallbacks]);
  if (waiting.every((id) => !context.resolveModel(id)?.provider)) {
    // What is left cannot run yet: say so, rather than what it would take to run a model the requirement excludes.
    const why = waiting.every((id) => id.startsWith('specialist/'))
      ? `its specialists are still loading (${waiting.join(', ')}; see the gateway's output), retry shortly`
      : waiting.map((id) => `${id}: ${context.resolveModel(id)?.unavailable ?? 'unknown model'}`).join('; ');
    throw new RightsizeError(
      'provider_not_configured',
      `No ${requirement} model is available yet for this request: ${why}. x-rightsize-deployment: ${requirement} excludes ${dropped.join(', ')}.`,
      { param: 'x-rightsize-deployment' },
    );
  }
  return { ...plan, tiers, reasons: [...plan.reasons, `deployment ${requirement}: dropped ${dropped.join(', ')}`] };
}
