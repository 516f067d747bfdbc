import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeZodIssue, zodIssueField } from '../errors/describe-zod-issue.ts';
import { toErrorResponse } from '../errors/error-table.ts';
import { isRightsizeError, RightsizeError, type RightsizeErrorCode } from '../errors/rightsize-error.ts';
import {
  type ChatCompletionRequest,
  chatCompletionRequestSchema,
  type TokenUsage,
} from '../providers/chat-completion.ts';
import type { ProviderStream, StreamEvent } from '../providers/provider.ts';
import { countUsage } from '../routing/count-tokens.ts';
import {
  type ExecutionFailure,
  type ExecutionResult,
  executePlan,
  judgeShadow,
  type ShadowRun,
  skipUnavailable,
  startShadow,
} from '../routing/execute-plan.ts';
import type { Plan } from '../routing/plan.ts';
import { addCosts, priceUsage } from '../routing/price-usage.ts';
import { answersWithLabels, beyondTextField, resolvePlan } from '../routing/resolve-plan.ts';
import { restrictDeployment } from '../routing/restrict-deployment.ts';
import type { ResolvedModel } from '../routing/routing-context.ts';
import type { RequestLogRecord, TierAttempt } from '../store/store.ts';
import { createRequestId } from './create-request-id.ts';
import type { GatewayRuntime } from './create-runtime.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import { decisionHeaders, formatCost } from './response-headers.ts';
import { toRightsizeError } from './send-error.ts';
import { synthesizeStream } from './synthesize-stream.ts';

/** Plans `model: "auto"` requests (see `routing/auto/`); absent, `auto` is an unknown model. */
export type AutoPlanner = (
  request: ChatCompletionRequest,
  headers: Record<string, string | string[] | undefined>,
  apiKeyId: string | null,
) => Plan;

export interface ChatCompletionsDependencies {
  runtime: GatewayRuntime;
  metrics: GatewayMetrics;
  planAuto?: AutoPlanner;
  /** The abort controllers of the requests not yet answered; aborting one stops its request. */
  inFlight: Set<AbortController>;
}

/** Longest wait a client may ask for a human decision (`x-rightsize-review-wait-seconds`), in s. */
const MAX_REVIEW_WAIT_SECONDS = 300;

/**
 * `POST /v1/chat/completions`: validate, plan, execute (cascade, fallbacks), answer in OpenAI's
 * format with the decision in `x-rightsize-*` headers, then log. Single-model streams pass through
 * event by event and may fall back only before their first event; cascades stream their final answer.
 * A shadow specialist (a family in shadow mode) runs beside a stream as beside any request: the
 * stream is not held for it, and its answer is judged against the streamed content at the end.
 * A client that leaves stops its request: no further tier runs (no review item is queued), nothing
 * is sent, and the log row says 499 `client_closed_request`. A request the server stops at shutdown
 * (its controller in `inFlight` aborted with `shutting_down`) is answered 503 and logged so. A request that fails or whose client
 * left is logged with the tiers it tried and the tokens and cost of those that answered.
 */
export function registerChatCompletionsRoute(app: FastifyInstance, dependencies: ChatCompletionsDependencies): void {
  const { runtime, metrics, inFlight } = dependencies;
  const logContent = runtime.config.store.logContent;

  app.post('/v1/chat/completions', async (request: FastifyRequest, reply: FastifyReply) => {
    const started = performance.now();
    const time = Date.now();
    // Made (and sent) by the server's first hook, so that 401 and 413 answers carry it too.
    const requestId = request.requestId ?? createRequestId(time);
    reply.header('x-request-id', requestId);
    const apiKeyId = request.apiKeyId ?? null;
    const rawBody = request.body as Buffer;
    const chat = parseBody(rawBody);
    const rawTag = headerString(request.headers['x-rightsize-task']);
    const tag = rawTag !== undefined && TASK_TAG.test(rawTag) ? rawTag : null;
    const base: BaseRecord = {
      id: requestId,
      time,
      apiKeyId,
      requestedModel: chat.model,
      stream: chat.stream === true,
      tag,
      messages: chat.messages,
    };

    let plan: Plan | undefined;
    let waitMs: number;
    try {
      // Validated once, before streams and answers part ways: a bad value is a 400 for both.
      if (rawTag !== undefined && rawTag !== '' && tag === null) {
        // Node reads header bytes as Latin-1: UTF-8 would be stored garbled, as a family of its own.
        throw new RightsizeError(
          'invalid_request',
          `x-rightsize-task must be 1-200 printable ASCII characters (letters, digits, punctuation, spaces), got ${JSON.stringify(Buffer.from(rawTag.slice(0, 40), 'latin1').toString('utf8'))}.`,
          { param: 'x-rightsize-task' },
        );
      }
      waitMs = reviewWaitMs(request);
      plan = planFor(chat, request, tag);
    } catch (error) {
      logFailure(base, undefined, nothingSpent(), error, started);
      throw error;
    }
    const controller = new AbortController();
    // Until its answer is sent, the server's shutdown may stop it (see `createServer`'s `stopInFlight`).
    inFlight.add(controller);
    reply.raw.on('close', () => {
      inFlight.delete(controller);
      if (!reply.raw.writableFinished)
        controller.abort(new RightsizeError('client_closed_request', 'The client closed the connection.'));
    });
    const single = plan.tiers.length === 1 && plan.tiers[0]?.accept === undefined ? plan.tiers[0] : undefined;
    if (chat.stream === true && single) {
      return streamThrough(reply, {
        chat,
        rawBody,
        plan,
        requestId,
        started,
        base,
        signal: controller.signal,
      });
    }

    const result = await executePlan(plan, {
      request: chat,
      rawBody,
      requestId,
      signal: controller.signal,
      context: runtime.context,
      reviewWaitMs: waitMs,
    });
    if (!result.ok) {
      logFailure(base, plan, result, controller.signal.aborted ? controller.signal.reason : result.error, started);
      throw result.error;
    }
    if (clientLeft(controller.signal)) {
      // The client left as the answer came: nothing to send; the log says 499, with what was spent.
      logFailure(base, plan, result, controller.signal.reason, started);
      reply.hijack();
      return;
    }
    const headers = decisionHeaders(requestId, plan, result);
    const content = result.completion.response.choices?.[0]?.message?.content ?? null;
    reply.hijack();
    if (chat.stream === true) {
      reply.raw.writeHead(200, Object.assign(headers, sseHeaders));
      const includeUsage = chat.stream_options?.include_usage === true;
      const usage = answeringUsage(result);
      for (const event of synthesizeStream(result.completion.response, result.servedModel, usage, includeUsage))
        reply.raw.write(event);
      reply.raw.end();
    } else {
      reply.raw.writeHead(200, { 'content-type': 'application/json', ...headers });
      reply.raw.end(
        result.passThrough && result.completion.body
          ? result.completion.body
          : JSON.stringify(normalise(result, requestId)),
      );
    }
    const latencyMs = performance.now() - started;
    record(base, {
      route: plan.route,
      decision: decisionOf(plan),
      servedModel: result.servedModel,
      provider: result.provider,
      tiers: result.attempts,
      status: 200,
      errorCode: null,
      usage: result.usage,
      costUsd: result.costUsd,
      latencyMs,
      ttftMs: null,
      escalations: result.escalations,
      responseText: logContent ? content : null,
    });
  });

  function planFor(chat: ChatCompletionRequest, request: FastifyRequest, tag: string | null): Plan {
    if (chat.model === 'auto' && dependencies.planAuto)
      return dependencies.planAuto(chat, request.headers, request.apiKeyId ?? null);
    const beyondText = beyondTextField(chat);
    const plan = resolvePlan(chat.model, runtime.planSources, {
      messages: chat.messages,
      tag,
      beyondText: beyondText !== undefined,
    });
    if (plan && beyondText && answersWithLabels(plan)) {
      // A label is the whole answer here: JSON, tool calls or several choices would be refused by the
      // route's acceptance rules or silently not given.
      const what = plan.route ? `the route "${plan.route}"` : `${chat.model}`;
      throw new RightsizeError(
        'invalid_request',
        `${beyondText}: ${what} answers with one label, so it cannot give ${beyondText === 'n' ? 'several choices' : beyondText === 'tools' ? 'tool calls' : `a ${chat.response_format?.type} response`}; leave ${beyondText} out, or send the request to a model.`,
        { param: beyondText },
      );
    }
    const deployment = headerString(request.headers['x-rightsize-deployment']);
    if (plan) return deployment === undefined ? plan : restrictDeployment(plan, deployment.trim(), runtime.context);
    const names = [...Object.keys(runtime.config.routes), ...runtime.availableModels()].slice(0, 12);
    throw new RightsizeError(
      'model_not_found',
      `The model "${chat.model.slice(0, 100)}" is not a route, catalog model or specialist here. Try one of: ${names.join(', ') || '(none configured)'}; GET /v1/models lists all.`,
      { param: 'model' },
    );
  }

  interface StreamContext {
    chat: ChatCompletionRequest;
    rawBody: Buffer;
    plan: Plan;
    requestId: string;
    started: number;
    base: BaseRecord;
    signal: AbortSignal;
    /** The plan's shadow, started beside the stream. */
    shadow?: ShadowRun;
  }

  async function streamThrough(reply: FastifyReply, streamContext: StreamContext): Promise<void> {
    const { chat, plan, requestId, started, base, signal } = streamContext;
    // The shadow starts now, beside the provider call: it never holds the stream (see pipeStream).
    const shadow = startShadow(plan, { request: chat, requestId, signal, context: runtime.context });
    const context: StreamContext = shadow ? { ...streamContext, shadow } : streamContext;
    const tier = plan.tiers[0];
    const attempts: TierAttempt[] = [];
    let lastError: unknown;
    for (const id of tier ? [tier.model, ...tier.fallbacks] : []) {
      const model = runtime.context.resolveModel(id);
      if (!model?.provider) {
        const skipped = skipUnavailable(0, id, model);
        attempts.push(skipped.attempt);
        lastError ??= skipped.error;
        continue;
      }
      if (!model.provider.stream) {
        // Providers that answer whole (specialists, recorded, human) are streamed from their answer.
        return streamWhole(reply, context, model, attempts);
      }
      const attemptStarted = performance.now();
      let iterator: AsyncIterator<StreamEvent>;
      let first: IteratorResult<StreamEvent>;
      try {
        const stream: ProviderStream = await model.provider.stream({
          request: chat,
          upstreamModel: model.upstreamModel,
          signal,
          requestId,
          rawBody: context.rawBody,
        });
        iterator = stream[Symbol.asyncIterator]();
        first = await iterator.next();
      } catch (error) {
        attempts.push({
          tier: 0,
          model: id,
          provider: model.provider.id,
          outcome: 'failed',
          reason: isRightsizeError(error) ? error.code : 'provider_error',
          latencyMs: performance.now() - attemptStarted,
          costUsd: 0,
        });
        lastError = error;
        if (signal.aborted || (isRightsizeError(error) && !error.retryable)) break;
        continue;
      }
      return pipeStream(reply, context, model, attempts, iterator, first, attemptStarted);
    }
    // The shadow ran all the same: its attempt (unjudged) and its cost are the request's, as without streaming.
    const shadowAttempt = await shadow;
    if (shadowAttempt) attempts.push(shadowAttempt);
    const spent = { attempts, usage: undefined, costUsd: addCosts(attempts.map((attempt) => attempt.costUsd)) };
    logFailure(base, plan, spent, signal.aborted ? signal.reason : lastError, started);
    throw lastError ?? new RightsizeError('provider_not_configured', 'No model could serve the stream.');
  }

  async function pipeStream(
    reply: FastifyReply,
    context: StreamContext,
    model: ResolvedModel,
    attempts: TierAttempt[],
    iterator: AsyncIterator<StreamEvent>,
    first: IteratorResult<StreamEvent>,
    attemptStarted: number,
  ): Promise<void> {
    const { chat, plan, requestId, started, base, signal } = context;
    const includeUsage = chat.stream_options?.include_usage === true;
    const raw = reply.raw;
    reply.hijack();
    // Spreads go last: a literal that starts with a spread and adds fields costs V8 new hidden classes each time.
    raw.writeHead(200, {
      'x-request-id': requestId,
      'x-rightsize-route': plan.route ?? '-',
      'x-rightsize-model': model.id,
      'x-rightsize-tier': '0',
      'x-rightsize-escalations': '0',
      // The cost is known only once the provider reports usage at the end: see the trailer.
      'x-rightsize-cost-usd': 'pending',
      trailer: 'x-rightsize-cost-usd',
      ...(plan.reasons.length > 0 ? { 'x-rightsize-decision': plan.reasons.join('; ').slice(0, 512) } : {}),
      ...sseHeaders,
    });
    let usage: TokenUsage | undefined;
    let ttftMs: number | null = null;
    let errorCode: string | null = null;
    let status = 200;
    const kept: string[] = [];
    let keptBytes = 0;
    let step = first;
    try {
      while (!step.done) {
        const event = step.value;
        if (event.usage) usage = event.usage;
        if (!(event.usageOnly && !includeUsage)) {
          if (ttftMs === null) ttftMs = performance.now() - started;
          if (!raw.write(`data: ${event.data}\n\n`)) await waitForDrain(raw, signal);
        }
        if (!usage && keptBytes < 4_000_000) {
          kept.push(event.data);
          keptBytes += event.data.length;
        }
        step = await iterator.next();
      }
      raw.write('data: [DONE]\n\n');
    } catch (error) {
      const failure = isRightsizeError(error) ? error : toRightsizeError(error, runtime.config.server.bodyLimitBytes);
      if (clientLeft(signal)) {
        errorCode = 'client_closed_request' satisfies RightsizeErrorCode;
        // nginx's 499: the client went away before the answer was complete.
        status = 499;
      } else {
        // A stream the gateway stopped at shutdown says so; any other failure is the provider's.
        const reason = signal.aborted && isRightsizeError(signal.reason) ? signal.reason : failure;
        errorCode = reason.code;
        // As the same failure before the first event would be answered: 502, 504 for a stall, 503 at shutdown.
        status = toErrorResponse(reason).status;
        // After the first event the status is sent: the error goes in-band, and [DONE] never follows.
        raw.write(`data: ${JSON.stringify(toErrorResponse(reason).body)}\n\n`);
      }
      // Sent in band or not at all, it is an error answer all the same (as the error handler counts the others).
      metrics.error(errorCode, status);
      await iterator.return?.();
    }
    const text = streamedText(kept);
    const counted = usage ?? countUsage(chat, text);
    const costUsd = priceUsage(model.entry.prices, counted);
    const modelLatencyMs = performance.now() - attemptStarted;
    // A shadow is judged on complete answers only; a failed stream logs it unjudged (as without
    // streaming). It started with the provider call, so by the last event it has almost always
    // answered; its cost is the request's too, and goes in the trailer.
    const shadowAttempt = context.shadow ? await context.shadow : undefined;
    const shadow = status === 200 ? judgeShadow(shadowAttempt, text) : shadowAttempt;
    const totalUsd = shadow ? addCosts([costUsd, shadow.costUsd]) : costUsd;
    raw.addTrailers({ 'x-rightsize-cost-usd': formatCost(totalUsd) });
    raw.end();
    const latencyMs = performance.now() - started;
    attempts.push({
      tier: 0,
      model: model.id,
      provider: model.provider?.id ?? 'none',
      outcome: status === 200 ? 'accepted' : 'failed',
      ...(errorCode ? { reason: errorCode } : {}),
      latencyMs: modelLatencyMs,
      costUsd,
    });
    if (shadow) attempts.push(shadow);
    record(base, {
      route: plan.route,
      decision: decisionOf(plan),
      servedModel: model.id,
      provider: model.provider?.id ?? null,
      tiers: attempts,
      status,
      errorCode,
      usage: counted,
      costUsd: totalUsd,
      latencyMs,
      ttftMs,
      escalations: 0,
      responseText: logContent ? text || null : null,
    });
  }

  async function streamWhole(
    reply: FastifyReply,
    context: StreamContext,
    model: ResolvedModel,
    attempts: TierAttempt[],
  ): Promise<void> {
    const single: Plan = { ...context.plan, tiers: [{ model: model.id, fallbacks: [] }] };
    const result = await executePlan(single, {
      request: context.chat,
      requestId: context.requestId,
      signal: context.signal,
      context: runtime.context,
      ...(context.shadow ? { shadow: context.shadow } : {}),
    });
    // The models skipped before this one come first in the log row.
    const spent = { attempts: [...attempts, ...result.attempts], usage: result.usage, costUsd: result.costUsd };
    if (!result.ok) {
      const failure = context.signal.aborted ? context.signal.reason : result.error;
      logFailure(context.base, context.plan, spent, failure, context.started);
      throw result.error;
    }
    if (clientLeft(context.signal)) {
      logFailure(context.base, context.plan, spent, context.signal.reason, context.started);
      reply.hijack();
      return;
    }
    reply.hijack();
    reply.raw.writeHead(200, Object.assign(decisionHeaders(context.requestId, context.plan, result), sseHeaders));
    const includeUsage = context.chat.stream_options?.include_usage === true;
    const usage = answeringUsage(result);
    for (const event of synthesizeStream(result.completion.response, result.servedModel, usage, includeUsage))
      reply.raw.write(event);
    reply.raw.end();
    const latencyMs = performance.now() - context.started;
    record(context.base, {
      route: context.plan.route,
      decision: decisionOf(context.plan),
      servedModel: result.servedModel,
      provider: result.provider,
      tiers: spent.attempts,
      status: 200,
      errorCode: null,
      usage: result.usage,
      costUsd: result.costUsd,
      latencyMs,
      ttftMs: latencyMs,
      escalations: 0,
      responseText: logContent ? (result.completion.response.choices?.[0]?.message?.content ?? null) : null,
    });
  }

  /** What is known of a request before it runs; `messages` are logged (with `logContent`) whatever the outcome. */
  type BaseRecord = Pick<RequestLogRecord, 'id' | 'time' | 'apiKeyId' | 'requestedModel' | 'stream' | 'tag'> & {
    messages: ChatCompletionRequest['messages'];
  };

  /**
   * Logs a request that got no answer (an error, or the client's leaving): its status and code, and
   * what it spent first (`spent`: the tiers tried, the tokens and USD of those that answered); `plan`
   * is undefined when it failed before one was made. Escalations count the tiers it moved past
   * before the one that ended it.
   */
  function logFailure(base: BaseRecord, plan: Plan | undefined, spent: Spent, error: unknown, started: number): void {
    const failure = toRightsizeError(error, runtime.config.server.bodyLimitBytes);
    const tiersTried = new Set(spent.attempts.filter((attempt) => attempt.tier >= 0).map((attempt) => attempt.tier));
    record(base, {
      route: plan?.route ?? null,
      decision: plan ? decisionOf(plan) : null,
      servedModel: null,
      provider: failure.upstream?.provider ?? null,
      tiers: spent.attempts,
      status: toErrorResponse(failure).status,
      errorCode: failure.code,
      usage: spent.usage,
      costUsd: spent.costUsd,
      latencyMs: performance.now() - started,
      ttftMs: null,
      escalations: Math.max(0, tiersTried.size - 1),
      responseText: null,
    });
  }

  /** What happened to a request, logged with its `BaseRecord`. */
  interface Outcome
    extends Pick<
      RequestLogRecord,
      | 'route'
      | 'decision'
      | 'servedModel'
      | 'provider'
      | 'tiers'
      | 'status'
      | 'errorCode'
      | 'costUsd'
      | 'latencyMs'
      | 'ttftMs'
      | 'escalations'
      | 'responseText'
    > {
    usage: TokenUsage | undefined;
  }

  function record(base: BaseRecord, outcome: Outcome): void {
    const usage = outcome.usage;
    // Every field named, in one literal: rows share one hidden class. Spreading `base` into a literal
    // and adding fields made V8 build new hidden classes for every request (about 25 µs each).
    const row: RequestLogRecord = {
      id: base.id,
      time: base.time,
      apiKeyId: base.apiKeyId,
      requestedModel: base.requestedModel,
      route: outcome.route,
      servedModel: outcome.servedModel,
      provider: outcome.provider,
      tiers: outcome.tiers,
      status: outcome.status,
      errorCode: outcome.errorCode,
      stream: base.stream,
      inputTokens: usage?.inputTokens ?? 0,
      cachedInputTokens: usage?.cachedInputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      reasoningTokens: usage?.reasoningTokens ?? 0,
      usageSource: usage?.source ?? null,
      costUsd: outcome.costUsd,
      latencyMs: outcome.latencyMs,
      ttftMs: outcome.ttftMs,
      escalations: outcome.escalations,
      tag: base.tag,
      decision: outcome.decision,
      // What was asked, whatever came of it (failed requests too: to see why; analysis reads answered ones only).
      requestMessages: logContent ? JSON.stringify(base.messages) : null,
      responseText: outcome.responseText,
    };
    runtime.logWriter.append(row);
    metrics.observe(row);
  }
}

/** What a request spent before it failed (see {@link ExecutionFailure}); an answer's result has the same fields. */
type Spent = Pick<ExecutionFailure, 'attempts' | 'usage' | 'costUsd'>;

/** What a request that failed before any tier ran spent: nothing (a new object: rows never share `tiers`). */
function nothingSpent(): Spent {
  return { attempts: [], usage: undefined, costUsd: 0 };
}

const sseHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The id of the client API key that authenticated the request (null when auth is off). */
    apiKeyId: string | null;
    /** A chat completion's `x-request-id` (its log row's id), made before authentication; null on other routes. */
    requestId: string | null;
  }
}

function parseBody(rawBody: unknown): ChatCompletionRequest {
  if (!Buffer.isBuffer(rawBody))
    throw new RightsizeError('invalid_json', 'Send the request as a JSON body with "Content-Type: application/json".');
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new RightsizeError('invalid_json', 'The request body is not valid JSON; check quotes, commas and brackets.');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new RightsizeError('invalid_request', 'The request body must be a JSON object with "model" and "messages".');
  }
  const parsed = chatCompletionRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue ? zodIssueField(issue.path) : '';
    const what = issue ? describeZodIssue(issue, json) : 'invalid';
    throw new RightsizeError(
      'invalid_request',
      `Invalid chat completion request: ${param ? `${param}: ` : ''}${what}.`,
      param ? { param } : {},
    );
  }
  return parsed.data;
}

/**
 * The `x-rightsize-review-wait-seconds` header in ms (0 when absent).
 * @throws RightsizeError `invalid_request` unless it is a plain number of seconds from 0 to 300.
 */
function reviewWaitMs(request: FastifyRequest): number {
  const value = headerString(request.headers['x-rightsize-review-wait-seconds']);
  if (value === undefined) return 0;
  const seconds = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(seconds >= 0 && seconds <= MAX_REVIEW_WAIT_SECONDS)) {
    throw new RightsizeError(
      'invalid_request',
      `x-rightsize-review-wait-seconds must be a number of seconds from 0 to ${MAX_REVIEW_WAIT_SECONDS}.`,
      { param: 'x-rightsize-review-wait-seconds' },
    );
  }
  return seconds * 1000;
}

function decisionOf(plan: Plan): string | null {
  return plan.reasons.length > 0 ? plan.reasons.join('; ') : null;
}

function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The usage a client is told of: the answering tier's when its answer reports one (a person's: no
 * tokens), else what the request spent over its tiers, as `normalise` does for answers not streamed.
 */
function answeringUsage(result: ExecutionResult): TokenUsage | undefined {
  return result.completion.response.usage ? result.completion.usage : result.usage;
}

function normalise(result: ExecutionResult, requestId: string): Record<string, unknown> {
  const response = result.completion.response;
  return {
    ...response,
    id: response.id ?? `chatcmpl-${requestId}`,
    object: 'chat.completion',
    created: typeof response['created'] === 'number' ? response['created'] : Math.floor(Date.now() / 1000),
    model: response.model ?? result.servedModel,
    usage: response.usage ?? {
      prompt_tokens: result.usage.inputTokens,
      completion_tokens: result.usage.outputTokens,
      total_tokens: result.usage.inputTokens + result.usage.outputTokens,
    },
  };
}

function streamedText(events: readonly string[]): string {
  let text = '';
  for (const data of events) {
    try {
      const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string | null } }> };
      text += chunk.choices?.[0]?.delta?.content ?? '';
    } catch {
      // A chunk that is not JSON carries no text to count.
    }
  }
  return text;
}

function waitForDrain(stream: NodeJS.WritableStream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    stream.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A valid `x-rightsize-task`: 1-200 printable ASCII characters. */
const TASK_TAG = /^[\x20-\x7e]{1,200}$/;

/** Whether a request's signal says its client went away (rather than the server stopping it). */
function clientLeft(signal: AbortSignal): boolean {
  return signal.aborted && isRightsizeError(signal.reason, 'client_closed_request');
}
