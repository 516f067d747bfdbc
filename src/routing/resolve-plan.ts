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
  /**
   * The request asks for more than one plain-text answer (see {@link asksForMoreThanText}): a
   * specialist's label cannot serve it, so no promotion applies. @default false
   */
  beyondText?: boolean;
}

/** What {@link beyondTextField} reads of a chat completion. */
export interface AnswerShapeRequest {
  response_format?: { type: string } | null | undefined;
  tools?: readonly unknown[] | null | undefined;
  n?: number | null | undefined;
}

/**
 * The first field of a chat completion that asks for what a classifier's one label cannot be: a
 * `response_format` other than text (JSON, a JSON schema), `tools` to call, or several choices
 * (`n` > 1); undefined when it asks for one plain-text answer.
 */
export function beyondTextField(chat: AnswerShapeRequest): 'response_format' | 'tools' | 'n' | undefined {
  const format = chat.response_format?.type;
  if (format !== undefined && format !== 'text') return 'response_format';
  if ((chat.tools?.length ?? 0) > 0) return 'tools';
  if ((chat.n ?? 1) > 1) return 'n';
  return undefined;
}

/** Whether a chat completion asks for more than one plain-text answer (see {@link beyondTextField}). */
export function asksForMoreThanText(chat: AnswerShapeRequest): boolean {
  return beyondTextField(chat) !== undefined;
}

/**
 * Whether every answer a plan can give is a label: a route with labels (its own or its `labelsFrom`
 * specialist's), or a plan with a specialist tier. Such a plan cannot honour a request that asks for
 * JSON, tools or several choices ({@link beyondTextField}).
 */
export function answersWithLabels(plan: Plan): boolean {
  return plan.labels !== null || plan.tiers.some((tier) => tier.model.startsWith('specialist/'));
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
  return request && sources.promote && !request.beyondText && !model.startsWith('specialist/')
    ? sources.promote(plan, request)
    : plan;
}
