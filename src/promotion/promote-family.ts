import { analyzeLog, normaliseAnswer, type ShadowSummary } from '../analysis/analyze-log.ts';
import { DEFAULT_DISTILLATION_DIR, readDistillations } from '../analysis/distillation-record.ts';
import { isCatchAllTemplate } from '../analysis/family-matcher.ts';
import { findFamily } from '../analysis/find-families.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import {
  calibrateThreshold,
  empiricalThreshold,
  type ScoredItem,
} from '../specialists/calibration/calibrate-threshold.ts';
import { readSpecialistMetadata } from '../specialists/registry/load-specialist.ts';
import type { Promotion, RequestLogRecord, Store } from '../store/store.ts';

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
  /**
   * Look the family up among the meaning-based clusters of free-form prompts too, which loads the
   * sentence encoder when the id is not a template or tag family. Clusters cannot be promoted
   * either way; false only saves the encoder (the gateway's HTTP route). @default true
   */
  clusters?: boolean;
  /**
   * Going active with shadow data, keep the threshold the specialist came with instead of
   * recalibrating it on the shadowed requests. @default false
   */
  keepThreshold?: boolean;
  /** Probability that the recalibrated threshold's accuracy guarantee holds. @default 0.95 */
  confidence?: number;
  /**
   * Recalibrate to the lowest threshold whose measured shadow agreement meets the target, without the
   * Clopper-Pearson margin (`empiricalThreshold`): more coverage, and about even odds that the live
   * accuracy falls a little below the target. @default false
   */
  pointEstimate?: boolean;
  /**
   * Who asks, for the words of the advice in errors: `cli` names flags (`pass --force`), `http` the
   * fields of `POST /v1/rightsize/promotions` (`send "force": true`). @default cli
   */
  caller?: 'cli' | 'http';
}

/** How the advice in `promoteFamily`'s errors names its options, for the CLI or for the HTTP body. */
function adviceTerms(caller: 'cli' | 'http') {
  if (caller === 'http')
    return {
      force: 'send "force": true',
      passThreshold: 'send "threshold"',
      raiseThreshold: 'raise "threshold"',
      specialist: '"specialist"',
      shadowFirst: (family: string, specialist: string) =>
        `POST /v1/rightsize/promotions ${JSON.stringify({ family, specialist, shadow: true })}`,
    };
  return {
    force: 'pass --force',
    passThreshold: 'pass --threshold',
    raiseThreshold: 'raise --threshold',
    specialist: '--specialist',
    shadowFirst: (family: string, specialist: string) =>
      `\`rightsize promote --family ${family} --specialist ${specialist} --shadow\``,
  };
}

/** A threshold recalibrated on live shadow traffic (see {@link promoteFamily}). */
export interface ShadowRecalibration {
  /** The threshold before (from the distillation or calibration); null when it had none. */
  previousThreshold: number | null;
  threshold: number;
  /** Share of the shadowed requests the specialist settles at the new threshold, and its agreement there. */
  coverage: number;
  selectiveAccuracy: number;
  /** Clopper-Pearson lower bound of that agreement (0 for a point estimate). */
  accuracyLowerBound: number;
  items: number;
  /** `guaranteed` (fixed-sequence testing with the Clopper-Pearson bound) or `point-estimate`. */
  method: 'guaranteed' | 'point-estimate';
}

/** What {@link promoteFamily} changed. */
export interface PromoteFamilyResult {
  promotion: Promotion;
  /** The promotion before this change, when there was one. */
  previous: Promotion | undefined;
  /** Live agreement measured in shadow mode before this change, when there was any. */
  shadow: ShadowSummary | undefined;
  /** The threshold recalibrated on the shadow data, when going active recalibrated it. */
  recalibration?: ShadowRecalibration;
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
  const advice = adviceTerms(options.caller ?? 'cli');
  if (options.rollback) {
    if (!previous || previous.mode === 'rolled-back')
      throw new RightsizeError('not_found', `Family ${options.familyId} has no promotion to roll back.`, {
        param: 'family',
      });
    const promotion: Promotion = { ...previous, mode: 'rolled-back', updatedAt: Date.now(), note: note('rolled back') };
    await options.store.upsertPromotion(promotion);
    return { promotion, previous, shadow: undefined };
  }

  const records = await options.store.queryRequestLogs();
  const group = await findFamily(records, options.familyId, options.clusters === false ? { cluster: false } : {});
  if (!group)
    throw new RightsizeError(
      'not_found',
      `No family ${options.familyId} in the request log${options.clusters === false ? ' among its template and tag families (clusters of free-form prompts cannot be promoted: tag them)' : ''}; list them with \`rightsize analyze\`.`,
      { param: 'family' },
    );
  if (group.matcher.kind === 'cluster')
    throw new RightsizeError(
      'invalid_input',
      `Family ${options.familyId} is a cluster of free-form prompts, which the gateway cannot recognise per request: have the application send \`x-rightsize-task: NAME\` with these requests, then promote the tag's family.`,
    );
  if (isCatchAllTemplate(group.matcher))
    throw new RightsizeError(
      'invalid_input',
      `Family ${options.familyId} has no system prompt and no fixed wording: it would take every untemplated request of every task, so it cannot be promoted (not even with force). Have the application send \`x-rightsize-task: NAME\` with these requests, then promote the tag's family.`,
      { param: 'family' },
    );
  const distillation = readDistillations(options.distillationDir ?? DEFAULT_DISTILLATION_DIR).get(options.familyId);
  const specialist = options.specialist ?? distillation?.specialist;
  if (!specialist)
    throw new RightsizeError(
      'invalid_input',
      `Name the specialist with ${advice.specialist}, or distil the family first (\`rightsize distill --family ${options.familyId}\`).`,
    );
  const metadata = readSpecialistMetadata(options.registryDir, specialist);
  // Undefined: the specialist has no threshold yet. Shadow mode needs none (it never answers), and
  // going active with enough shadowed requests chooses one on them.
  const threshold: number | undefined =
    options.threshold ??
    (distillation?.specialist === specialist ? distillation.threshold : undefined) ??
    metadata.threshold?.threshold;
  const targetAccuracy = options.targetAccuracy ?? distillation?.targetAccuracy ?? 0.97;

  const shadowPromotion: Promotion | undefined =
    previous && previous.specialist === specialist
      ? { ...previous, mode: 'shadow', threshold: threshold ?? previous.threshold }
      : undefined;
  const shadow = shadowPromotion
    ? analyzeLog(
        group.members.map((member) => member.record),
        { promotions: [shadowPromotion], groups: [group] },
      ).families.find((family) => family.id === options.familyId)?.shadow
    : undefined;

  let chosen: number | undefined = threshold;
  let recalibration: ShadowRecalibration | undefined;
  if (!options.shadow) {
    const minimum = options.minShadowRequests ?? 50;
    const items = shadowItems(
      group.members.map((member) => member.record),
      specialist,
    );
    if (items.length < minimum && !options.force)
      throw new RightsizeError(
        'conflict',
        `specialist/${specialist} has ${items.length} shadowed requests of family ${options.familyId} (${minimum} needed): run ${advice.shadowFirst(options.familyId, specialist)} first and let traffic flow, or ${advice.force}.`,
      );
    const recalibrate = items.length >= minimum && options.threshold === undefined && !options.keepThreshold;
    if (!recalibrate && threshold === undefined)
      throw new RightsizeError(
        'invalid_input',
        `specialist/${specialist} has no threshold to go active with (distillation and calibration found none): ${
          items.length < minimum
            ? `run ${advice.shadowFirst(options.familyId, specialist)} and let traffic flow (with ${minimum} shadowed requests, going active chooses a threshold on them), or `
            : ''
        }${advice.passThreshold}.`,
      );
    if (recalibrate) {
      // Live traffic may differ from the logged history the threshold was calibrated on: recalibrate on it.
      const choice = options.pointEstimate
        ? empiricalThreshold(items, { targetAccuracy })
        : calibrateThreshold(items, { targetAccuracy, confidence: options.confidence ?? 0.95 });
      if (choice.threshold === undefined && !options.force)
        throw new RightsizeError(
          'conflict',
          `On ${items.length} shadowed requests no threshold gives specialist/${specialist} ${(targetAccuracy * 100).toFixed(1)} % agreement with the served answers (at ${((options.confidence ?? 0.95) * 100).toFixed(0)} % confidence): retrain it on more data, or ${advice.force}.`,
        );
      if (choice.threshold !== undefined) {
        chosen = choice.threshold;
        recalibration = {
          previousThreshold: threshold ?? null,
          threshold: choice.threshold,
          coverage: choice.coverage,
          selectiveAccuracy: choice.selectiveAccuracy,
          accuracyLowerBound: choice.accuracyLowerBound,
          items: items.length,
          method: options.pointEstimate ? 'point-estimate' : 'guaranteed',
        };
      }
    } else if (items.length >= minimum && !options.force && threshold !== undefined) {
      const settled = items.filter((item) => item.confidence >= threshold);
      const agreement = settled.filter((item) => item.correct).length / Math.max(1, settled.length);
      if (agreement < targetAccuracy)
        throw new RightsizeError(
          'conflict',
          `In shadow, specialist/${specialist} agreed with the served answers on ${(agreement * 100).toFixed(1)} % of the requests it would settle at ${threshold.toFixed(4)}, below the ${(targetAccuracy * 100).toFixed(1)} % target: ${advice.raiseThreshold}, recalibrate, or ${advice.force}.`,
        );
    }
  }
  if (!options.shadow && chosen === undefined)
    throw new RightsizeError(
      'invalid_input',
      `specialist/${specialist} has no threshold to go active with, and none reaches the target on its shadowed requests: ${advice.passThreshold}.`,
    );
  const promotion: Promotion = {
    familyId: options.familyId,
    matcher: JSON.stringify(group.matcher),
    specialist,
    mode: options.shadow ? 'shadow' : 'active',
    threshold: chosen ?? null,
    updatedAt: Date.now(),
    note: note(options.shadow ? 'shadow' : options.force && !shadow ? 'promoted (forced, no shadow data)' : 'promoted'),
  };
  await options.store.upsertPromotion(promotion);
  return { promotion, previous, shadow, ...(recalibration ? { recalibration } : {}) };
}

/** The shadow attempts of a specialist in log rows: its confidence, and whether it agreed with the answer served. */
function shadowItems(records: readonly RequestLogRecord[], specialist: string): ScoredItem[] {
  const model = `specialist/${specialist}`;
  const items: ScoredItem[] = [];
  for (const record of records) {
    const attempt = record.tiers.find((tier) => tier.outcome === 'shadow' && tier.model === model);
    if (!attempt || attempt.answer === undefined || attempt.confidence === undefined) continue;
    items.push({
      confidence: attempt.confidence,
      correct: normaliseAnswer(attempt.answer) === normaliseAnswer(record.responseText ?? ''),
    });
  }
  return items;
}
