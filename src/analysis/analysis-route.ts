import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { describeZodIssue } from '../errors/describe-zod-issue.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import type { Store } from '../store/store.ts';
import { analyzeStore } from './analyze-store.ts';
import { parseDuration } from './parse-duration.ts';

const querySchema = z.strictObject({
  /** Only the log rows this recent, e.g. `7d`. */
  since: z.string().optional(),
  /** Target accuracy for the coverage a specialist could buy. */
  target_accuracy: z.coerce.number().gt(0).lt(1).optional(),
});

/**
 * `GET /v1/rightsize/analysis?since=7d`: the task families of the request log with their cost and
 * the opportunities to move them to a specialist, as `rightsize analyze --json` prints them.
 * Families are found by prompt template (and tag); the meaning-based split of free-form traffic,
 * which loads the sentence encoder, is left to the CLI so the gateway process stays lean.
 * @throws RightsizeError `invalid_request` for a bad query (400).
 */
export function registerAnalysisRoute(app: FastifyInstance, store: Store): void {
  app.get('/v1/rightsize/analysis', async (request) => {
    const parsed = querySchema.safeParse(request.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RightsizeError(
        'invalid_request',
        `Invalid query: ${issue?.path.join('.') || 'query'}: ${issue ? describeZodIssue(issue, request.query) : 'invalid'}; e.g. ?since=7d&target_accuracy=0.97.`,
        {
          param: String(issue?.path[0] ?? 'query'),
        },
      );
    }
    let sinceMs: number | undefined;
    try {
      sinceMs = parsed.data.since === undefined ? undefined : parseDuration(parsed.data.since, 'since');
    } catch (error) {
      throw new RightsizeError('invalid_request', (error as Error).message, { param: 'since' });
    }
    return analyzeStore(store, {
      cluster: false,
      ...(sinceMs === undefined ? {} : { sinceMs }),
      ...(parsed.data.target_accuracy === undefined ? {} : { targetAccuracy: parsed.data.target_accuracy }),
    });
  });
}
