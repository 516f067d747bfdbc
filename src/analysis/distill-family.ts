import { HUMAN_MODEL_ID } from '../catalog/catalog.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import { calibrateThreshold, toThresholdCalibration } from '../specialists/calibration/calibrate-threshold.ts';
import type { LabelledRow } from '../specialists/read-labelled-data.ts';
import { loadSpecialist, saveThresholdCalibration } from '../specialists/registry/load-specialist.ts';
import type { Specialist, SpecialistArch, TrainingProgress } from '../specialists/specialist.ts';
import { splitTrainValid } from '../specialists/split-train-valid.ts';
import { type TrainSpecialistOptions, trainSpecialist } from '../specialists/training/train-specialist.ts';
import type { Store } from '../store/store.ts';
import { analyzeLog } from './analyze-log.ts';
import { DEFAULT_DISTILLATION_DIR, type DistillationRecord, saveDistillation } from './distillation-record.ts';
import { estimateSaving } from './estimate-saving.ts';
import { findFamily } from './find-families.ts';

/** Options of {@link distillFamily}. */
export interface DistillFamilyOptions {
  store: Store;
  /** The family id from `rightsize analyze`. */
  familyId: string;
  /** The specialist's name in the registry. @default `distilled-<familyId without fam_>` */
  name?: string;
  registryDir: string;
  /** Accuracy required on the answers the specialist settles. @default 0.98 */
  targetAccuracy?: number;
  /** Probability that the accuracy guarantee holds (one-sided Clopper-Pearson). @default 0.95 */
  confidence?: number;
  /** Share of the family's logged requests held out to measure agreement and calibrate. @default 0.2 */
  heldOutFraction?: number;
  /** @default 'ensemble' */
  arch?: SpecialistArch;
  /** @default 42 */
  seed?: number;
  /** Only log rows at most this old, in ms. @default all */
  sinceMs?: number;
  /** The time the log covers, for the monthly projection (see `analyzeLog`). */
  periodMs?: number;
  /** Cost of one specialist call, in USD. @default 0.000001 */
  specialistCostPerCallUsd?: number;
  /** Where to keep the distillation record. @default .rightsize/distillations */
  distillationDir?: string;
  /** Hyper-parameters handed to the trainer (small ones in tests). */
  hyperParameters?: TrainSpecialistOptions['hyperParameters'];
  onProgress?: (progress: TrainingProgress) => void;
  /** Sentence vectors, to find clustered free-form families. @default the Universal Sentence Encoder lite */
  embed?: (texts: readonly string[]) => Promise<Float32Array[]>;
  /** Loads the trained specialist to measure it. @default loadSpecialist */
  load?: (registryDir: string, name: string) => Promise<Specialist>;
}

/** What {@link distillFamily} did and measured. */
export interface DistillFamilyResult extends DistillationRecord {
  /** Where the record was written. */
  recordPath: string;
  labels: number;
}

/**
 * Distils a task family into a specialist: the family's logged requests (the last user message) with
 * the answer the model served as the label, a reviewer's decision replacing it where a person
 * resolved the request (review items link to requests by `requestId`). A stratified share is held
 * out; the specialist is trained on the rest (`trainSpecialist`, in a worker); its agreement with the
 * logged answers is measured on the held-out requests, where its threshold is also calibrated for
 * the target (fixed-sequence testing with a Clopper-Pearson bound, `calibrateThreshold`) and saved with it.
 * The projected saving uses the measured coverage and the family's observed rate and cost.
 * @throws RightsizeError `not_found` for an unknown family; `invalid_input` for a family of free-text
 *   answers or too few labelled rows.
 */
export async function distillFamily(options: DistillFamilyOptions): Promise<DistillFamilyResult> {
  const targetAccuracy = options.targetAccuracy ?? 0.98;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 42;
  const records = await options.store.queryRequestLogs(
    options.sinceMs === undefined ? {} : { since: Date.now() - options.sinceMs },
  );
  const group = await findFamily(records, options.familyId, options.embed ? { embed: options.embed } : {});
  if (!group)
    throw new RightsizeError(
      'not_found',
      `No family ${options.familyId} in the request log${options.sinceMs === undefined ? '' : ' of that period'}; list them with \`rightsize analyze\`.`,
    );
  if (group.shape !== 'label')
    throw new RightsizeError(
      'invalid_input',
      `Family ${options.familyId} answers in free text; a specialist classifies, so only families with label-like answers can be distilled.`,
    );
  const name = options.name ?? `distilled-${options.familyId.replace(/^fam_/, '')}`;
  const decisions = new Map<string, string>();
  for (const item of await options.store.listReviewItems({ status: 'resolved' }))
    if (item.decision !== null) decisions.set(item.requestId, item.decision);

  let reviewedRows = 0;
  const rows: LabelledRow[] = [];
  for (const member of group.members) {
    // A specialist's own answers would teach it nothing new: learn from the model and from people.
    if (member.record.servedModel?.startsWith('specialist/')) continue;
    const decision = decisions.get(member.record.id);
    // Served by the human tier and not decided yet: the logged text is the "awaiting review" notice.
    if (member.record.servedModel === HUMAN_MODEL_ID && decision === undefined) continue;
    if (decision !== undefined) reviewedRows++;
    const label = (decision ?? member.record.responseText ?? '').trim();
    const text = member.parts.user.trim();
    if (label === '' || text === '') continue;
    rows.push({ text, label });
  }
  const labelCount = new Set(rows.map((row) => row.label)).size;
  if (rows.length < 20 || labelCount < 2)
    throw new RightsizeError(
      'invalid_input',
      `Family ${options.familyId} has ${rows.length} usable logged answers over ${labelCount} labels; distilling needs at least 20 over 2 labels: log more traffic first.`,
    );

  const { train, valid: heldOut } = splitTrainValid(rows, { validFraction: options.heldOutFraction ?? 0.2, seed });
  await trainSpecialist({
    rows: train,
    name,
    arch: options.arch ?? 'ensemble',
    registryDir: options.registryDir,
    seed,
    targetAccuracy,
    confidence,
    ...(options.hyperParameters ? { hyperParameters: options.hyperParameters } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });

  const specialist = await (options.load ?? loadSpecialist)(options.registryDir, name);
  let predictions: Awaited<ReturnType<Specialist['predictBatch']>>;
  try {
    predictions = await specialist.predictBatch(heldOut.map((row) => row.text));
  } finally {
    specialist.close();
  }
  const scored = predictions.map((prediction, index) => ({
    confidence: prediction.probability,
    correct: prediction.label === heldOut[index]?.label,
  }));
  const agreement = scored.filter((item) => item.correct).length / Math.max(1, scored.length);
  const choice = calibrateThreshold(scored, { targetAccuracy, confidence });
  const calibration = toThresholdCalibration(choice, {
    targetAccuracy,
    confidence,
    source: `distill:${options.familyId}:held-out`,
  });
  if (calibration) saveThresholdCalibration(options.registryDir, name, calibration);

  // The projection uses the rate over the whole log's period, not over this family's own span.
  const periodMs = options.periodMs ?? options.sinceMs;
  const projection = analyzeLog(records, {
    groups: [group],
    ...(periodMs === undefined ? {} : { periodMs }),
  }).families.find((candidate) => candidate.id === options.familyId);
  const requestsPerMonth = projection?.requestsPerMonth ?? 0;
  const costPerRequestUsd = projection?.costPerRequestUsd ?? 0;
  const coverage = choice.threshold === undefined ? 0 : choice.coverage;
  const saving = estimateSaving({
    requestsPerMonth,
    costPerRequestUsd,
    coverage,
    specialistCostPerCallUsd: options.specialistCostPerCallUsd ?? 0.000001,
  });
  const record: DistillationRecord = {
    familyId: options.familyId,
    specialist: name,
    trainRows: train.length,
    reviewedRows,
    heldOutRows: heldOut.length,
    agreement,
    targetAccuracy,
    ...(choice.threshold === undefined ? {} : { threshold: choice.threshold }),
    coverage,
    selectiveAccuracy: choice.selectiveAccuracy,
    accuracyLowerBound: choice.accuracyLowerBound,
    monthlySavingUsd: coverage > 0 ? saving.monthlySavingUsd : 0,
    savingPerRequestUsd: coverage > 0 ? saving.savingPerRequestUsd : 0,
    costPerRequestUsd,
    requestsPerMonth,
    createdAt: new Date().toISOString(),
  };
  const recordPath = saveDistillation(options.distillationDir ?? DEFAULT_DISTILLATION_DIR, record);
  return { ...record, recordPath, labels: labelCount };
}
