import { analyzeLog, type ShadowSummary } from '../analysis/analyze-log.ts';
import { DEFAULT_DISTILLATION_DIR, readDistillations } from '../analysis/distillation-record.ts';
import { findFamily } from '../analysis/find-families.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import { readSpecialistMetadata } from '../specialists/registry/load-specialist.ts';
import type { Promotion, Store } from '../store/store.ts';

/** Options of {@link promoteFamily}. */
export interface PromoteFamilyOptions {
  store: Store;
  familyId: string;
  /** The specialist to promote. @default the family's distilled specialist */
  specialist?: string;
  /** Run it beside the model without answering, and log its agreement. */
  shadow?: boolean;
  /** Promote to active without (enough, or good enough) shadow data. */
  force?: boolean;
  /** Turn the family's promotion off. */
  rollback?: boolean;
  /** Accept the specialist's answers at this confidence. @default the distillation's threshold, else the specialist's calibrated one */
  threshold?: number;
  registryDir: string;
  /** @default .rightsize/distillations */
  distillationDir?: string;
  /** Shadowed requests needed before promoting to active. @default 50 */
  minShadowRequests?: number;
  /** Agreement needed on the requests the shadow would settle. @default the distillation's target, else 0.97 */
  targetAccuracy?: number;
  /** Who asked, for the record. @default 'cli' */
  actor?: string;
}

/** What {@link promoteFamily} changed. */
export interface PromoteFamilyResult {
  promotion: Promotion;
  /** The promotion before this change, when there was one. */
  previous: Promotion | undefined;
  /** Live agreement measured in shadow mode before this change, when there was any. */
  shadow: ShadowSummary | undefined;
}

/**
 * Promotes a specialist for a task family, rolls it back, or puts it in shadow mode, by writing the
 * promotion to the store; running gateways pick it up within a second (`createPromotionRegistry`).
 * Going active needs shadow data: at least `minShadowRequests` shadowed requests whose agreement on
 * the answers the specialist would settle meets the target, unless `force`.
 * @throws RightsizeError `not_found` (unknown family, nothing to roll back), `model_not_found`
 *   (specialist not in the registry), `invalid_input` (no threshold), `conflict` (no or poor shadow data).
 */
export async function promoteFamily(options: PromoteFamilyOptions): Promise<PromoteFamilyResult> {
  const previous = (await options.store.listPromotions()).find((entry) => entry.familyId === options.familyId);
  const note = (what: string) => `${what} by ${options.actor ?? 'cli'}`;
  if (options.rollback) {
    if (!previous || previous.mode === 'rolled-back')
      throw new RightsizeError('not_found', `Family ${options.familyId} has no promotion to roll back.`);
    const promotion: Promotion = { ...previous, mode: 'rolled-back', updatedAt: Date.now(), note: note('rolled back') };
    await options.store.upsertPromotion(promotion);
    return { promotion, previous, shadow: undefined };
  }

  const records = await options.store.queryRequestLogs();
  const group = await findFamily(records, options.familyId);
  if (!group)
    throw new RightsizeError(
      'not_found',
      `No family ${options.familyId} in the request log; list them with \`rightsize analyze\`.`,
    );
  if (group.matcher.kind === 'cluster')
    throw new RightsizeError(
      'invalid_input',
      `Family ${options.familyId} is a cluster of free-form prompts, which the gateway cannot recognise per request: have the application send \`x-rightsize-task: NAME\` with these requests, then promote the tag's family.`,
    );
  const distillation = readDistillations(options.distillationDir ?? DEFAULT_DISTILLATION_DIR).get(options.familyId);
  const specialist = options.specialist ?? distillation?.specialist;
  if (!specialist)
    throw new RightsizeError(
      'invalid_input',
      `Name the specialist with --specialist, or distil the family first (\`rightsize distill --family ${options.familyId}\`).`,
    );
  const metadata = readSpecialistMetadata(options.registryDir, specialist);
  const threshold =
    options.threshold ??
    (distillation?.specialist === specialist ? distillation.threshold : undefined) ??
    metadata.threshold?.threshold;
  if (threshold === undefined)
    throw new RightsizeError(
      'invalid_input',
      `specialist/${specialist} has no calibrated threshold: run \`rightsize distill\` or \`rightsize calibrate\`, or pass --threshold.`,
    );
  const targetAccuracy = options.targetAccuracy ?? distillation?.targetAccuracy ?? 0.97;

  const shadowPromotion: Promotion | undefined =
    previous && previous.specialist === specialist ? { ...previous, mode: 'shadow', threshold } : undefined;
  const shadow = shadowPromotion
    ? analyzeLog(
        group.members.map((member) => member.record),
        { promotions: [shadowPromotion] },
      ).families.find((family) => family.id === options.familyId)?.shadow
    : undefined;

  if (!options.shadow && !options.force) {
    const minimum = options.minShadowRequests ?? 50;
    if (!shadow || shadow.requests < minimum)
      throw new RightsizeError(
        'conflict',
        `specialist/${specialist} has ${shadow?.requests ?? 0} shadowed requests of family ${options.familyId} (${minimum} needed): run \`rightsize promote --family ${options.familyId} --specialist ${specialist} --shadow\` first and let traffic flow, or pass --force.`,
      );
    if (shadow.agreementWhenSettled < targetAccuracy)
      throw new RightsizeError(
        'conflict',
        `In shadow, specialist/${specialist} agreed with the served answers on ${(shadow.agreementWhenSettled * 100).toFixed(1)} % of the requests it would settle, below the ${(targetAccuracy * 100).toFixed(1)} % target: retrain or raise --threshold, or pass --force.`,
      );
  }
  const promotion: Promotion = {
    familyId: options.familyId,
    matcher: JSON.stringify(group.matcher),
    specialist,
    mode: options.shadow ? 'shadow' : 'active',
    threshold,
    updatedAt: Date.now(),
    note: note(options.shadow ? 'shadow' : options.force && !shadow ? 'promoted (forced, no shadow data)' : 'promoted'),
  };
  await options.store.upsertPromotion(promotion);
  return { promotion, previous, shadow };
}
