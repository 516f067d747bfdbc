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
});
