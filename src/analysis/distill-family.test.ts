import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { banking77Sample } from '../specialists/banking77-sample.ts';
import { createSqliteStore } from '../store/sqlite/create-sqlite-store.ts';
import { sampleLogRecord } from '../store/store-conformance.ts';
import { distillFamily } from './distill-family.ts';
import { readDistillations } from './distillation-record.ts';
import { groupFamilies } from './group-families.ts';

const SYSTEM = 'Classify the bank support ticket. Reply with the intent label only.';
const folder = mkdtempSync(join(tmpdir(), 'rightsize-distill-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('distillFamily', () => {
  it('trains from logged answers with reviewers overriding, measures agreement held out, calibrates', async () => {
    const store = await createSqliteStore(':memory:');
    const rows = banking77Sample({ split: 'train', labels: 6, perLabel: 60 });
    const records = rows.map((row, index) =>
      sampleLogRecord({
        id: `req_${index}`,
        time: 1_700_000_000_000 + index * 60_000,
        requestMessages: JSON.stringify([
          { role: 'system', content: SYSTEM },
          { role: 'user', content: row.text },
        ]),
        // The large model got every 12th ticket wrong with a label of its own; a reviewer fixed each.
        // Every 30th (from the 15th) went to the human tier and still waits: its text is the notice.
        responseText:
          index % 12 === 0
            ? 'not_an_intent'
            : index % 30 === 15
              ? `Awaiting human review (item rv_${index}).`
              : row.label,
        servedModel: index % 30 === 15 ? 'human' : 'gpt-4o',
        costUsd: 0.002,
      }),
    );
    await store.insertRequestLogs(records);
    let reviewed = 0;
    for (const [index, row] of rows.entries()) {
      if (index % 12 !== 0) continue;
      await store.createReviewItem({
        id: `rv_${index}`,
        route: 'tickets',
        requestId: `req_${index}`,
        input: row.text,
        labels: null,
        candidates: [],
      });
      await store.resolveReviewItem(`rv_${index}`, { reviewer: 'alice', decision: row.label });
      reviewed++;
    }
    const family = groupFamilies(records)[0];
    expect(family?.members).toHaveLength(360);

    const registryDir = join(folder, 'registry');
    const distillationDir = join(folder, 'distillations');
    const result = await distillFamily({
      store,
      familyId: family?.id ?? '',
      name: 'tickets-distilled',
      registryDir,
      distillationDir,
      arch: 'fasttext',
      targetAccuracy: 0.85,
      heldOutFraction: 0.25,
      hyperParameters: { fasttext: { epoch: 25, dim: 16, bucket: 20_000, minn: 0, maxn: 0 } },
    });
    await store.close();

    expect(result.reviewedRows).toBe(reviewed);
    // The 12 requests still waiting for a person teach nothing: their notice is not a label.
    expect(result.trainRows + result.heldOutRows).toBe(348);
    expect(result.heldOutRows).toBeGreaterThanOrEqual(84);
    expect(result.heldOutRows).toBeLessThanOrEqual(90);
    // Reviewers' decisions replaced every wrong answer: the bogus label never reached the specialist.
    const metadata = JSON.parse(readFileSync(join(registryDir, 'tickets-distilled', 'specialist.json'), 'utf8'));
    expect(metadata.labels).toHaveLength(6);
    expect(metadata.labels).not.toContain('not_an_intent');
    expect(metadata.labels.some((label: string) => label.startsWith('Awaiting'))).toBe(false);
    expect(result.agreement).toBeGreaterThan(0.75);
    expect(result.threshold).toBeDefined();
    expect(metadata.threshold.source).toBe(`distill:${family?.id}:held-out`);
    expect(result.coverage).toBeGreaterThan(0.2);
    expect(result.selectiveAccuracy).toBeGreaterThanOrEqual(0.85);
    // 360 requests over their 359-minute span (at least an hour) -> per 30 days; saving = coverage x $0.002 - $0.000001.
    const requestsPerMonth = (360 / (359 * 60_000)) * 30 * 86_400_000;
    expect(result.requestsPerMonth).toBeCloseTo(requestsPerMonth, 3);
    expect(result.monthlySavingUsd).toBeCloseTo(requestsPerMonth * (result.coverage * 0.002 - 0.000001), 6);
    expect(readDistillations(distillationDir).get(family?.id ?? '')?.specialist).toBe('tickets-distilled');
  }, 60_000);

  it('refuses an unknown family and a free-text family', async () => {
    const store = await createSqliteStore(':memory:');
    await store.insertRequestLogs(
      Array.from({ length: 30 }, (_, index) =>
        sampleLogRecord({
          id: `req_${index}`,
          requestMessages: JSON.stringify([{ role: 'user', content: `Tell me a story about ${index}` }]),
          responseText: `Once upon a time there were ${index} dragons.\nThey lived happily ever after, in a castle.`,
        }),
      ),
    );
    const [family] = groupFamilies(await store.queryRequestLogs());
    await expect(distillFamily({ store, familyId: 'fam_missing', registryDir: folder })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(distillFamily({ store, familyId: family?.id ?? '', registryDir: folder })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await store.close();
  });
});
