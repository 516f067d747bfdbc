import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { toErrorResponse } from '../errors/error-table.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import { registerPromotionRoutes } from '../promotion/promotion-routes.ts';
import type { KeyScope } from './authenticate.ts';
import { type AutoPlanner, registerChatCompletionsRoute } from './chat-completions-route.ts';
import { createRequestId } from './create-request-id.ts';
import type { GatewayRuntime } from './create-runtime.ts';
import { createGatewayMetrics, type GatewayMetrics } from './gateway-metrics.ts';
import { registerReviewRoutes } from './review-routes.ts';
import { toRightsizeError } from './send-error.ts';

export interface CreateServerOptions {
  runtime: GatewayRuntime;
  planAuto?: AutoPlanner;
  /** Registers more routes (e.g. `/v1/rightsize/select`) on the app before it is ready. */
  extraRoutes?: (app: FastifyInstance) => void;
}

/**
 * The HTTP server (Fastify): `POST /v1/chat/completions`, `GET /v1/models`, `GET /healthz`,
 * `GET /metrics`, and Rightsize's own endpoints under `/v1/rightsize/`. Every error leaves in
 * OpenAI's envelope, malformed HTTP included; nothing thrown reaches the client as a bare 500.
 */
export function createServer(options: CreateServerOptions): {
  app: FastifyInstance;
  metrics: GatewayMetrics;
  /**
   * Stops every chat completion not yet answered, with `reason` as its error (e.g. `shutting_down`):
   * each is answered with that error (in band for a stream under way) and logged. Returns how many.
   */
  stopInFlight(reason: RightsizeError): number;
} {
  const { runtime } = options;
  const inFlight = new Set<AbortController>();
  const bodyLimit = runtime.config.server.bodyLimitBytes;
  const metrics = createGatewayMetrics();
  const app = Fastify({
    logger: false,
    bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    clientErrorHandler: (error, socket) => answerMalformedRequest(error, socket, metrics),
    // Errors Fastify meets before routing (a badly percent-encoded path): the same envelope.
    frameworkErrors: (error, _request, reply) => {
      const { status, body } = toErrorResponse(toRightsizeError(error, bodyLimit));
      void (reply as FastifyReply).code(status).header('content-type', 'application/json').send(body);
    },
  });

  // Bodies stay bytes: the chat route parses them itself (own error messages) and may forward them as they are.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
    done(null, body),
  );
  app.decorateRequest('apiKeyId', null);
  app.decorateRequest('requestId', null);

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url === '/v1/chat/completions') {
      // Before authentication and body parsing: their 401 and 413 answers carry the id too.
      request.requestId = createRequestId();
      void reply.header('x-request-id', request.requestId);
    }
    // The route matched, not the raw URL: `/healthz?x=1` is the health check too, and nothing else is.
    // Without client keys there is nothing to check (and no scope to look up on the fast path).
    if (request.routeOptions.url === '/healthz' || !runtime.authenticator.enabled) return;
    request.apiKeyId = runtime.authenticator.authenticate(
      request.headers.authorization,
      scopeOf(request.routeOptions.url),
    );
  });

  app.setErrorHandler((error, _request, reply) => {
    const failure = toRightsizeError(error, bodyLimit);
    if (failure.code === 'internal_error')
      process.stderr.write(
        `rightsize: internal error: ${String((failure.cause as Error | undefined)?.stack ?? failure.cause)}\n`,
      );
    const { status, body } = toErrorResponse(failure);
    metrics.error(failure.code, status);
    void reply.code(status).header('content-type', 'application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const { status, body } = toErrorResponse(
      new RightsizeError(
        'not_found',
        `No endpoint ${request.method} ${request.url.split('?')[0]}; see GET /v1/models and the README.`,
      ),
    );
    void reply.code(status).send(body);
  });

  registerChatCompletionsRoute(app, {
    runtime,
    metrics,
    inFlight,
    ...(options.planAuto ? { planAuto: options.planAuto } : {}),
  });
  registerReviewRoutes(app, runtime.reviewQueue, { labelsOf: (route) => runtime.planSources.labelsOf(route) });
  registerPromotionRoutes(app, runtime);

  const listedModels = () => {
    // `auto` chooses among catalog models whose provider is configured: with none, it is not offered.
    const autoChooses = options.planAuto !== undefined && runtime.autoAvailable();
    return [...Object.keys(runtime.config.routes), ...(autoChooses ? ['auto'] : []), ...runtime.availableModels()];
  };
  const modelObject = (id: string, created: number) => ({
    id,
    object: 'model',
    created,
    owned_by: ownerOf(id, runtime),
  });
  app.get('/v1/models', async () => {
    const created = Math.floor(Date.now() / 1000);
    return { object: 'list', data: listedModels().map((id) => modelObject(id, created)) };
  });
  // OpenAI's `models.retrieve`; ids may hold a slash (`specialist/NAME`), hence the wildcard.
  app.get<{ Params: { '*': string } }>('/v1/models/*', async (request) => {
    const id = request.params['*'];
    if (!listedModels().includes(id)) {
      throw new RightsizeError(
        'model_not_found',
        `The model "${id.slice(0, 100)}" is not one a client may name here; GET /v1/models lists them.`,
        { param: 'model' },
      );
    }
    return modelObject(id, Math.floor(Date.now() / 1000));
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => {
    void reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  options.extraRoutes?.(app);
  return {
    app,
    metrics,
    stopInFlight(reason) {
      const stopped = [...inFlight];
      for (const controller of stopped) controller.abort(reason);
      return stopped.length;
    },
  };
}

/**
 * Answers a request Node's HTTP parser refuses (a garbage request line, a Content-Length that is not
 * a number, control bytes in a header, the bytes past a body shorter than its Content-Length, headers
 * over the size limit, a request that never finished arriving) in OpenAI's envelope: 400
 * `invalid_request`, then closes the connection, whose later bytes cannot be trusted. A connection
 * the client reset, or already closed, gets nothing.
 */
function answerMalformedRequest(
  error: Error & { code?: string; reason?: string },
  socket: Duplex,
  metrics: GatewayMetrics,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const failure = new RightsizeError('invalid_request', malformedRequestMessage(error));
  const { status, body } = toErrorResponse(failure);
  metrics.error(failure.code, status);
  const json = JSON.stringify(body);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`,
    () => socket.destroy(),
  );
}

function malformedRequestMessage(error: { code?: string; reason?: string }): string {
  const close = 'the connection is closed';
  switch (error.code) {
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return `Malformed HTTP request: the Content-Length header is not one valid length (send the body's size in bytes); ${close}.`;
    case 'HPE_INVALID_HEADER_TOKEN':
      return `Malformed HTTP request: a header has a character HTTP does not allow (e.g. a control byte); ${close}.`;
    case 'HPE_INVALID_METHOD':
    case 'HPE_INVALID_URL':
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_CONSTANT':
      return `Malformed HTTP request: the request line is not "METHOD /path HTTP/1.1" (after a body shorter than its Content-Length, its rest is read as the next request); ${close}.`;
    case 'HPE_HEADER_OVERFLOW':
      return `Malformed HTTP request: the headers are over the size limit; ${close}.`;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return `The request did not finish arriving in time; ${close}.`;
    default:
      return `Malformed HTTP request${error.reason ? ` (${error.reason})` : ''}; ${close}.`;
  }
}

function ownerOf(id: string, runtime: GatewayRuntime): string {
  if (runtime.config.routes[id] || id === 'auto') return 'rightsize';
  if (id.startsWith('specialist/')) return 'specialist';
  return runtime.catalog.get(id)?.provider ?? 'rightsize';
}

/**
 * The key scope an endpoint needs: the review queue `review`; promotions and the log's analysis
 * (routing for everyone, and every team's traffic) `admin`; the rest (chat completions, models,
 * select, metrics) `chat`; none for a path that is no endpoint (any valid key gets its 404).
 */
function scopeOf(route: string | undefined): KeyScope | undefined {
  if (route === undefined) return undefined;
  if (route.startsWith('/v1/rightsize/review')) return 'review';
  if (route.startsWith('/v1/rightsize/promotions') || route.startsWith('/v1/rightsize/analysis')) return 'admin';
  return 'chat';
}
