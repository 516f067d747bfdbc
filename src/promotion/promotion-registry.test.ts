import { describe, expect, it } from 'vitest';
import type { Plan } from '../routing/plan.ts';
import { createSqliteStore } from '../store/sqlite/create-sqlite-store.ts';
import { createPromotionRegistry } from './promotion-registry.ts';

const single: Plan = {
  kind: 'model',
  route: null,
  tiers: [{ model: 'gpt-4o', fallbacks: ['gpt-4o-mini'] }],
  labels: null,
  reasons: [],
};
const SYSTEM = 'Classify the ticket. Answer with the intent label only.';
const ticket = (text: string, system = SYSTEM) => ({
  messages: [
    { role: 'system', content: system },
    { role: 'user', content: `Ticket #${Math.floor(Math.random() * 1e6)}:\n${text}` },
  ],
  tag: null,
});

describe('createPromotionRegistry', () => {
  it('rewrites single-model plans of promoted families only, by template or tag, and ignores rolled-back ones', async () => {
    const store = await createSqliteStore(':memory:');
    const base = { threshold: 0.8, updatedAt: 1, note: null };
    await store.upsertPromotion({
      ...base,
      familyId: 'fam_tickets',
      matcher: JSON.stringify({ kind: 'template', system: SYSTEM, lines: ['Ticket #<*>:', '<*>'] }),
      specialist: 'tickets',
      mode: 'active',
    });
    await store.upsertPromotion({
      ...base,
      familyId: 'fam_tagged',
      matcher: JSON.stringify({ kind: 'tag', tag: 'moderation' }),
      specialist: 'moderation',
      mode: 'shadow',
    });
    await store.upsertPromotion({
      ...base,
      familyId: 'fam_old',
      matcher: JSON.stringify({ kind: 'tag', tag: 'old' }),
      specialist: 'old',
      mode: 'rolled-back',
    });
    const registry = await createPromotionRegistry({ store, pollMs: 0 });
    expect(registry.current().map((entry) => entry.promotion.familyId)).toEqual(['fam_tagged', 'fam_tickets']);

    const active = registry.promote(single, ticket('my card has not arrived'));
    expect(active.tiers.map((tier) => [tier.model, tier.accept])).toEqual([
      ['specialist/tickets', { minConfidence: 0.8 }],
      ['gpt-4o', undefined],
    ]);
    expect(active.tiers[1]?.fallbacks).toEqual(['gpt-4o-mini']);
    expect(active.reasons[0]).toContain('fam_tickets');

    // Another system prompt, or a user message without the template's fixed line: not the family.
    expect(registry.promote(single, ticket('my card', 'Summarise the ticket.'))).toBe(single);
    expect(
      registry.promote(single, {
        messages: [
          { role: 'system', content: SYSTEM },
          { role: 'user', content: 'no ticket line here' },
        ],
        tag: null,
      }),
    ).toBe(single);
    // Routes are configured cascades already.
    const route: Plan = { ...single, kind: 'route', route: 'support' };
    expect(registry.promote(route, ticket('my card'))).toBe(route);

    const shadowed = registry.promote(single, {
      messages: [{ role: 'user', content: 'is this toxic?' }],
      tag: 'moderation',
    });
    expect(shadowed.tiers).toEqual(single.tiers);
    expect(shadowed.shadow).toEqual({ model: 'specialist/moderation', familyId: 'fam_tagged' });
    expect(registry.promote(single, { messages: [{ role: 'user', content: 'x' }], tag: 'old' })).toBe(single);

    await store.upsertPromotion({
      ...base,
      familyId: 'fam_tickets',
      matcher: JSON.stringify({ kind: 'template', system: SYSTEM, lines: ['Ticket #<*>:', '<*>'] }),
      specialist: 'tickets',
      mode: 'rolled-back',
      updatedAt: 2,
    });
    await registry.refresh();
    expect(registry.promote(single, ticket('my card has not arrived'))).toBe(single);
    registry.close();
    await store.close();
  });

  it('reports new and changed promotions to onChange before they apply, and each change once', async () => {
    const store = await createSqliteStore(':memory:');
    const promotion = {
      familyId: 'fam_tagged',
      matcher: JSON.stringify({ kind: 'tag', tag: 'moderation' }),
      specialist: 'moderation',
      mode: 'shadow' as const,
      threshold: 0.8,
      updatedAt: 1,
      note: null,
    };
    await store.upsertPromotion(promotion);
    const calls: string[][] = [];
    let registry: Awaited<ReturnType<typeof createPromotionRegistry>> | undefined;
    const seenBefore: number[] = [];
    registry = await createPromotionRegistry({
      store,
      pollMs: 0,
      async onChange(changed) {
        calls.push(changed.map((entry) => `${entry.promotion.specialist}:${entry.promotion.mode}`));
        // Called before the change applies: the registry still holds the promotions before it.
        seenBefore.push(registry?.current().length ?? -1);
      },
    });
    expect(calls).toEqual([['moderation:shadow']]);
    await registry.refresh();
    expect(calls).toHaveLength(1);
    await store.upsertPromotion({ ...promotion, mode: 'active', updatedAt: 2 });
    // Overlapping refreshes (the poll and the HTTP route) run in turn: the change is reported once.
    await Promise.all([registry.refresh(), registry.refresh()]);
    expect(calls).toEqual([['moderation:shadow'], ['moderation:active']]);
    expect(seenBefore).toEqual([-1, 1]);
    expect(registry.current()[0]?.promotion.mode).toBe('active');
    // A rollback is no load; the same promotion back again is a change.
    await store.upsertPromotion({ ...promotion, mode: 'rolled-back', updatedAt: 3 });
    await registry.refresh();
    await store.upsertPromotion({ ...promotion, mode: 'shadow', updatedAt: 4 });
    await registry.refresh();
    expect(calls.at(-1)).toEqual(['moderation:shadow']);
    expect(calls).toHaveLength(3);
    registry.close();
    await store.close();
  });
});
