import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
import {
  createSpecialistProvider,
  type SpecialistProvider,
  toSpecialistSource,
} from '../providers/specialist/create-specialist-provider.ts';
import { banking77Sample } from '../specialists/banking77-sample.ts';
import { trainSpecialist } from '../specialists/training/train-specialist.ts';
import { createSqliteStore } from '../store/sqlite/create-sqlite-store.ts';
import type { ReviewItem, Store } from '../store/store.ts';
import { type RunningGateway, startGateway } from './start-gateway.ts';

const folder = mkdtempSync(join(tmpdir(), 'rightsize-review-routes-'));
const registryDir = join(folder, 'registry');
const rows = banking77Sample({ split: 'train', labels: 3, perLabel: 20 });
const labels = [...new Set(rows.map((row) => row.label))].sort();

describe('review items queued while the route’s specialist was still training', () => {
  let specialists: SpecialistProvider;
  let gateway: RunningGateway;
  let store: Store;

  beforeAll(async () => {
    // The registry is empty at start: the route's labels (labelsFrom) are not known yet.
    specialists = createSpecialistProvider({ registryDir, costPerCallUsd: 0.000001 });
    store = await createSqliteStore(':memory:');
    gateway = await startGateway({
      config: parseConfig(`
server: { port: 0 }
specialists: { registry: ${JSON.stringify(registryDir)} }
routes:
  triage:
    labelsFrom: tickets
    tiers: [{ model: human }]
`),
      environment: readEnvironment({}),
      store,
      specialists: toSpecialistSource(specialists),
    });
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function queue(text: string): Promise<string> {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'triage', messages: [{ role: 'user', content: text }] }),
    });
    expect(response.status).toBe(200);
    return response.headers.get('x-rightsize-review-id') ?? '';
  }

  const getItem = async (id: string) =>
    (await (await fetch(`${gateway.url}/v1/rightsize/review/${id}`)).json()) as ReviewItem;

  const resolve = (id: string, decision: string) =>
    fetch(`${gateway.url}/v1/rightsize/review/${id}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reviewer: 'alice', decision }),
    });

  it('checks the decision against the labels the route has now, and stores them on the item', async () => {
    const first = await queue('My card has not arrived yet');
    const second = await queue('Where is my new card?');
    expect((await store.getReviewItem(first))?.labels).toBeNull();

    await trainSpecialist({
      rows,
      name: 'tickets',
      arch: 'fasttext',
      registryDir,
      targetAccuracy: 0.8,
      hyperParameters: { fasttext: { epoch: 5, dim: 8, bucket: 10_000, minn: 0, maxn: 0 } },
    });
    // The gateway reads a specialist's labels at most once a second: they show once it has.
    await expect.poll(async () => (await getItem(first)).labels, { timeout: 5000 }).toEqual(labels);

    const wrongType = await fetch(`${gateway.url}/v1/rightsize/review/${first}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reviewer: 'alice', decision: 5 }),
    });
    expect(((await wrongType.json()) as { error: { message: string } }).error.message).toBe(
      'Invalid body: decision: expected string, got number.',
    );
    const bad = await resolve(first, 'Not A Label');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; param: string } }).error).toMatchObject({
      code: 'invalid_request',
      param: 'decision',
    });
    expect((await store.getReviewItem(first))?.status).toBe('pending');

    const good = await resolve(first, labels[0] ?? '');
    expect(good.status).toBe(200);
    const stored = await store.getReviewItem(first);
    expect([stored?.decision, stored?.labels]).toEqual([labels[0], labels]);
    // Without client keys the reviewer is recorded as sent.
    expect(stored?.resolvedBy).toBe('alice');
    // The other item, untouched, still has none stored; the list shows the route's.
    expect((await store.getReviewItem(second))?.labels).toBeNull();
    const listed = (await (await fetch(`${gateway.url}/v1/rightsize/review?status=pending`)).json()) as {
      data: ReviewItem[];
    };
    expect(listed.data.map((item) => [item.id, item.labels])).toEqual([[second, labels]]);
  }, 60_000);
});

describe('review over HTTP with client keys', () => {
  const keys = { 'team-a': 'key-of-team-a', 'team-b': 'key-of-team-b' } as const;
  const triageLabels = ['card_arrival', 'lost_or_stolen_card'];
  let gateway: RunningGateway;
  let store: Store;

  /** A gateway over `store` with the two keys and the triage route; `human` is its human: section. */
  const startKeyed = (human = '{}') =>
    startGateway({
      config: parseConfig(`
server: { port: 0, apiKeys: [{ id: team-a, env: KEY_A }, { id: team-b, env: KEY_B }] }
human: ${human}
routes:
  triage:
    labels: [${triageLabels.join(', ')}]
    tiers: [{ model: human }]
`),
      environment: readEnvironment({ KEY_A: keys['team-a'], KEY_B: keys['team-b'] }),
      store: { ...store, close: async () => {} },
    });

  beforeAll(async () => {
    store = await createSqliteStore(':memory:');
    gateway = await startKeyed();
  });
  afterAll(async () => {
    await gateway?.close();
    await store?.close();
  });

  const enqueue = async () =>
    (
      await gateway.runtime.reviewQueue.enqueue({
        route: 'triage',
        requestId: 'req_1',
        input: 'Where is my new card?',
        labels: triageLabels,
        candidates: [],
      })
    ).id;

  const post = async (
    key: keyof typeof keys,
    id: string,
    action: 'claim' | 'release' | 'resolve',
    body: object,
    url = gateway.url,
  ) => {
    const response = await fetch(`${url}/v1/rightsize/review/${id}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[key]}` },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as ReviewItem & { error?: { code: string; param: string; message: string } };
    return { ...json, http: response.status };
  };

  it('records a named reviewer under the key, so another key cannot resolve by naming the claimer', async () => {
    const id = await enqueue();
    expect((await post('team-a', id, 'claim', {})).claimedBy).toBe('team-a');
    // team-b naming team-a (the tester's reproduction), or with no name: the item stays team-a's.
    const impostor = await post('team-b', id, 'resolve', { decision: 'card_arrival', reviewer: 'team-a' });
    expect([impostor.http, impostor.error?.code]).toEqual([409, 'conflict']);
    expect((await post('team-b', id, 'resolve', { decision: 'card_arrival' })).http).toBe(409);
    expect((await store.getReviewItem(id))?.status).toBe('claimed');
    // The claiming key resolves it, naming itself or not.
    const resolved = await post('team-a', id, 'resolve', { decision: 'card_arrival', reviewer: 'team-a' });
    expect([resolved.http, resolved.resolvedBy, resolved.decision]).toEqual([200, 'team-a', 'card_arrival']);
  });

  it('lets the claimant release an item, and a claim lapse after human.claimTimeoutSeconds', async () => {
    const id = await enqueue();
    expect((await post('team-a', id, 'claim', {})).claimedBy).toBe('team-a');
    const notYours = await post('team-b', id, 'release', {});
    expect([notYours.http, notYours.error?.code]).toEqual([409, 'conflict']);
    const released = await post('team-a', id, 'release', {});
    expect([released.http, released.status, released.claimedBy]).toEqual([200, 'pending', null]);

    // On a gateway whose claims lapse after 1 s: team-b claims it and goes away; then team-a takes it over.
    const lapsing = await startKeyed('{ claimTimeoutSeconds: 1 }');
    try {
      expect((await post('team-b', id, 'claim', {}, lapsing.url)).claimedBy).toBe('team-b');
      expect((await post('team-a', id, 'claim', {}, lapsing.url)).http).toBe(409);
      await new Promise((resolveSleep) => setTimeout(resolveSleep, 1_100));
      const listed = (await (
        await fetch(`${lapsing.url}/v1/rightsize/review?status=pending`, {
          headers: { authorization: `Bearer ${keys['team-a']}` },
        })
      ).json()) as { data: ReviewItem[] };
      expect(listed.data.find((item) => item.id === id)).toMatchObject({ status: 'pending', claimedBy: null });
      // The gateway with the default 30 minutes still sees team-b's claim.
      expect((await post('team-a', id, 'claim', {})).http).toBe(409);
      expect((await post('team-a', id, 'claim', {}, lapsing.url)).claimedBy).toBe('team-a');
      const resolved = await post('team-a', id, 'resolve', { decision: 'card_arrival' }, lapsing.url);
      expect([resolved.http, resolved.resolvedBy]).toEqual([200, 'team-a']);
    } finally {
      await lapsing.close();
    }
  });

  it('tells people sharing one key apart: key id / name, claimed and resolved by the same name', async () => {
    const id = await enqueue();
    expect((await post('team-a', id, 'claim', { reviewer: 'alice' })).claimedBy).toBe('team-a/alice');
    expect((await post('team-a', id, 'resolve', { decision: 'card_arrival', reviewer: 'bob' })).http).toBe(409);
    expect((await post('team-a', id, 'resolve', { decision: 'card_arrival' })).http).toBe(409);
    expect((await post('team-b', id, 'resolve', { decision: 'card_arrival', reviewer: 'alice' })).http).toBe(409);
    // A name holding "/" could pass for another key's person: refused.
    const slashed = await post('team-b', id, 'resolve', { decision: 'card_arrival', reviewer: 'team-a/alice' });
    expect([slashed.http, slashed.error?.param]).toEqual([400, 'reviewer']);
    expect(slashed.error?.message).toContain('records "team-b/<reviewer>" itself');
    // Control characters would reach `rightsize review list` raw; a blank name says nobody.
    for (const reviewer of ['\u001b[31mred', 'a\nb', '   ', '\u200b', '\u202eevil', 'a\u2028b']) {
      const odd = await post('team-a', id, 'resolve', { decision: 'card_arrival', reviewer });
      expect([odd.http, odd.error?.param]).toEqual([400, 'reviewer']);
    }
    const resolved = await post('team-a', id, 'resolve', { decision: 'card_arrival', reviewer: 'alice' });
    expect([resolved.http, resolved.claimedBy, resolved.resolvedBy]).toEqual([200, 'team-a/alice', 'team-a/alice']);
  });

  it('quotes an unknown id in its errors, cut short, control characters escaped', async () => {
    const get = async (id: string) => {
      const response = await fetch(`${gateway.url}/v1/rightsize/review/${id}`, {
        headers: { authorization: `Bearer ${keys['team-a']}` },
      });
      return [response.status, ((await response.json()) as { error: { message: string } }).error.message] as const;
    };
    expect(await get(`rv_${'x'.repeat(90)}`)).toEqual([404, `No review item "rv_${'x'.repeat(61)}...".`]);
    // Past the router's limit on a path segment (100 characters) the framework answers; its message is cut too.
    const [status, message] = await get(`rv_${'x'.repeat(5_000)}`);
    expect(status).toBe(400);
    expect(message.length).toBeLessThanOrEqual(203);
    const odd = (await post('team-a', 'rv_%0Abad', 'claim', {})).error?.message;
    expect(odd).toBe('No review item "rv_\\nbad"; list pending items with GET /v1/rightsize/review?status=pending.');
  });

  it('matches a decision the way the CLI does and stores the canonical label', async () => {
    for (const [decision, stored] of [
      ['Card Arrival', 'card_arrival'],
      [' card_arrival', 'card_arrival'],
      ['"Lost or stolen card."', 'lost_or_stolen_card'],
    ] as const) {
      const id = await enqueue();
      const resolved = await post('team-b', id, 'resolve', { decision });
      expect([resolved.http, resolved.decision, resolved.resolvedBy]).toEqual([200, stored, 'team-b']);
      expect((await store.getReviewItem(id))?.decision).toBe(stored);
    }
    const id = await enqueue();
    const refused = await post('team-b', id, 'resolve', { decision: 'refund' });
    expect([refused.http, refused.error?.code, refused.error?.param]).toEqual([400, 'invalid_request', 'decision']);
    expect(refused.error?.message).toBe(
      `decision "refund" is not one of the 2 labels of route triage (card_arrival, lost_or_stolen_card); GET /v1/rightsize/review/${id} shows them.`,
    );
    expect((await store.getReviewItem(id))?.status).toBe('pending');
  });
});
