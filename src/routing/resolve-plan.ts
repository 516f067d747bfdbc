import type { RouteConfig } from '../config/config-schema.ts';
import type { Plan } from './plan.ts';
import type { RoutingContext } from './routing-context.ts';

export interface PlanSources {
  routes: Readonly<Record<string, RouteConfig>>;
  fallbacks: Readonly<Record<string, readonly string[]>>;
  context: RoutingContext;
  /** The label set of a route (its own, or its `labelsFrom` specialist's), else null. */
  labelsOf(route: string): readonly string[] | null;
  /**
   * Rewrites the plan of a request to a single model when a specialist is promoted for its task
   * family (see `promotion/`): a cascade in front of the model, or a shadow beside it.
   */
  promote?: (plan: Plan, request: PromotionRequest) => Plan;
}

/** What a promotion lookup reads of a request. */
export interface PromotionRequest {
  messages: ReadonlyArray<{ role?: unknown; content?: unknown }>;
  /** The `x-rightsize-task` header, when sent. */
  tag: string | null;
}

/**
 * The plan for a `model` a client named that is not `auto`: a route (cascade) by name, else a
 * single model (catalog id or `specialist/<name>`) with its configured fallbacks, which a promotion
 * of the request's task family may turn into a cascade or shadow (`sources.promote`, given `request`).
 * Returns undefined when the name is unknown.
 */
export function resolvePlan(model: string, sources: PlanSources, request?: PromotionRequest): Plan | undefined {
  const route = sources.routes[model];
  if (route) {
    return {
      kind: 'route',
      route: model,
      tiers: route.tiers.map((tier) => ({
        model: tier.model,
        fallbacks: sources.fallbacks[tier.model] ?? [],
        ...(tier.accept ? { accept: tier.accept } : {}),
        ...(tier.timeoutMs ? { timeoutMs: tier.timeoutMs } : {}),
      })),
      labels: sources.labelsOf(model),
      reasons: [],
    };
  }
  if (!sources.context.resolveModel(model)) return undefined;
  const plan: Plan = {
    kind: 'model',
    route: null,
    tiers: [{ model, fallbacks: sources.fallbacks[model] ?? [] }],
    labels: null,
    reasons: [],
  };
  return request && sources.promote && !model.startsWith('specialist/') ? sources.promote(plan, request) : plan;
}
