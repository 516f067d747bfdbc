import Fastify, { type FastifyInstance } from 'fastify';
import { toErrorResponse } from '../errors/error-table.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import { registerPromotionRoutes } from '../promotion/promotion-routes.ts';
import { type AutoPlanner, registerChatCompletionsRoute } from './chat-completions-route.ts';
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
 * OpenAI's envelope; nothing thrown reaches the client as a bare 500.
 */
export function createServer(options: CreateServerOptions): { app: FastifyInstance; metrics: GatewayMetrics } {
  const { runtime } = options;
  const bodyLimit = runtime.config.server.bodyLimitBytes;
  const app = Fastify({
    logger: false,
    bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  const metrics = createGatewayMetrics();

  // Bodies stay bytes: the chat route parses them itself (own error messages) and may forward them as they are.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
    done(null, body),
  );
  app.decorateRequest('apiKeyId', null);

  app.addHook('onRequest', async (request) => {
    if (request.url === '/healthz') return;
    request.apiKeyId = runtime.authenticator.authenticate(request.headers.authorization);
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

  registerChatCompletionsRoute(app, { runtime, metrics, ...(options.planAuto ? { planAuto: options.planAuto } : {}) });
  registerReviewRoutes(app, runtime.reviewQueue, { labelsOf: (route) => runtime.planSources.labelsOf(route) });
  registerPromotionRoutes(app, runtime);

  app.get('/v1/models', async () => {
    const created = Math.floor(Date.now() / 1000);
    const ids = [
      ...Object.keys(runtime.config.routes),
      ...(options.planAuto ? ['auto'] : []),
      ...runtime.availableModels(),
    ];
    return {
      object: 'list',
      data: ids.map((id) => ({ id, object: 'model', created, owned_by: ownerOf(id, runtime) })),
    };
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => {
    void reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  options.extraRoutes?.(app);
  return { app, metrics };
}

function ownerOf(id: string, runtime: GatewayRuntime): string {
  if (runtime.config.routes[id] || id === 'auto') return 'rightsize';
  if (id.startsWith('specialist/')) return 'specialist';
  return runtime.catalog.get(id)?.provider ?? 'rightsize';
}
