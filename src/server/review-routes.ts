import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseRequestInput } from '../errors/describe-zod-issue.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import type { ReviewQueue } from '../review/review-queue.ts';
import type { ReviewItem } from '../store/store.ts';
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

/** Options of {@link registerReviewRoutes}. */
export interface ReviewRoutesOptions {
  /**
   * A route's label set as the gateway knows it now (its `labels`, or its `labelsFrom` specialist's),
   * else null: for items queued while it was unknown (their `labels` is null).
   */
  labelsOf?: (route: string) => readonly string[] | null;
}

/**
 * The human review queue over HTTP: `GET /v1/rightsize/review?status=pending`,
 * `GET /v1/rightsize/review/{id}`, `POST /v1/rightsize/review/{id}/claim` `{reviewer}`,
 * `POST /v1/rightsize/review/{id}/resolve` `{reviewer, decision}`. The reviewer defaults to the
 * id of the API key used. On classification routes a decision must be one of the labels: the
 * item's, or for an item queued while they were unknown (a specialist still training) the route's
 * current ones, which are then shown with the item and stored on it when it is resolved.
 * Errors (OpenAI's envelope): 400 `invalid_request` (bad query or body, a decision that is not a
 * label, no reviewer), 404 `not_found`, 409 `conflict` (claimed by another, or already resolved).
 */
export function registerReviewRoutes(
  app: FastifyInstance,
  queue: ReviewQueue,
  options: ReviewRoutesOptions = {},
): void {
  /** The item's labels, else its route's as known now. */
  const labelsFor = (item: ReviewItem): readonly string[] | null =>
    item.labels ?? options.labelsOf?.(item.route) ?? null;
  const withLabels = (item: ReviewItem): ReviewItem => {
    if (item.labels !== null) return item;
    const labels = labelsFor(item);
    return labels ? { ...item, labels: [...labels] } : item;
  };

  app.get('/v1/rightsize/review', async (request) => {
    const query = parseRequestInput(listQuerySchema, request.query, 'query');
    const items = await queue.list(query);
    return { object: 'list', data: items.map(withLabels) };
  });

  app.get<{ Params: { id: string } }>('/v1/rightsize/review/:id', async (request) => {
    const item = await queue.get(request.params.id);
    if (!item) throw new RightsizeError('not_found', `No review item ${request.params.id}.`);
    return withLabels(item);
  });

  app.post<{ Params: { id: string } }>('/v1/rightsize/review/:id/claim', async (request) => {
    const body = parseRequestInput(claimSchema, jsonBody(request.body), 'body');
    return queue.claim(request.params.id, reviewerOf(body.reviewer, request.apiKeyId));
  });

  app.post<{ Params: { id: string } }>('/v1/rightsize/review/:id/resolve', async (request) => {
    const body = parseRequestInput(resolveSchema, jsonBody(request.body), 'body');
    const item = await queue.get(request.params.id);
    if (!item) throw new RightsizeError('not_found', `No review item ${request.params.id}.`);
    const labels = labelsFor(item);
    if (labels && !labels.includes(body.decision)) {
      throw new RightsizeError(
        'invalid_request',
        `decision must be one of the route's ${labels.length} labels (GET the item to see them).`,
        { param: 'decision' },
      );
    }
    return queue.resolve(request.params.id, {
      reviewer: reviewerOf(body.reviewer, request.apiKeyId),
      decision: body.decision,
      // An item queued before its route's labels were known keeps the set its decision was checked against.
      ...(item.labels === null && labels ? { labels } : {}),
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
