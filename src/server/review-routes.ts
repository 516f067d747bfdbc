import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RightsizeError } from '../errors/rightsize-error.ts';
import type { ReviewQueue } from '../review/review-queue.ts';
import { jsonBody } from './json-body.ts';

const listQuerySchema = z.strictObject({
  status: z.enum(['pending', 'claimed', 'resolved']).optional(),
  route: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
const claimSchema = z.strictObject({ reviewer: z.string().min(1).max(200).optional() });
const resolveSchema = z.strictObject({
  reviewer: z.string().min(1).max(200).optional(),
  /** The gold label (classification routes) or the answer. */
  decision: z.string().min(1).max(100_000),
});

/**
 * The human review queue over HTTP: `GET /v1/rightsize/review?status=pending`,
 * `GET /v1/rightsize/review/{id}`, `POST /v1/rightsize/review/{id}/claim` `{reviewer}`,
 * `POST /v1/rightsize/review/{id}/resolve` `{reviewer, decision}`. The reviewer defaults to the
 * id of the API key used. On classification routes a decision must be one of the labels.
 */
export function registerReviewRoutes(app: FastifyInstance, queue: ReviewQueue): void {
  app.get('/v1/rightsize/review', async (request) => {
    const query = parse(listQuerySchema, request.query, 'query');
    const items = await queue.list(query);
    return { object: 'list', data: items };
  });

  app.get<{ Params: { id: string } }>('/v1/rightsize/review/:id', async (request) => {
    const item = await queue.get(request.params.id);
    if (!item) throw new RightsizeError('not_found', `No review item ${request.params.id}.`);
    return item;
  });

  app.post<{ Params: { id: string } }>('/v1/rightsize/review/:id/claim', async (request) => {
    const body = parse(claimSchema, jsonBody(request.body), 'body');
    return queue.claim(request.params.id, reviewerOf(body.reviewer, request.apiKeyId));
  });

  app.post<{ Params: { id: string } }>('/v1/rightsize/review/:id/resolve', async (request) => {
    const body = parse(resolveSchema, jsonBody(request.body), 'body');
    const item = await queue.get(request.params.id);
    if (!item) throw new RightsizeError('not_found', `No review item ${request.params.id}.`);
    if (item.labels && !item.labels.includes(body.decision)) {
      throw new RightsizeError(
        'invalid_request',
        `decision must be one of the route's ${item.labels.length} labels (GET the item to see them).`,
        { param: 'decision' },
      );
    }
    return queue.resolve(request.params.id, {
      reviewer: reviewerOf(body.reviewer, request.apiKeyId),
      decision: body.decision,
    });
  });
}

function reviewerOf(given: string | undefined, apiKeyId: string | null): string {
  const reviewer = given ?? apiKeyId;
  if (!reviewer)
    throw new RightsizeError('invalid_request', 'Name the reviewer: send {"reviewer": "<name>"}.', {
      param: 'reviewer',
    });
  return reviewer;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue?.path.join('.') || where;
  throw new RightsizeError('invalid_request', `Invalid ${where}: ${param}: ${issue?.message ?? 'invalid'}.`, { param });
}
