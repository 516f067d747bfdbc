import { planAutoRequest } from '../routing/auto/plan-auto-request.ts';
import { toRoutingPlan } from '../routing/auto/to-routing-plan.ts';
import { requirementsForKey } from '../selection/selection-config.ts';
import type { AutoPlanner } from './chat-completions-route.ts';
import type { GatewayRuntime } from './create-runtime.ts';

/**
 * `model: "auto"`: inspects each request and plans it through the selection engine over the
 * models whose provider is configured, with the config's per-key requirement defaults.
 * The candidates after the first are its fallbacks.
 */
export function createAutoPlanner(runtime: GatewayRuntime): AutoPlanner {
  // One Map for the gateway's life: the planner caches its per-catalog index on it.
  const configuredProviders = new Map(
    [...runtime.providers].map(([id, provider]) => [id, { deployment: provider.deployment }]),
  );
  return (request, headers, apiKeyId) =>
    toRoutingPlan(
      planAutoRequest({
        request,
        headers,
        catalog: runtime.catalog,
        configuredProviders,
        defaults: requirementsForKey(runtime.config.selection, apiKeyId),
      }),
    );
}
