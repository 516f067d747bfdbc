import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseRequestInput } from '../errors/describe-zod-issue.ts';
import { quoteInput } from '../errors/quote-input.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import { matchDecision } from '../review/match-decision.ts';
import type { ReviewQueue } from '../review/review-queue.ts';
import { reviewerNameProblem } from '../review/reviewer-name.ts';
import type { ReviewItem } from '../store/store.ts';
import { jsonBody } from './json-body.ts';

const listQuerySchema = z.strictObject({
  status: z.enum(['pending', 'claimed', 'resolved']).optional(),
  route: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
/** A reviewer's name (see {@link reviewerNameProblem}). */
const reviewerName = z.string().superRefine((name, context) => {
  const problem = reviewerNameProblem(name);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});
const claimSchema = z.strictObject({ reviewer: reviewerName.optional() });
const resolveSchema = z.strictObject({
  reviewer: reviewerName.optional(),
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
 * The human review queue over HTTP: `GET /v1/rightsize/review?status=pending` (`{object: 'list',
 * data: ReviewItem[]}`), `GET /v1/rightsize/review/{id}` (one `ReviewItem`: input, labels, earlier
 * tiers' answers, status, claim and decision), `POST /v1/rightsize/review/{id}/claim` `{reviewer?}`,
 * `POST /v1/rightsize/review/{id}/release` `{reviewer?}` (the claimant gives it back) and
 * `POST /v1/rightsize/review/{id}/resolve` `{reviewer?, decision}` (the item as it stands after). A
 * claim lapses after `human.claimTimeoutSeconds` (30 minutes by default): the item is pending again.
 *
 * Who is recorded (`claimedBy`, `resolvedBy`), see {@link reviewerOf}: with client keys
 * (`server.apiKeys`) the reviewer is bound to the key used, the key's id when no `reviewer` is sent
 * (or the key's own id is sent) and `<keyId>/<reviewer>` otherwise, so people sharing one key tell
 * themselves apart and no key can act under another key's name; a claim is resolved by the same
 * key with the same `reviewer` (or none, if it was claimed with none). Without keys the `reviewer`
 * sent is recorded as given, and is required.
 *
 * On classification routes a decision must name one of the labels: the item's, or for an item
 * queued while they were unknown (a specialist still training) the route's current ones, which are
 * then shown with the item and stored on it when it is resolved. It is matched as the CLI and the
 * gateway match labels ({@link matchDecision}: `"Card Arrival"` is `card_arrival`) and stored as
 * the label is spelled.
 * Errors (OpenAI's envelope): 400 `invalid_request` (bad query or body, a decision that names no
 * label, no reviewer without keys, a `reviewer` holding `/` with keys), 404 `not_found`, 409
 * `conflict` (claimed by another, already resolved, or a release by someone other than the claimant).
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
    if (!item) throw new RightsizeError('not_found', `No review item ${quoteInput(request.params.id)}.`);
    return withLabels(item);
  });

  app.post<{ Params: { id: string } }>('/v1/rightsize/review/:id/claim', async (request) => {
    const body = parseRequestInput(claimSchema, jsonBody(request.body), 'body');
    return queue.claim(request.params.id, reviewerOf(body.reviewer, request.apiKeyId));
  });

  app.post<{ Params: { id: string } }>('/v1/rightsize/review/:id/release', async (request) => {
    const body = parseRequestInput(claimSchema, jsonBody(request.body), 'body');
    return queue.release(request.params.id, reviewerOf(body.reviewer, request.apiKeyId));
  });

  app.post<{ Params: { id: string } }>('/v1/rightsize/review/:id/resolve', async (request) => {
    const body = parseRequestInput(resolveSchema, jsonBody(request.body), 'body');
    const item = await queue.get(request.params.id);
    if (!item) throw new RightsizeError('not_found', `No review item ${quoteInput(request.params.id)}.`);
    const labels = labelsFor(item);
    const decision = labels
      ? matchDecision(body.decision, labels, {
          route: item.route,
          subject: 'decision',
          hint: `GET /v1/rightsize/review/${item.id} shows them`,
        })
      : body.decision;
    return queue.resolve(request.params.id, {
      reviewer: reviewerOf(body.reviewer, request.apiKeyId),
      decision,
      // An item queued before its route's labels were known keeps the set its decision was checked against.
      ...(item.labels === null && labels ? { labels } : {}),
    });
  });
}

/**
 * The reviewer a claim or resolution is recorded as. Without client keys (`apiKeyId` null): `given`,
 * as sent. With keys: the key's id when `given` is absent or is the key's id, else
 * `<apiKeyId>/<given>`. The same key and the same `given` always give the same name, so whoever
 * claimed an item can resolve it, and no key can name itself as another key or another key's person.
 * @throws RightsizeError `invalid_request` (param `reviewer`) when keys are off and no reviewer is
 *   given, or keys are on and `given` holds `/` (which would let one key's names pass for another's).
 */
function reviewerOf(given: string | undefined, apiKeyId: string | null): string {
  if (apiKeyId === null) {
    if (given === undefined)
      throw new RightsizeError('invalid_request', 'Name the reviewer: send {"reviewer": "<name>"}.', {
        param: 'reviewer',
      });
    return given;
  }
  if (given === undefined || given === apiKeyId) return apiKeyId;
  if (given.includes('/'))
    throw new RightsizeError(
      'invalid_request',
      `reviewer "${given.slice(0, 80)}" holds "/": with API keys the gateway records "${apiKeyId}/<reviewer>" itself; send a plain name, or none to act as "${apiKeyId}".`,
      { param: 'reviewer' },
    );
  return `${apiKeyId}/${given}`;
}
