import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReviewQueue } from '../../review/review-queue.ts';
import { createSqliteStore } from '../../store/sqlite/create-sqlite-store.ts';
import type { ReviewItem } from '../../store/store.ts';
import { main } from '../main.ts';

/** Runs `rightsize ...args` in process; returns what it printed and the exit code. */
async function run(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    process.exitCode = 0;
    await main(['node', 'rightsize', ...args]);
    const text = (spy: typeof out) => spy.mock.calls.map(([chunk]) => String(chunk)).join('');
    return { out: text(out), err: text(err), code: Number(process.exitCode ?? 0) };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = 0;
  }
}

describe('rightsize review on a SQLite store', () => {
  let folder: string;
  let db: string;
  let first: ReviewItem;
  let second: ReviewItem;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'rightsize-review-'));
    db = `sqlite:${join(folder, 'rightsize.db')}`;
    const store = await createSqliteStore(join(folder, 'rightsize.db'));
    const queue = new ReviewQueue(store);
    first = await queue.enqueue({
      route: 'support-triage',
      requestId: 'req_1',
      input: 'I was charged twice for one coffee',
      labels: ['card_arrival', 'transaction_charged_twice'],
      candidates: [
        { model: 'specialist/support-triage', answer: 'card_arrival', confidence: 0.31, reason: 'low_confidence' },
      ],
    });
    second = await queue.enqueue({
      route: 'support-triage',
      requestId: 'req_2',
      input: 'where is my card',
      labels: ['card_arrival', 'transaction_charged_twice'],
      candidates: [],
    });
    await store.close();
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  afterEach(() => {
    process.exitCode = 0;
  });

  it('lists pending items, as a table and as JSON', async () => {
    const table = await run('review', 'list', '--status', 'pending', '--db', db);
    expect(table.code).toBe(0);
    expect(table.out).toContain(first.id);
    expect(table.out).toContain('card_arrival (0.31)');
    expect(table.out).toContain('2 items.');
    const json = await run('review', 'list', '--db', db, '--json', '--limit', '1');
    expect((JSON.parse(json.out) as ReviewItem[]).map((item) => item.id)).toEqual([first.id]);
  });

  it('shows an item with its labels and what the earlier tiers answered', async () => {
    const shown = await run('review', 'show', first.id, '--db', db);
    expect(shown.out).toContain('Input: I was charged twice for one coffee');
    expect(shown.out).toContain('Labels (2): card_arrival, transaction_charged_twice');
    expect(shown.out).toMatch(/specialist\/support-triage.*card_arrival.*0\.310.*low_confidence/);
  });

  it('lets one reviewer claim an item, and refuses a second in one line', async () => {
    expect((await run('review', 'claim', first.id, '--reviewer', 'alice', '--db', db)).out).toBe(
      `Claimed ${first.id} for alice.\n`,
    );
    const conflict = await run('review', 'claim', first.id, '--reviewer', 'bob', '--db', db);
    expect(conflict.code).not.toBe(0);
    expect(conflict.err).toBe(`rightsize: Review item ${first.id} is claimed by alice; pick another pending item.\n`);
    const notTheirs = await run(
      'review',
      'resolve',
      first.id,
      '--decision',
      'card_arrival',
      '--reviewer',
      'bob',
      '--db',
      db,
    );
    expect(notTheirs.code).not.toBe(0);
    expect(notTheirs.err).toContain('claimed by alice');
    // Only alice can give it back; once she has, bob can take it, and give it back too.
    const notTheirsToRelease = await run('review', 'release', first.id, '--reviewer', 'bob', '--db', db);
    expect(notTheirsToRelease.err).toBe(
      `rightsize: Review item ${first.id} is claimed by alice, not bob: only its claimant can release it.\n`,
    );
    expect((await run('review', 'release', first.id, '--reviewer', 'alice', '--db', db)).out).toBe(
      `Released ${first.id}: pending again.\n`,
    );
    expect((await run('review', 'claim', first.id, '--reviewer', 'bob', '--db', db)).code).toBe(0);
    expect((await run('review', 'release', first.id, '--reviewer', 'bob', '--db', db)).code).toBe(0);
    expect((await run('review', 'claim', first.id, '--reviewer', 'alice', '--db', db)).code).toBe(0);
    // A name that would print escape codes to the terminal (as over HTTP): refused before the store opens.
    const escaped = await run('review', 'claim', first.id, '--reviewer', '\u001b[31mred', '--db', db);
    expect(escaped.code).toBe(2);
    expect(escaped.err).toContain('--reviewer: use a name without control, invisible or line-separator characters');
  });

  it('resolves with a label (matched to its spelling), durably, and wakes a gateway that waits', async () => {
    const bad = await run('review', 'resolve', first.id, '--decision', 'refund', '--reviewer', 'alice', '--db', db);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toBe(
      'rightsize: --decision "refund" is not one of the 2 labels of route support-triage ' +
        `(card_arrival, transaction_charged_twice); see them with \`rightsize review show ${first.id}\`.\n`,
    );

    // Another process (a gateway whose client waits) polls the same file.
    const gatewayStore = await createSqliteStore(join(folder, 'rightsize.db'));
    const waiting = new ReviewQueue(gatewayStore, { pollMs: 20 }).waitForDecision(first.id, 10_000);
    const resolved = await run(
      'review',
      'resolve',
      first.id,
      '--decision',
      'Transaction Charged Twice',
      '--reviewer',
      'alice',
      '--db',
      db,
    );
    expect(resolved.out).toBe(`Resolved ${first.id} as transaction_charged_twice (by alice).\n`);
    expect((await waiting)?.decision).toBe('transaction_charged_twice');
    await gatewayStore.close();

    const reopened = await createSqliteStore(join(folder, 'rightsize.db'));
    expect(await reopened.getReviewItem(first.id)).toMatchObject({
      status: 'resolved',
      decision: 'transaction_charged_twice',
      resolvedBy: 'alice',
    });
    await reopened.close();
    const again = await run(
      'review',
      'resolve',
      first.id,
      '--decision',
      'card_arrival',
      '--reviewer',
      'alice',
      '--db',
      db,
    );
    expect(again.err).toContain('already resolved');
  });

  it('reads the store from --config, and names an unknown id in one line', async () => {
    const config = join(folder, 'rightsize.yaml');
    writeFileSync(config, `store: { url: "${db}" }\n`);
    const listed = await run('review', 'list', '--status', 'pending', '--config', config, '--json');
    expect((JSON.parse(listed.out) as ReviewItem[]).map((item) => item.id)).toEqual([second.id]);
    const missing = await run('review', 'show', 'rv_nope', '--db', db);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/^rightsize: No review item rv_nope in this store; .*\n$/);
  });

  it('checks a decision on an item queued before its labels were known against the route in the config', async () => {
    const store = await createSqliteStore(join(folder, 'rightsize.db'));
    const early = await new ReviewQueue(store).enqueue({
      route: 'tickets',
      requestId: 'req_3',
      input: 'my card is stuck in the ATM',
      labels: null,
      candidates: [],
    });
    await store.close();
    const config = join(folder, 'labels.yaml');
    writeFileSync(
      config,
      `store: { url: "${db}" }\nroutes:\n  tickets:\n    labels: [card_swallowed, card_arrival]\n    tiers: [{ model: human }]\n`,
    );
    const refused = await run(
      'review',
      'resolve',
      early.id,
      '--decision',
      'Not A Label',
      '--reviewer',
      'bo',
      '--config',
      config,
    );
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('is not one of the 2 labels of route tickets');
    const resolved = await run(
      'review',
      'resolve',
      early.id,
      '--decision',
      'Card Swallowed',
      '--reviewer',
      'bo',
      '--config',
      config,
    );
    expect(resolved.code).toBe(0);
    expect(resolved.out).toContain(`Resolved ${early.id} as card_swallowed`);
    const reopened = await createSqliteStore(join(folder, 'rightsize.db'));
    const stored = await new ReviewQueue(reopened).get(early.id);
    await reopened.close();
    expect(stored?.labels).toEqual(['card_swallowed', 'card_arrival']);
  });
});
