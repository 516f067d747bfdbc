import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
import {
  createSpecialistProvider,
  type SpecialistProvider,
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
      specialists: {
        provider: specialists,
        names: () => specialists.names(),
        labels: (name) => specialists.labels(name),
      },
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
    // The other item, untouched, still has none stored; the list shows the route's.
    expect((await store.getReviewItem(second))?.labels).toBeNull();
    const listed = (await (await fetch(`${gateway.url}/v1/rightsize/review?status=pending`)).json()) as {
      data: ReviewItem[];
    };
    expect(listed.data.map((item) => [item.id, item.labels])).toEqual([[second, labels]]);
  }, 60_000);
});
