import { HUMAN_MODEL_ID } from '../catalog/catalog.ts';
import type { SensitiveDataKind } from '../routing/auto/find-sensitive-data.ts';
import type { Promotion, RequestLogRecord } from '../store/store.ts';
import type { DistillationRecord } from './distillation-record.ts';
import { estimateCoverage, estimateSaving, MONTH_MS } from './estimate-saving.ts';
import { type FamilyMatcher, isCatchAllTemplate } from './family-matcher.ts';
import { type FamilyGroup, type GroupFamiliesOptions, groupFamilies, type OutputShape } from './group-families.ts';
import { maskExample } from './mask-example.ts';

/** Options of {@link analyzeLog}. */
export interface AnalyzeOptions extends GroupFamiliesOptions {
  /**
   * The time the log covers, in ms, for rates and monthly figures. @default the span from the first
   * to the last row, at least one hour
   */
  periodMs?: number;
  /** Accuracy a specialist must reach on the answers it settles. @default 0.97 */
  targetAccuracy?: number;
  /** Cost of one specialist call, in USD. @default 0.000001 */
  specialistCostPerCallUsd?: number;
  /** Promotions in the store, to report shadow agreement and the current state. */
  promotions?: readonly Promotion[];
  /** Distillations measured by `rightsize distill`, by family id. */
  distillations?: ReadonlyMap<string, DistillationRecord>;
  /** Families already found (e.g. by `findFamilies` with free-form clustering). @default groupFamilies(records) */
  groups?: readonly FamilyGroup[];
}

/** The opportunity of one family: what a specialist could take over, and at what risk. */
export interface Opportunity {
  /** Share of requests a specialist settles at the target accuracy, in [0, 1]. */
  coverage: number;
  /** `estimate` (from output diversity), `distilled` (measured on held-out requests) or `shadow` (measured live). */
  coverageSource: 'estimate' | 'distilled' | 'shadow';
  targetAccuracy: number;
  monthlySavingUsd: number;
  savingPerRequestUsd: number;
  /** Saving as a share of the family's cost. */
  savingShare: number;
  risk: 'low' | 'medium' | 'high';
  /** `move`: worth distilling and promoting; `stay`: leave it on the model that serves it. */
  verdict: 'move' | 'stay';
  reasons: string[];
}

/** Live agreement of a shadowed specialist with the answers served. */
export interface ShadowSummary {
  specialist: string;
  /** Requests the specialist shadowed. */
  requests: number;
  /** Share where its label equals the answer served. */
  agreement: number;
  /** Share it would settle at the promotion's threshold, and the agreement on those. */
  wouldSettle: number;
  agreementWhenSettled: number;
}

/** One task family with its volumes, costs and opportunity. Costs in USD, times epoch ms. */
export interface FamilyReport {
  id: string;
  matcher: FamilyMatcher;
  template: string;
  shape: OutputShape;
  requests: number;
  firstTime: number;
  lastTime: number;
  requestsPerHour: number;
  requestsPerMonth: number;
  meanInputTokens: number;
  meanOutputTokens: number;
  /** Mean cost per request of the requests a model (not a specialist) answered. */
  costPerRequestUsd: number;
  /** Cost per month at the observed rate, as served now. */
  costPerMonthUsd: number;
  /** Requests with no price (cost unknown). */
  unpricedRequests: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  /** Models that served the family, most first, with their share. */
  servedBy: Array<{ model: string; share: number }>;
  /** Share settled by a specialist now (after a promotion). */
  settledBySpecialist: number;
  distinctOutputs: number;
  /** Fewest distinct outputs that cover 90 % of the requests (small: a classification task). */
  outputsFor90: number;
  topOutputs: Array<{ output: string; count: number }>;
  /** One request's last user message, sensitive data masked. */
  example: string;
  /** Kinds of sensitive data seen in the family's prompts (checked on up to 200). */
  sensitiveData: SensitiveDataKind[];
  opportunity: Opportunity;
  distillation?: DistillationRecord;
  promotion?: Pick<Promotion, 'specialist' | 'mode' | 'threshold'>;
  shadow?: ShadowSummary;
  /** Requests and cost per time bucket (`bucketMs` of the report). */
  timeline: Array<{ time: number; requests: number; costUsd: number }>;
}

/** The whole analysis: families ranked by monthly saving, best first. */
export interface AnalysisReport {
  generatedAt: string;
  /** Rows read, and rows analysed (successful, with content logged). */
  rows: number;
  analysedRows: number;
  periodMs: number;
  bucketMs: number;
  targetAccuracy: number;
  families: FamilyReport[];
}

/**
 * Analyses request log rows: groups them into task families (`groupFamilies`), measures each
 * (volume, rate, tokens, cost, latency, serving models, output diversity, a masked example) and
 * ranks the opportunities by projected monthly saving (`estimateSaving`). Coverage comes from, in
 * order of trust: live shadow data, a distillation's held-out calibration, or an estimate from the
 * output diversity (`estimateCoverage`).
 */
export function analyzeLog(records: readonly RequestLogRecord[], options: AnalyzeOptions = {}): AnalysisReport {
  const targetAccuracy = options.targetAccuracy ?? 0.97;
  const specialistCost = options.specialistCostPerCallUsd ?? 0.000001;
  const groups = options.groups ?? groupFamilies(records, options);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const record of records) {
    first = Math.min(first, record.time);
    last = Math.max(last, record.time);
  }
  const span = Number.isFinite(first) ? last - first : 0;
  const periodMs = options.periodMs ?? Math.max(span, 3_600_000);
  const bucketMs = niceBucket(Math.max(span, 1_000));
  const promotions = new Map(
    (options.promotions ?? []).filter((promotion) => promotion.mode !== 'rolled-back').map((p) => [p.familyId, p]),
  );
  const families = groups.map((group) =>
    summariseFamily(group, {
      periodMs,
      bucketMs,
      origin: Number.isFinite(first) ? first : 0,
      targetAccuracy,
      specialistCost,
      promotion: promotions.get(group.id),
      distillation: options.distillations?.get(group.id),
    }),
  );
  families.sort(
    (a, b) =>
      b.opportunity.monthlySavingUsd - a.opportunity.monthlySavingUsd ||
      b.costPerMonthUsd - a.costPerMonthUsd ||
      b.requests - a.requests,
  );
  return {
    generatedAt: new Date().toISOString(),
    rows: records.length,
    analysedRows: groups.reduce((sum, group) => sum + group.members.length, 0),
    periodMs,
    bucketMs,
    targetAccuracy,
    families,
  };
}

interface SummaryContext {
  periodMs: number;
  bucketMs: number;
  origin: number;
  targetAccuracy: number;
  specialistCost: number;
  promotion: Promotion | undefined;
  distillation: DistillationRecord | undefined;
}

function summariseFamily(group: FamilyGroup, context: SummaryContext): FamilyReport {
  const records = group.members.map((member) => member.record);
  const count = records.length;
  const requestsPerMonth = (count / context.periodMs) * MONTH_MS;
  const modelServed = records.filter((record) => !record.servedModel?.startsWith('specialist/'));
  const priced = modelServed.filter((record) => record.costUsd !== null);
  const costPerRequest = mean(priced.map((record) => record.costUsd ?? 0));
  const allPriced = records.filter((record) => record.costUsd !== null);
  const costPerMonth = mean(allPriced.map((record) => record.costUsd ?? 0)) * requestsPerMonth;
  const latencies = records.map((record) => record.latencyMs).sort((a, b) => a - b);

  const served = countBy(records.map((record) => record.servedModel ?? 'none'));
  const settledBySpecialist = count > 0 ? (count - modelServed.length) / count : 0;

  // Output diversity is measured on the answers of the models, the answers a specialist would learn
  // (not the human tier's "awaiting review" notices).
  const answered = modelServed.filter((record) => record.servedModel !== HUMAN_MODEL_ID);
  const answers = countBy(answered.map((record) => normaliseAnswer(record.responseText ?? '')));
  const sortedAnswers = [...answers.entries()].sort((a, b) => b[1] - a[1]);
  let covered = 0;
  let outputsFor90 = 0;
  for (const [, answerCount] of sortedAnswers) {
    if (covered >= 0.9 * answered.length) break;
    covered += answerCount;
    outputsFor90++;
  }

  const sensitive = new Set<SensitiveDataKind>();
  for (const member of group.members.slice(0, 200))
    for (const kind of maskExample(member.parts.user).sensitive) sensitive.add(kind);
  const example = maskExample(group.members[0]?.parts.user ?? '').text;

  const shadow = context.promotion ? summariseShadow(records, context.promotion) : undefined;
  const opportunity = judgeOpportunity({
    group,
    count,
    answers,
    outputsFor90,
    costPerRequest,
    requestsPerMonth,
    context,
    shadow,
    sensitive: [...sensitive],
  });

  const timeline = new Map<number, { requests: number; costUsd: number }>();
  for (const record of records) {
    const time = context.origin + Math.floor((record.time - context.origin) / context.bucketMs) * context.bucketMs;
    const bucket = timeline.get(time) ?? { requests: 0, costUsd: 0 };
    bucket.requests++;
    bucket.costUsd += record.costUsd ?? 0;
    timeline.set(time, bucket);
  }

  return {
    id: group.id,
    matcher: group.matcher,
    template: group.template,
    shape: group.shape,
    requests: count,
    firstTime: records.reduce((earliest, record) => Math.min(earliest, record.time), Number.POSITIVE_INFINITY),
    lastTime: records.reduce((latest, record) => Math.max(latest, record.time), Number.NEGATIVE_INFINITY),
    requestsPerHour: (count / context.periodMs) * 3_600_000,
    requestsPerMonth,
    meanInputTokens: mean(records.map((record) => record.inputTokens)),
    meanOutputTokens: mean(records.map((record) => record.outputTokens)),
    costPerRequestUsd: costPerRequest,
    costPerMonthUsd: costPerMonth,
    unpricedRequests: count - allPriced.length,
    latencyP50Ms: quantile(latencies, 0.5),
    latencyP95Ms: quantile(latencies, 0.95),
    servedBy: [...served.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([model, modelCount]) => ({ model, share: modelCount / count })),
    settledBySpecialist,
    distinctOutputs: answers.size,
    outputsFor90,
    topOutputs: sortedAnswers.slice(0, 5).map(([output, outputCount]) => ({ output, count: outputCount })),
    example,
    sensitiveData: [...sensitive],
    opportunity,
    ...(context.distillation ? { distillation: context.distillation } : {}),
    ...(context.promotion
      ? {
          promotion: {
            specialist: context.promotion.specialist,
            mode: context.promotion.mode,
            threshold: context.promotion.threshold,
          },
        }
      : {}),
    ...(shadow ? { shadow } : {}),
    timeline: [...timeline.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([time, bucket]) => ({ time, requests: bucket.requests, costUsd: bucket.costUsd })),
  };
}

/** Compares a shadow attempt's label with the answer served (trimmed, case-insensitive). */
export function normaliseAnswer(answer: string): string {
  return answer.trim().toLowerCase();
}

function summariseShadow(records: readonly RequestLogRecord[], promotion: Promotion): ShadowSummary | undefined {
  const model = `specialist/${promotion.specialist}`;
  let requests = 0;
  let agreed = 0;
  let settled = 0;
  let agreedSettled = 0;
  for (const record of records) {
    const attempt = record.tiers.find((tier) => tier.outcome === 'shadow' && tier.model === model);
    if (!attempt || attempt.answer === undefined) continue;
    requests++;
    const agrees = normaliseAnswer(attempt.answer) === normaliseAnswer(record.responseText ?? '');
    if (agrees) agreed++;
    const threshold = promotion.threshold ?? Number.POSITIVE_INFINITY;
    if ((attempt.confidence ?? 0) >= threshold) {
      settled++;
      if (agrees) agreedSettled++;
    }
  }
  if (requests === 0) return undefined;
  return {
    specialist: promotion.specialist,
    requests,
    agreement: agreed / requests,
    wouldSettle: settled / requests,
    agreementWhenSettled: settled > 0 ? agreedSettled / settled : 0,
  };
}

/** Fewest shadowed requests before live agreement replaces the held-out figures. */
const MIN_SHADOW_REQUESTS = 50;

function judgeOpportunity(input: {
  group: FamilyGroup;
  count: number;
  answers: ReadonlyMap<string, number>;
  outputsFor90: number;
  costPerRequest: number;
  requestsPerMonth: number;
  context: SummaryContext;
  shadow: ShadowSummary | undefined;
  sensitive: SensitiveDataKind[];
}): Opportunity {
  const { context, shadow } = input;
  const reasons: string[] = [];
  let risk: Opportunity['risk'] = 'low';
  const raise = (level: Opportunity['risk'], reason: string) => {
    reasons.push(reason);
    if (level === 'high' || (level === 'medium' && risk === 'low')) risk = level;
  };
  let coverage: number;
  let coverageSource: Opportunity['coverageSource'] = 'estimate';
  if (input.group.shape === 'text') {
    coverage = 0;
    raise('high', 'answers are free text: a classifier specialist cannot give them');
  } else if (shadow && shadow.requests >= MIN_SHADOW_REQUESTS && shadow.wouldSettle === 0) {
    // No threshold yet (or none it reaches): nothing to judge "when settled"; the overall agreement says how close it is.
    coverage = 0;
    coverageSource = 'shadow';
    reasons.push(
      `shadow: ${pct(shadow.agreement)} agreement overall (${shadow.requests} requests), none it would settle at its threshold: promote to choose one on them`,
    );
  } else if (shadow && shadow.requests >= MIN_SHADOW_REQUESTS) {
    coverage = shadow.agreementWhenSettled >= context.targetAccuracy ? shadow.wouldSettle : 0;
    coverageSource = 'shadow';
    reasons.push(
      `shadow: ${pct(shadow.agreementWhenSettled)} agreement on the ${pct(shadow.wouldSettle)} it would settle (${pct(shadow.agreement)} overall, ${shadow.requests} requests)`,
    );
    if (shadow.agreementWhenSettled < context.targetAccuracy)
      raise('high', `shadow agreement is below the ${pct(context.targetAccuracy)} target`);
  } else if (context.distillation) {
    const distillation = context.distillation;
    coverage = distillation.threshold === undefined ? 0 : distillation.coverage;
    coverageSource = 'distilled';
    reasons.push(
      `distilled ${distillation.specialist}: ${pct(distillation.selectiveAccuracy)} agreement on the ${pct(distillation.coverage)} it settles (${distillation.heldOutRows} held out)`,
    );
    if (distillation.threshold === undefined) raise('high', 'no threshold reached the target accuracy');
    if (!context.promotion) reasons.push('next: promote --shadow');
  } else {
    const estimate = estimateCoverage({ answerCounts: input.answers });
    coverage = estimate.coverage;
    reasons.push(`${input.outputsFor90} distinct answers cover 90 % of requests`);
    if (coverage === 0) raise('high', 'too few repeated answers to learn a classifier');
    else reasons.push(`estimated coverage (no specialist yet): ${pct(estimate.learnableShare)} learnable x 0.7`);
  }
  if (input.count < 200) raise('medium', `only ${input.count} logged requests to learn from and check on`);
  if (input.outputsFor90 > 200) raise('medium', `${input.outputsFor90} distinct answers: hard to learn`);
  if (isCatchAllTemplate(input.group.matcher))
    raise('medium', 'no system prompt or fixed wording: tag these requests (x-rightsize-task) to promote safely');
  if (input.group.matcher.kind === 'cluster')
    raise('medium', 'free-form prompts grouped by meaning: tag these requests (x-rightsize-task) to promote them');
  if (input.sensitive.length > 0)
    reasons.push(`prompts hold ${input.sensitive.join(', ')}: a local specialist keeps them in house`);
  const saving = estimateSaving({
    requestsPerMonth: input.requestsPerMonth,
    costPerRequestUsd: input.costPerRequest,
    coverage,
    specialistCostPerCallUsd: context.specialistCost,
  });
  const verdict = saving.monthlySavingUsd > 0 && (risk as Opportunity['risk']) !== 'high' ? 'move' : 'stay';
  return {
    coverage,
    coverageSource,
    targetAccuracy: context.targetAccuracy,
    monthlySavingUsd: coverage > 0 ? saving.monthlySavingUsd : 0,
    savingPerRequestUsd: coverage > 0 ? saving.savingPerRequestUsd : 0,
    savingShare: coverage > 0 ? saving.savingShare : 0,
    risk,
    verdict,
    reasons,
  };
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

function mean(values: readonly number[]): number {
  return values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : 0;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** A bucket size giving at most about 60 buckets over `span` ms, from 1 s to 1 day. */
function niceBucket(span: number): number {
  const steps = [1_000, 10_000, 60_000, 600_000, 3_600_000, 21_600_000, 86_400_000];
  return steps.find((step) => span / step <= 60) ?? 86_400_000;
}
