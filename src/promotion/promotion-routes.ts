import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseRequestInput } from '../errors/describe-zod-issue.ts';
import { isRightsizeError, RightsizeError } from '../errors/rightsize-error.ts';
import type { GatewayRuntime } from '../server/create-runtime.ts';
import { jsonBody } from '../server/json-body.ts';
import { SPECIALIST_NAME_PATTERN } from '../specialists/registry/specialist-paths.ts';
import type { PromoteFamilyOptions, PromoteFamilyResult } from './promote-family.ts';
import { publicPromoteResult, publicPromotion } from './public-promotion.ts';

/** A family id as `analyze` reports it: `fam_` and 10 hex digits. */
const familyId = z.string().regex(/^fam_[0-9a-f]{10}$/, 'a family id from `rightsize analyze`, e.g. fam_ef3c49d670');

const promoteBodySchema = z.strictObject({
  /** The family id from `rightsize analyze` (or `GET /v1/rightsize/analysis`). */
  family: familyId,
  /** The specialist's name in the registry. */
  specialist: z
    .string()
    .max(100)
    .regex(SPECIALIST_NAME_PATTERN, 'a specialist name: lowercase letters, digits and dashes'),
  /** Run it beside the model without answering, and log its agreement. */
  shadow: z.boolean().optional(),
  /** Go active without (enough, or good enough) shadow data. */
  force: z.boolean().optional(),
  /** As `rightsize promote --threshold`: accept the specialist at this confidence (checked against the shadow data). */
  threshold: z.number().min(0).max(1).optional(),
  /** As `--min-shadow-requests`. @default 50 */
  min_shadow_requests: z.number().int().min(0).max(1_000_000).optional(),
  /** As `--keep-threshold`. */
  keep_threshold: z.boolean().optional(),
  /** As `--confidence`. @default 0.95 */
  confidence: z.number().gt(0).lt(1).optional(),
  /** As `--point-estimate`. */
  point_estimate: z.boolean().optional(),
});
const rollbackBodySchema = z.strictObject({});

/** Options of {@link registerPromotionRoutes}. */
export interface PromotionRoutesOptions {
  /** Folder of distillation records. @default .rightsize/distillations (as `rightsize promote`) */
  distillationDir?: string;
}

/**
 * Promotions over HTTP, as `rightsize promote` does them (`promoteFamily`), behind the gateway's
 * client API keys like every `/v1/rightsize/` endpoint:
 * - `GET /v1/rightsize/promotions`: `{object: "list", data: Promotion[]}`, one per family that was
 *   ever promoted, rolled-back ones included (`mode`), oldest change first; `matcher` is an object
 *   (`{kind: "template" | "tag" | ..., ...}`, as the store keeps it in JSON text).
 * - `POST /v1/rightsize/promotions` `{family, specialist, shadow?, force?}`: shadow mode, or active
 *   (needs shadow data, or `force`); also `threshold`, `min_shadow_requests`, `keep_threshold`,
 *   `confidence`, `point_estimate`, as the CLI's flags of those names. Answers `promoteFamily`'s result
 *   `{promotion, previous, shadow, recalibration?}` once this gateway applies it, the specialist's
 *   current version loaded; other gateways on the store apply it within a second.
 * - `POST /v1/rightsize/promotions/{family}/rollback`: the family's requests go to the model again.
 * The request log is flushed first, so requests served a moment ago count as shadow data.
 * Errors (OpenAI's envelope): 400 `invalid_json` / `invalid_request` (bad body, unknown field,
 * bad name) and `invalid_input` (no threshold, a free-form cluster); 404 `not_found` (unknown family,
 * nothing to roll back, `param: "family"`) and `model_not_found` (specialist not in the registry,
 * `param: "specialist"`); 409 `conflict` (no, too little or too poor shadow data without `force`; a
 * damaged specialist folder).
 */
export function registerPromotionRoutes(
  app: FastifyInstance,
  runtime: GatewayRuntime,
  options: PromotionRoutesOptions = {},
): void {
  const registryDir = resolve(runtime.config.specialists.registry);

  async function promote(
    body: Omit<PromoteFamilyOptions, 'store' | 'registryDir' | 'distillationDir' | 'actor' | 'clusters' | 'caller'>,
    apiKeyId: string | null,
  ): Promise<Record<string, unknown>> {
    const { promoteFamily } = await import('./promote-family.ts');
    await runtime.logWriter.flush();
    let result: PromoteFamilyResult;
    try {
      result = await promoteFamily({
        ...body,
        store: runtime.store,
        registryDir,
        actor: apiKeyId ?? 'http',
        clusters: false,
        caller: 'http',
        ...(options.distillationDir ? { distillationDir: options.distillationDir } : {}),
      });
    } catch (error) {
      if (isRightsizeError(error, 'model_not_found'))
        throw new RightsizeError('model_not_found', error.message, { param: 'specialist' });
      // A damaged specialist folder is the registry's state, not the gateway's failure.
      if (isRightsizeError(error, 'invalid_config'))
        throw new RightsizeError('conflict', error.message, { param: 'specialist' });
      throw error;
    }
    // Applied here before answering (and the specialist's new version loaded): no poll to wait for.
    await runtime.promotions.refresh();
    return publicPromoteResult(result);
  }

  app.get('/v1/rightsize/promotions', async () => ({
    object: 'list',
    data: (await runtime.store.listPromotions()).map(publicPromotion),
  }));

  app.post('/v1/rightsize/promotions', async (request) => {
    const body = parseRequestInput(promoteBodySchema, jsonBody(request.body), 'body');
    return promote(
      {
        familyId: body.family,
        specialist: body.specialist,
        ...(body.shadow ? { shadow: true } : {}),
        ...(body.force ? { force: true } : {}),
        ...(body.threshold === undefined ? {} : { threshold: body.threshold }),
        ...(body.min_shadow_requests === undefined ? {} : { minShadowRequests: body.min_shadow_requests }),
        ...(body.keep_threshold ? { keepThreshold: true } : {}),
        ...(body.confidence === undefined ? {} : { confidence: body.confidence }),
        ...(body.point_estimate ? { pointEstimate: true } : {}),
      },
      request.apiKeyId,
    );
  });

  app.post<{ Params: { family: string } }>('/v1/rightsize/promotions/:family/rollback', async (request) => {
    const family = parseRequestInput(familyId, request.params.family, 'family');
    parseRequestInput(rollbackBodySchema, jsonBody(request.body), 'body');
    return promote({ familyId: family, rollback: true }, request.apiKeyId);
  });
}
