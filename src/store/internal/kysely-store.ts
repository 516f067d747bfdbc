import { type ExpressionBuilder, type Kysely, type Selectable, sql } from 'kysely';
import { quoteInput } from '../../errors/quote-input.ts';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import type {
  NewReviewItem,
  PromotionMode,
  RequestLogQuery,
  RequestLogRecord,
  ReviewItem,
  ReviewQuery,
  ReviewStatus,
  Store,
} from '../store.ts';
import type { Database, RequestLogTable, ReviewItemTable } from './database-schema.ts';

/**
 * The SQL logic both stores share, over a Kysely instance of either dialect. Claims and
 * resolutions are single conditional UPDATEs, so two reviewers racing for one item cannot both win.
 */
export function createKyselyStore(
  database: Kysely<Database>,
  description: string,
  onClose: () => Promise<void>,
): Store {
  async function requireItem(id: string, claimsLapseBefore?: number): Promise<ReviewItem> {
    const row = await database.selectFrom('review_item').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row)
      throw new RightsizeError(
        'not_found',
        `No review item ${quoteInput(id)}; list pending items with GET /v1/rightsize/review?status=pending.`,
      );
    return toReviewItem(row, claimsLapseBefore);
  }

  return {
    description,

    async insertRequestLogs(rows) {
      if (rows.length === 0) return;
      // SQLite limits bound parameters per statement; 24 columns x 40 rows stays under 999.
      await database.transaction().execute(async (transaction) => {
        for (let start = 0; start < rows.length; start += 40) {
          await transaction
            .insertInto('request_log')
            .values(rows.slice(start, start + 40).map(toRequestLogRow))
            .execute();
        }
      });
    },

    async queryRequestLogs(query: RequestLogQuery = {}) {
      let select = database.selectFrom('request_log').selectAll().orderBy('time', 'desc');
      if (query.since !== undefined) select = select.where('time', '>=', query.since);
      if (query.route !== undefined) select = select.where('route', '=', query.route);
      if (query.limit !== undefined) select = select.limit(query.limit);
      return (await select.execute()).map(toRequestLogRecord);
    },

    async countRequestLogs() {
      const row = await database
        .selectFrom('request_log')
        .select((expression) => expression.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    async createReviewItem(item: NewReviewItem) {
      const row = {
        id: item.id,
        route: item.route,
        request_id: item.requestId,
        status: 'pending',
        created_at: item.createdAt ?? Date.now(),
        input: item.input,
        labels: item.labels ? JSON.stringify(item.labels) : null,
        candidates: JSON.stringify(item.candidates),
        claimed_by: null,
        claimed_at: null,
        resolved_by: null,
        resolved_at: null,
        decision: null,
      };
      await database.insertInto('review_item').values(row).execute();
      return requireItem(item.id);
    },

    async getReviewItem(id, lapse = {}) {
      const row = await database.selectFrom('review_item').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toReviewItem(row, lapse.claimsLapseBefore) : undefined;
    },

    async listReviewItems(query: ReviewQuery = {}) {
      const lapse = query.claimsLapseBefore;
      let select = database.selectFrom('review_item').selectAll().orderBy('seq', 'asc');
      if (query.status === 'pending') select = select.where((expression) => pendingOrLapsed(expression, lapse));
      else if (query.status === 'claimed')
        select = select.where((expression) =>
          expression.and([
            expression('status', '=', 'claimed'),
            ...(lapse === undefined ? [] : [expression('claimed_at', '>=', lapse)]),
          ]),
        );
      else if (query.status !== undefined) select = select.where('status', '=', query.status);
      if (query.route !== undefined) select = select.where('route', '=', query.route);
      if (query.limit !== undefined) select = select.limit(query.limit);
      return (await select.execute()).map((row) => toReviewItem(row, lapse));
    },

    async claimReviewItem(id, reviewer, lapse = {}) {
      const result = await database
        .updateTable('review_item')
        .set({ status: 'claimed', claimed_by: reviewer, claimed_at: Date.now() })
        .where('id', '=', id)
        // The claimant claiming again renews the claim (it lapses a full timeout later).
        .where((expression) =>
          expression.or([
            pendingOrLapsed(expression, lapse.claimsLapseBefore),
            expression.and([expression('status', '=', 'claimed'), expression('claimed_by', '=', reviewer)]),
          ]),
        )
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return requireItem(id);
      const item = await requireItem(id, lapse.claimsLapseBefore);
      throw new RightsizeError(
        'conflict',
        `Review item ${id} is ${item.status === 'resolved' ? 'already resolved' : `claimed by ${item.claimedBy}`}; pick another pending item.`,
      );
    },

    async releaseReviewItem(id, reviewer, lapse = {}) {
      const result = await database
        .updateTable('review_item')
        .set({ status: 'pending', claimed_by: null, claimed_at: null })
        .where('id', '=', id)
        .where('status', '=', 'claimed')
        .where('claimed_by', '=', reviewer)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return requireItem(id);
      const item = await requireItem(id, lapse.claimsLapseBefore);
      throw new RightsizeError(
        'conflict',
        item.status === 'claimed'
          ? `Review item ${id} is claimed by ${item.claimedBy}, not ${reviewer}: only its claimant can release it.`
          : `Review item ${id} is ${item.status === 'resolved' ? 'already resolved' : 'pending (no claim holds it)'}: there is no claim of yours to release.`,
      );
    },

    async resolveReviewItem(id, resolution, lapse = {}) {
      const now = Date.now();
      const result = await database
        .updateTable('review_item')
        .set((expression) => ({
          status: 'resolved',
          resolved_by: resolution.reviewer,
          resolved_at: now,
          // An item resolved by someone else (its claim had lapsed) keeps no claimant it never had.
          claimed_by: sql<string | null>`case when claimed_by = ${resolution.reviewer} then claimed_by else null end`,
          claimed_at: sql<number | null>`case when claimed_by = ${resolution.reviewer} then claimed_at else null end`,
          decision: resolution.decision,
          // Fills labels only where there were none: a concurrent writer's (or the item's own) stay.
          ...(resolution.labels
            ? { labels: expression.fn.coalesce('labels', expression.val(JSON.stringify(resolution.labels))) }
            : {}),
        }))
        .where('id', '=', id)
        .where((expression) =>
          expression.or([
            pendingOrLapsed(expression, lapse.claimsLapseBefore),
            expression.and([expression('status', '=', 'claimed'), expression('claimed_by', '=', resolution.reviewer)]),
          ]),
        )
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return requireItem(id);
      const item = await requireItem(id, lapse.claimsLapseBefore);
      throw new RightsizeError(
        'conflict',
        `Review item ${id} is ${item.status === 'resolved' ? 'already resolved' : `claimed by ${item.claimedBy}; only they can resolve it`}.`,
      );
    },

    async upsertPromotion(promotion) {
      const row = {
        family_id: promotion.familyId,
        matcher: promotion.matcher,
        specialist: promotion.specialist,
        mode: promotion.mode,
        threshold: promotion.threshold,
        updated_at: promotion.updatedAt,
        note: promotion.note,
      };
      const { family_id: _key, ...changes } = row;
      await database
        .insertInto('promotion')
        .values(row)
        .onConflict((conflict) => conflict.column('family_id').doUpdateSet(changes))
        .execute();
    },

    async listPromotions() {
      const rows = await database
        .selectFrom('promotion')
        .selectAll()
        .orderBy('updated_at', 'asc')
        .orderBy('family_id', 'asc')
        .execute();
      return rows.map((row) => ({
        familyId: row.family_id,
        matcher: row.matcher,
        specialist: row.specialist,
        mode: row.mode as PromotionMode,
        threshold: row.threshold,
        updatedAt: Number(row.updated_at),
        note: row.note,
      }));
    },

    close: onClose,
  };
}

function toRequestLogRow(record: RequestLogRecord): RequestLogTable {
  return {
    id: record.id,
    time: record.time,
    api_key_id: record.apiKeyId,
    requested_model: record.requestedModel,
    route: record.route,
    served_model: record.servedModel,
    provider: record.provider,
    tiers: JSON.stringify(record.tiers),
    status: record.status,
    error_code: record.errorCode,
    stream: record.stream ? 1 : 0,
    input_tokens: record.inputTokens,
    cached_input_tokens: record.cachedInputTokens,
    output_tokens: record.outputTokens,
    reasoning_tokens: record.reasoningTokens,
    usage_source: record.usageSource,
    cost_usd: record.costUsd,
    latency_ms: record.latencyMs,
    ttft_ms: record.ttftMs,
    escalations: record.escalations,
    tag: record.tag,
    decision: record.decision,
    request_messages: record.requestMessages,
    response_text: record.responseText,
  };
}

function toRequestLogRecord(row: Selectable<RequestLogTable>): RequestLogRecord {
  return {
    id: row.id,
    time: Number(row.time),
    apiKeyId: row.api_key_id,
    requestedModel: row.requested_model,
    route: row.route,
    servedModel: row.served_model,
    provider: row.provider,
    tiers: JSON.parse(row.tiers),
    status: row.status,
    errorCode: row.error_code,
    stream: row.stream === 1,
    inputTokens: row.input_tokens,
    cachedInputTokens: row.cached_input_tokens,
    outputTokens: row.output_tokens,
    reasoningTokens: row.reasoning_tokens,
    usageSource: row.usage_source === 'provider' || row.usage_source === 'tokenizer' ? row.usage_source : null,
    costUsd: row.cost_usd,
    latencyMs: row.latency_ms,
    ttftMs: row.ttft_ms,
    escalations: row.escalations,
    tag: row.tag,
    decision: row.decision,
    requestMessages: row.request_messages,
    responseText: row.response_text,
  };
}

/** `status = 'pending'`, or a claim made before `claimsLapseBefore` (see `ClaimLapse`). */
function pendingOrLapsed(
  expression: ExpressionBuilder<Database, 'review_item'>,
  claimsLapseBefore: number | undefined,
) {
  if (claimsLapseBefore === undefined) return expression('status', '=', 'pending');
  return expression.or([
    expression('status', '=', 'pending'),
    expression.and([expression('status', '=', 'claimed'), expression('claimed_at', '<', claimsLapseBefore)]),
  ]);
}

/** A row as an item; a claim made before `claimsLapseBefore` reads as pending, with no claimant. */
function toReviewItem(row: Selectable<ReviewItemTable>, claimsLapseBefore?: number): ReviewItem {
  const lapsed =
    row.status === 'claimed' &&
    claimsLapseBefore !== undefined &&
    row.claimed_at !== null &&
    Number(row.claimed_at) < claimsLapseBefore;
  return {
    id: row.id,
    route: row.route,
    requestId: row.request_id,
    status: lapsed ? 'pending' : (row.status as ReviewStatus),
    createdAt: Number(row.created_at),
    input: row.input,
    labels: row.labels ? JSON.parse(row.labels) : null,
    candidates: JSON.parse(row.candidates),
    claimedBy: lapsed ? null : row.claimed_by,
    claimedAt: lapsed || row.claimed_at === null ? null : Number(row.claimed_at),
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at === null ? null : Number(row.resolved_at),
    decision: row.decision,
  };
}
