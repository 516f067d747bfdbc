import { isRightsizeError, RightsizeError } from '../errors/rightsize-error.ts';
import {
  type ChatCompletionRequest,
  type ChatCompletionResponse,
  lastUserText,
  type TokenUsage,
} from '../providers/chat-completion.ts';
import type { EscalationContext, ProviderCompletion } from '../providers/provider.ts';
import type { TierAttempt } from '../store/store.ts';
import { acceptAnswer } from './accept-answer.ts';
import { classificationRequest } from './classification-request.ts';
import { countUsage } from './count-tokens.ts';
import type { Plan, PlanTier } from './plan.ts';
import { addCosts, priceUsage } from './price-usage.ts';
import type { ResolvedModel, RoutingContext } from './routing-context.ts';

export interface ExecuteOptions {
  request: ChatCompletionRequest;
  rawBody?: Uint8Array;
  requestId: string;
  /** Aborted when the client leaves. */
  signal: AbortSignal;
  context: RoutingContext;
  /** How long a client waits for a human decision, in ms. @default 0 */
  reviewWaitMs?: number;
  /** The plan's shadow, when the caller started it already ({@link startShadow}); else it is started here. */
  shadow?: ShadowRun;
}

/** What {@link executePlan} resolves to: the answer, or the failure with what was spent first. */
export type ExecutionOutcome = ExecutionResult | ExecutionFailure;

/** The outcome of a plan: the answer to send and everything the log and headers report. */
export interface ExecutionResult {
  ok: true;
  completion: ProviderCompletion;
  /** True when `completion.body` may be sent as the provider's bytes. */
  passThrough: boolean;
  servedModel: string;
  provider: string;
  /** Zero-based index of the tier that answered. */
  tier: number;
  /** Whether that answer met the tier's acceptance rule (false: the best answer the route had). */
  accepted: boolean;
  attempts: TierAttempt[];
  /** Tokens summed over every tier that answered. */
  usage: TokenUsage;
  /** USD over every tier; null when a tier that ran has no price. */
  costUsd: number | null;
  /** Tiers passed over after the first. */
  escalations: number;
  /** Review item id when the request awaits a person. */
  reviewId?: string;
}

/**
 * A plan that gave no answer to send (every tier failed or was skipped, none that answered may be
 * served, or the client left), with what it spent before: the log row of a failed request carries
 * its attempts, tokens and cost like that of an answered one.
 */
export interface ExecutionFailure {
  ok: false;
  /** What to answer the client with: a `RightsizeError`, or what a provider threw. */
  error: unknown;
  /** Every model tried, in order (with the answer and confidence of those that answered); the shadow's last, unjudged. */
  attempts: TierAttempt[];
  /** Tokens summed over the tiers that answered; undefined when none did. */
  usage: TokenUsage | undefined;
  /** USD over the tiers that answered and the shadow (0 when none did); null when one of them has no price. */
  costUsd: number | null;
}

/** What the tiers of a plan have spent so far, filled in as they run. */
interface Spending {
  attempts: TierAttempt[];
  usages: TokenUsage[];
  costs: Array<number | null>;
}

interface TierCall {
  completion: ProviderCompletion;
  model: ResolvedModel;
  usage: TokenUsage;
  costUsd: number | null;
}

/**
 * Runs a plan without streaming. A tier tries its model, then its fallbacks, on retryable
 * failures; a cascade moves to the next tier when a tier is not configured (skipped), fails, or
 * gives an answer its acceptance rule refuses (escalated), recording each reason. When no tier's
 * answer is accepted the best refused one is served (`accepted: false`), except from tiers marked
 * `onlyIfAccepted`. A plan's shadow runs beside the tiers; its judged attempt is appended to the
 * attempts and its cost to the cost.
 * Once `signal` aborts (the client left, or the gateway is shutting down) no further tier runs (and
 * providers stop the call under way: see `Provider.complete`).
 *
 * Never rejects: a plan that gives no answer resolves to an {@link ExecutionFailure} (`ok: false`)
 * with the attempts, tokens and cost spent before it failed (a tier that answered before the client
 * left, a promoted specialist that did not settle the request, a person it was queued for) and its
 * `error`: `provider_not_configured` when no tier could run, else the last tier's error;
 * `no_model_qualifies` when only `onlyIfAccepted` tiers answered and none was accepted;
 * `client_closed_request` once `signal` has aborted (or the server's abort reason: `shutting_down`).
 */
export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<ExecutionOutcome> {
  const shadow = options.shadow ?? startShadow(plan, options);
  const spent: Spending = { attempts: [], usages: [], costs: [] };
  let result: ExecutionResult;
  try {
    result = await executeTiers(plan, options, spent);
  } catch (error) {
    // The shadow ran all the same: its attempt (unjudged: no answer was served) and its cost are the request's.
    const attempt = await shadow;
    if (attempt) {
      spent.attempts.push(attempt);
      spent.costs.push(attempt.costUsd);
    }
    return {
      ok: false,
      error,
      attempts: spent.attempts,
      usage: spent.usages.length > 0 ? sumUsage(spent.usages) : undefined,
      costUsd: addCosts(spent.costs),
    };
  }
  if (!shadow) return result;
  const attempt = judgeShadow(await shadow, result.completion.response.choices?.[0]?.message?.content ?? null);
  if (attempt) {
    result.attempts.push(attempt);
    // The shadow's compute is spent for this request: it belongs in its cost.
    result.costUsd = addCosts([result.costUsd, attempt.costUsd]);
  }
  return result;
}

/** A shadow model's call in progress (see {@link startShadow}); it never rejects. */
export type ShadowRun = Promise<TierAttempt | undefined>;

/**
 * Starts the plan's shadow model (a specialist in shadow mode) on the request, beside whatever
 * serves it: never answers, never fails the request. Resolves to its attempt (outcome `shadow`,
 * tier -1, with its answer and confidence, or the error code as reason), or undefined when the plan
 * has no shadow or its model cannot run. Judge it with {@link judgeShadow} once the answer is known.
 */
export function startShadow(
  plan: Plan,
  options: Pick<ExecuteOptions, 'request' | 'requestId' | 'signal' | 'context'>,
): ShadowRun | undefined {
  return plan.shadow ? callShadow(plan.shadow.model, options) : undefined;
}

/**
 * Marks a shadow attempt `agrees` or `disagrees` with the answer served (trimmed, case-insensitive,
 * as `analyze` and `promote` compare them); an attempt without an answer, or no answer served,
 * stays unjudged. Returns the attempt it was given.
 */
export function judgeShadow(attempt: TierAttempt | undefined, served: string | null): TierAttempt | undefined {
  if (attempt?.answer !== undefined && served !== null)
    attempt.reason = attempt.answer.trim().toLowerCase() === served.trim().toLowerCase() ? 'agrees' : 'disagrees';
  return attempt;
}

async function callShadow(
  id: string,
  options: Pick<ExecuteOptions, 'request' | 'requestId' | 'signal' | 'context'>,
): Promise<TierAttempt | undefined> {
  const model = options.context.resolveModel(id);
  if (!model?.provider) return undefined;
  const started = performance.now();
  try {
    const completion = await model.provider.complete({
      request: options.request,
      upstreamModel: model.upstreamModel,
      signal: options.signal,
      requestId: options.requestId,
    });
    const answer = completion.response.choices?.[0]?.message?.content ?? null;
    const usage = completion.usage ?? countUsage(options.request, answer ?? '');
    return {
      tier: -1,
      model: id,
      provider: model.provider.id,
      outcome: 'shadow',
      latencyMs: performance.now() - started,
      costUsd: priceUsage(model.entry.prices, usage),
      ...(completion.confidence === undefined ? {} : { confidence: completion.confidence }),
      ...(answer === null ? {} : { answer: answer.slice(0, 200) }),
    };
  } catch (error) {
    return {
      tier: -1,
      model: id,
      provider: model.provider.id,
      outcome: 'shadow',
      reason: isRightsizeError(error) ? error.code : 'provider_error',
      latencyMs: performance.now() - started,
      costUsd: 0,
    };
  }
}

/** Runs the tiers (see {@link executePlan}); throws the error to answer with, `spent` holding what it spent. */
async function executeTiers(plan: Plan, options: ExecuteOptions, spent: Spending): Promise<ExecutionResult> {
  const { attempts, usages, costs } = spent;
  const candidates: Array<EscalationContext['candidates'][number]> = [];
  let best: { call: TierCall; tier: number; answer: string | null } | undefined;
  let lastError: unknown;
  /** The last answer refused by a tier whose answers are served only when accepted. */
  let refused: { model: string; detail: string } | undefined;

  for (let index = 0; index < plan.tiers.length; index++) {
    // A client that left gets nothing more: no further tier runs (no review item is created for it).
    if (options.signal.aborted) throw clientClosed(options.signal);
    const tier = plan.tiers[index] as PlanTier;
    // Every tier of a route gets it (a route may start with a person): its name, labels and the wait.
    const escalation: EscalationContext | undefined = plan.route
      ? { route: plan.route, labels: plan.labels, candidates: [...candidates], waitMs: options.reviewWaitMs ?? 0 }
      : undefined;
    let call: TierCall;
    try {
      call = await callTier(tier, index, plan, options, attempts, escalation);
    } catch (error) {
      if (options.signal.aborted) throw clientClosed(options.signal);
      lastError = error;
      candidates.push({
        model: tier.model,
        answer: null,
        confidence: null,
        reason: isRightsizeError(error) ? error.code : 'provider_error',
      });
      continue;
    }
    // Paid for even when the client has left meanwhile: the request's log row counts it.
    usages.push(call.usage);
    costs.push(call.costUsd);
    const answer = call.completion.response.choices?.[0]?.message?.content ?? null;
    const scorer = tier.accept?.scorer ? options.context.scorer(tier.accept.scorer.name) : undefined;
    const scored =
      scorer && answer !== null
        ? { score: scorer.score(lastUserText(options.request), answer), threshold: scorer.threshold }
        : undefined;
    const verdict = acceptAnswer(tier.accept, {
      answer,
      confidence: call.completion.confidence ?? scored?.score,
      calibratedThreshold: call.completion.acceptThreshold,
      labels: plan.labels,
      answersWithLabel: call.model.provider?.kind === 'specialist',
      scorer: scored,
    });
    const attempt = attempts[attempts.length - 1] as TierAttempt;
    attempt.costUsd = call.costUsd;
    const confidence = call.completion.confidence ?? scored?.score;
    if (confidence !== undefined) attempt.confidence = confidence;
    if (answer !== null) attempt.answer = answer.slice(0, 200);
    const pendingReview = call.completion.review?.status === 'pending';
    // An answer that comes after the client left (e.g. a person's, while it waited) reaches nobody;
    // its attempt is judged like any other, and the request ends there.
    if (options.signal.aborted) {
      attempt.outcome = pendingReview ? 'pending' : verdict.accepted ? 'accepted' : 'escalated';
      if (!verdict.accepted) attempt.reason = verdict.reason;
      throw clientClosed(options.signal);
    }
    const last = index === plan.tiers.length - 1 && !tier.onlyIfAccepted;
    if (verdict.accepted || pendingReview || last) {
      attempt.outcome = pendingReview ? 'pending' : verdict.accepted ? 'accepted' : 'escalated';
      if (!verdict.accepted) attempt.reason = verdict.reason;
      return finish(
        plan,
        index,
        call,
        verdict.accepted ? verdict.answer : answer,
        verdict.accepted,
        attempts,
        usages,
        costs,
      );
    }
    attempt.outcome = 'escalated';
    attempt.reason = verdict.reason;
    candidates.push({
      model: call.model.id,
      answer,
      confidence: call.completion.confidence ?? null,
      reason: verdict.reason,
    });
    if (tier.onlyIfAccepted) refused = { model: call.model.id, detail: verdict.detail };
    else best = { call, tier: index, answer };
  }
  if (best) return finish(plan, best.tier, best.call, best.answer, false, attempts, usages, costs);
  if (lastError) throw lastError;
  if (refused) {
    throw new RightsizeError(
      'no_model_qualifies',
      `${refused.model} did not settle the request (${refused.detail}) and no other model of it may run.`,
    );
  }
  const skipped = attempts.map((attempt) => `${attempt.model}: ${attempt.reason ?? 'skipped'}`).join('; ');
  throw new RightsizeError(
    'provider_not_configured',
    `No tier of ${plan.route ?? plan.tiers[0]?.model} could run (${skipped}).`,
  );
}

/**
 * The error of a request that was stopped: the abort reason the server gave (`client_closed_request`
 * when the client went away, `shutting_down` when the gateway stopped it), else a new
 * `client_closed_request`.
 */
function clientClosed(signal: AbortSignal): RightsizeError {
  return isRightsizeError(signal.reason)
    ? signal.reason
    : new RightsizeError('client_closed_request', 'The client closed the connection.', { cause: signal.reason });
}

function finish(
  plan: Plan,
  tier: number,
  call: TierCall,
  answer: string | null,
  accepted: boolean,
  attempts: TierAttempt[],
  usages: TokenUsage[],
  costs: Array<number | null>,
): ExecutionResult {
  const original = call.completion.response.choices?.[0]?.message?.content ?? null;
  const rewrite = plan.kind === 'route' && answer !== original;
  const completion = rewrite
    ? { ...call.completion, response: withContent(call.completion.response, answer, call.model.id) }
    : call.completion;
  if (rewrite) delete completion.body;
  const reviewId = call.completion.review?.id;
  return {
    ok: true,
    completion,
    passThrough: !rewrite && completion.body !== undefined,
    servedModel: call.model.id,
    provider: call.model.provider?.id ?? 'none',
    tier,
    accepted,
    attempts,
    usage: sumUsage(usages),
    costUsd: addCosts(costs),
    escalations: tier,
    ...(reviewId ? { reviewId } : {}),
  };
}

/** Calls one tier: its model, then its fallbacks on retryable errors. Appends one attempt per model tried. */
async function callTier(
  tier: PlanTier,
  index: number,
  plan: Plan,
  options: ExecuteOptions,
  attempts: TierAttempt[],
  escalation: EscalationContext | undefined,
): Promise<TierCall> {
  let lastError: unknown;
  for (const id of [tier.model, ...tier.fallbacks]) {
    const model = options.context.resolveModel(id);
    if (!model?.provider) {
      const skipped = skipUnavailable(index, id, model);
      attempts.push(skipped.attempt);
      lastError ??= skipped.error;
      continue;
    }
    const started = performance.now();
    const signal = tier.timeoutMs
      ? AbortSignal.any([options.signal, AbortSignal.timeout(tier.timeoutMs)])
      : options.signal;
    const useLabels =
      plan.labels !== null && tier.accept?.labels === true && model.provider.kind === 'openai-compatible';
    const request = useLabels
      ? classificationRequest(options.request, plan.labels ?? [], model.entry.capabilities?.jsonSchema === true)
      : options.request;
    try {
      const completion = await model.provider.complete({
        request,
        upstreamModel: model.upstreamModel,
        signal,
        requestId: options.requestId,
        ...(options.rawBody && !useLabels ? { rawBody: options.rawBody } : {}),
        ...(escalation ? { escalation } : {}),
      });
      const latencyMs = performance.now() - started;
      const usage = completion.usage ?? countUsage(request, completion.response.choices?.[0]?.message?.content ?? '');
      const costUsd = priceUsage(model.entry.prices, usage);
      attempts.push({ tier: index, model: id, provider: model.provider.id, outcome: 'accepted', latencyMs, costUsd });
      return { completion, model, usage, costUsd };
    } catch (error) {
      const timedOut = signal.aborted && !options.signal.aborted;
      const failure = timedOut
        ? new RightsizeError(
            'upstream_timeout',
            `Tier ${index} (${id}) took longer than its timeoutMs of ${tier.timeoutMs} ms.`,
            { upstream: { provider: model.provider.id, retryable: true } },
          )
        : error;
      attempts.push({
        tier: index,
        model: id,
        provider: model.provider.id,
        outcome: 'failed',
        reason: timedOut ? 'timeout' : isRightsizeError(failure) ? failure.code : 'provider_error',
        latencyMs: performance.now() - started,
        costUsd: 0,
      });
      lastError = failure;
      // A client that left, or a request the provider rejects as malformed, will not fare better elsewhere.
      if (options.signal.aborted || (isRightsizeError(failure) && !failure.retryable)) throw failure;
    }
  }
  throw lastError;
}

function withContent(response: ChatCompletionResponse, content: string | null, model: string): ChatCompletionResponse {
  const choice = response.choices?.[0];
  return {
    ...response,
    model: response.model ?? model,
    choices: [
      {
        ...choice,
        index: 0,
        message: { ...choice?.message, role: 'assistant', content },
        finish_reason: choice?.finish_reason ?? 'stop',
      },
    ],
  };
}

function sumUsage(usages: readonly TokenUsage[]): TokenUsage {
  const total: TokenUsage = {
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    source: 'provider',
  };
  for (const usage of usages) {
    total.inputTokens += usage.inputTokens;
    total.cachedInputTokens += usage.cachedInputTokens;
    total.outputTokens += usage.outputTokens;
    total.reasoningTokens += usage.reasoningTokens;
    if (usage.source === 'tokenizer') total.source = 'tokenizer';
  }
  return total;
}

/**
 * The attempt and error for a model that cannot run (its provider is not configured, or the id
 * names nothing): the tier is skipped and says why, never silently.
 */
export function skipUnavailable(
  tier: number,
  id: string,
  model: ResolvedModel | undefined,
): { attempt: TierAttempt; error: RightsizeError } {
  return {
    attempt: {
      tier,
      model: id,
      provider: model?.entry.provider ?? 'unknown',
      outcome: 'skipped',
      reason: 'not_configured',
      latencyMs: 0,
      costUsd: 0,
    },
    error: new RightsizeError('provider_not_configured', model?.unavailable ?? `Model ${id} is not in the catalog.`),
  };
}
