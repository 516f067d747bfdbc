import { expect, it } from 'vitest';
import { isRightsizeError } from '../errors/rightsize-error.ts';
import type { Promotion, RequestLogRecord, Store } from './store.ts';

/** A log row with every field set; `overrides` change some. */
export function sampleLogRecord(overrides: Partial<RequestLogRecord> = {}): RequestLogRecord {
  return {
    id: 'req_1',
    time: 1_700_000_000_000,
    apiKeyId: 'team-a',
    requestedModel: 'gpt-4o-mini',
    route: null,
    servedModel: 'gpt-4o-mini',
    provider: 'openai',
    tiers: [
      { tier: 0, model: 'gpt-4o-mini', provider: 'openai', outcome: 'accepted', latencyMs: 12.5, costUsd: 0.00015 },
    ],
    status: 200,
    errorCode: null,
    stream: false,
    inputTokens: 100,
    cachedInputTokens: 20,
    outputTokens: 50,
    reasoningTokens: 0,
    usageSource: 'provider',
    costUsd: 0.00015,
    latencyMs: 12.5,
    ttftMs: null,
    escalations: 0,
    tag: null,
    decision: null,
    requestMessages: '[{"role":"user","content":"hi"}]',
    responseText: 'hello',
    ...overrides,
  };
}

/**
 * The store conformance suite: every `Store` implementation runs it from its own test file.
 * `open` returns a store over the same data each time it is called with the same `name`
 * (for durability across a reopen), or a fresh one for a new name.
 */
export function runStoreConformance(open: (name: string) => Promise<Store>): void {
  it('round-trips request log rows, including null cost for unpriced models', async () => {
    const store = await open('log');
    const rows = Array.from({ length: 250 }, (_, index) =>
      sampleLogRecord({
        id: `req_${index}`,
        time: 1_700_000_000_000 + index,
        costUsd: index === 7 ? null : 0.001 * index,
      }),
    );
    await store.insertRequestLogs(rows);
    expect(await store.countRequestLogs()).toBe(250);
    const newest = await store.queryRequestLogs({ limit: 2 });
    expect(newest.map((row) => row.id)).toEqual(['req_249', 'req_248']);
    const all = await store.queryRequestLogs({ since: 1_700_000_000_007 });
    expect(all).toHaveLength(243);
    const unpriced = all.find((row) => row.id === 'req_7');
    expect(unpriced?.costUsd).toBeNull();
    expect(unpriced?.tiers[0]?.model).toBe('gpt-4o-mini');
    expect(unpriced?.stream).toBe(false);
    await store.close();
  });

  it('lets exactly one of two racing reviewers claim an item', async () => {
    const store = await open('race');
    await store.createReviewItem({
      id: 'rv_1',
      route: 'support',
      requestId: 'req_1',
      input: 'my card is lost',
      labels: ['lost_card', 'card_arrival'],
      candidates: [],
    });
    const results = await Promise.allSettled([
      store.claimReviewItem('rv_1', 'alice'),
      store.claimReviewItem('rv_1', 'bob'),
    ]);
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result) => result.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(isRightsizeError((lost[0] as PromiseRejectedResult).reason, 'conflict')).toBe(true);
    const winner = (won[0] as PromiseFulfilledResult<{ claimedBy: string | null }>).value.claimedBy;
    const loser = winner === 'alice' ? 'bob' : 'alice';
    await expect(store.resolveReviewItem('rv_1', { reviewer: loser, decision: 'lost_card' })).rejects.toMatchObject({
      code: 'conflict',
    });
    const resolved = await store.resolveReviewItem('rv_1', { reviewer: winner ?? '', decision: 'lost_card' });
    expect(resolved.status).toBe('resolved');
    expect(resolved.decision).toBe('lost_card');
    await expect(
      store.resolveReviewItem('rv_1', { reviewer: winner ?? '', decision: 'card_arrival' }),
    ).rejects.toMatchObject({ code: 'conflict' });
    await expect(store.claimReviewItem('rv_missing', 'alice')).rejects.toMatchObject({ code: 'not_found' });
    await store.close();
  });

  it('lets a claimant release an item, and a lapsed claim be taken by another reviewer', async () => {
    const store = await open('lapse');
    const item = { route: 'support', requestId: 'req_1', input: 'x', labels: ['a', 'b'], candidates: [] };
    await store.createReviewItem({ ...item, id: 'rv_release' });
    await store.claimReviewItem('rv_release', 'alice');
    await expect(store.releaseReviewItem('rv_release', 'bob')).rejects.toMatchObject({ code: 'conflict' });
    const released = await store.releaseReviewItem('rv_release', 'alice');
    expect([released.status, released.claimedBy, released.claimedAt]).toEqual(['pending', null, null]);
    await expect(store.releaseReviewItem('rv_release', 'alice')).rejects.toMatchObject({
      code: 'conflict',
      message: 'Review item rv_release is pending (no claim holds it): there is no claim of yours to release.',
    });
    expect((await store.claimReviewItem('rv_release', 'bob')).claimedBy).toBe('bob');

    await store.createReviewItem({ ...item, id: 'rv_lapse' });
    const claimed = await store.claimReviewItem('rv_lapse', 'alice');
    const claimedAt = claimed.claimedAt ?? 0;
    const fresh = { claimsLapseBefore: claimedAt };
    const lapsed = { claimsLapseBefore: claimedAt + 1 };
    // Before the claim lapses: held; bob can neither take nor resolve it, and it is not listed as pending.
    await expect(store.claimReviewItem('rv_lapse', 'bob', fresh)).rejects.toMatchObject({ code: 'conflict' });
    expect((await store.listReviewItems({ status: 'pending', ...fresh })).map((entry) => entry.id)).not.toContain(
      'rv_lapse',
    );
    expect((await store.listReviewItems({ status: 'claimed', ...fresh })).map((entry) => entry.id)).toContain(
      'rv_lapse',
    );
    // After: pending again everywhere, and bob may take it (or resolve it).
    expect(await store.getReviewItem('rv_lapse', lapsed)).toMatchObject({ status: 'pending', claimedBy: null });
    expect((await store.listReviewItems({ status: 'pending', ...lapsed })).map((entry) => entry.id)).toContain(
      'rv_lapse',
    );
    expect((await store.listReviewItems({ status: 'claimed', ...lapsed })).map((entry) => entry.id)).not.toContain(
      'rv_lapse',
    );
    expect((await store.claimReviewItem('rv_lapse', 'bob', lapsed)).claimedBy).toBe('bob');
    await expect(store.resolveReviewItem('rv_lapse', { reviewer: 'alice', decision: 'a' })).rejects.toMatchObject({
      code: 'conflict',
    });
    await store.createReviewItem({ ...item, id: 'rv_lapse_resolve' });
    const held = await store.claimReviewItem('rv_lapse_resolve', 'alice');
    const resolved = await store.resolveReviewItem(
      'rv_lapse_resolve',
      { reviewer: 'carol', decision: 'b' },
      { claimsLapseBefore: (held.claimedAt ?? 0) + 1 },
    );
    // Resolved by another after the claim lapsed: alice is not left as its claimant.
    expect([resolved.status, resolved.resolvedBy, resolved.claimedBy, resolved.claimedAt]).toEqual([
      'resolved',
      'carol',
      null,
      null,
    ]);
    // The claimant claiming again renews the claim; resolving it keeps the claimant.
    await store.createReviewItem({ ...item, id: 'rv_renew' });
    const first = await store.claimReviewItem('rv_renew', 'alice');
    await new Promise((resolveSleep) => setTimeout(resolveSleep, 5));
    const renewed = await store.claimReviewItem('rv_renew', 'alice', { claimsLapseBefore: 0 });
    expect(renewed.claimedAt ?? 0).toBeGreaterThan(first.claimedAt ?? 0);
    const own = await store.resolveReviewItem('rv_renew', { reviewer: 'alice', decision: 'a' });
    expect([own.claimedBy, own.claimedAt]).toEqual(['alice', renewed.claimedAt]);
    // Without a lapse given, a claim holds.
    expect((await store.getReviewItem('rv_lapse'))?.status).toBe('claimed');
    await store.close();
  });

  it('stores the labels given with a decision on an item that had none, never replacing its own', async () => {
    const store = await open('labels');
    const item = { route: 'support', input: 'x', candidates: [] };
    await store.createReviewItem({ ...item, id: 'rv_none', requestId: 'req_none', labels: null });
    await store.createReviewItem({ ...item, id: 'rv_own', requestId: 'req_own', labels: ['a', 'b'] });
    const filled = await store.resolveReviewItem('rv_none', {
      reviewer: 'alice',
      decision: 'b',
      labels: ['a', 'b', 'c'],
    });
    expect([filled.labels, filled.decision]).toEqual([['a', 'b', 'c'], 'b']);
    const kept = await store.resolveReviewItem('rv_own', { reviewer: 'alice', decision: 'b', labels: ['x', 'y'] });
    expect(kept.labels).toEqual(['a', 'b']);
    await store.close();
  });

  it('keeps review items and decisions across a reopen', async () => {
    const first = await open('durable');
    await first.createReviewItem({
      id: 'rv_a',
      route: 'support',
      requestId: 'req_a',
      input: 'a',
      labels: null,
      candidates: [{ model: 'specialist/x', answer: 'card_arrival', confidence: 0.4, reason: 'low_confidence' }],
    });
    await first.createReviewItem({
      id: 'rv_b',
      route: 'support',
      requestId: 'req_b',
      input: 'b',
      labels: null,
      candidates: [],
    });
    await first.resolveReviewItem('rv_a', { reviewer: 'alice', decision: 'lost_card' });
    await first.close();
    const second = await open('durable');
    const pending = await second.listReviewItems({ status: 'pending' });
    expect(pending.map((item) => item.id)).toEqual(['rv_b']);
    const resolved = await second.getReviewItem('rv_a');
    expect(resolved?.decision).toBe('lost_card');
    expect(resolved?.candidates[0]?.confidence).toBe(0.4);
    await second.close();
  });

  it('creates, replaces and rolls back promotions, and keeps them across a reopen', async () => {
    const first = await open('promotions');
    expect(await first.listPromotions()).toEqual([]);
    await first.upsertPromotion({
      familyId: 'fam_a',
      matcher: '{"kind":"tag","tag":"tickets"}',
      specialist: 'tickets-v1',
      mode: 'shadow',
      threshold: null,
      updatedAt: 1_700_000_000_000,
      note: 'shadow first',
    });
    await first.upsertPromotion({
      familyId: 'fam_b',
      matcher: '{}',
      specialist: 'other',
      mode: 'active',
      threshold: 0.9,
      updatedAt: 1_700_000_000_001,
      note: null,
    });
    await first.upsertPromotion({
      familyId: 'fam_a',
      matcher: '{"kind":"tag","tag":"tickets"}',
      specialist: 'tickets-v1',
      mode: 'active',
      threshold: 0.75,
      updatedAt: 1_700_000_000_002,
      note: 'promoted',
    });
    await first.close();
    const second = await open('promotions');
    const promotions = await second.listPromotions();
    expect(promotions.map((promotion) => [promotion.familyId, promotion.mode, promotion.threshold])).toEqual([
      ['fam_b', 'active', 0.9],
      ['fam_a', 'active', 0.75],
    ]);
    expect(promotions[1]?.updatedAt).toBe(1_700_000_000_002);
    await second.upsertPromotion({
      ...(promotions[1] as Promotion),
      mode: 'rolled-back',
      updatedAt: 1_700_000_000_003,
    });
    expect((await second.listPromotions()).find((promotion) => promotion.familyId === 'fam_a')?.mode).toBe(
      'rolled-back',
    );
    await second.close();
  });
}
