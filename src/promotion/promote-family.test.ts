import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distillFamily } from '../analysis/distill-family.ts';
import { isCatchAllTemplate } from '../analysis/family-matcher.ts';
import { groupFamilies } from '../analysis/group-families.ts';
import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
import { createSpecialistProvider, toSpecialistSource } from '../providers/specialist/create-specialist-provider.ts';
import { type RunningGateway, startGateway } from '../server/start-gateway.ts';
import { banking77Sample } from '../specialists/banking77-sample.ts';
import { createSqliteStore } from '../store/sqlite/create-sqlite-store.ts';
import type { RequestLogRecord, Store } from '../store/store.ts';
import { promoteFamily } from './promote-family.ts';
import { PROMOTION_POLL_MS } from './promotion-registry.ts';

const SYSTEM = 'You triage bank support tickets. Reply with the intent label only.';
const train = banking77Sample({ split: 'train', labels: 6, perLabel: 50 });
const test = banking77Sample({ split: 'test', labels: 6, perLabel: 15 });
const folder = mkdtempSync(join(tmpdir(), 'rightsize-promote-'));
const registryDir = join(folder, 'registry');
const distillationDir = join(folder, 'distillations');

describe('promotion with the gateway running: shadow, active, rollback', () => {
  let gateway: RunningGateway;
  let store: Store;
  let client: OpenAI;
  let familyId: string;
  /** The median confidence of the shadow: a threshold that settles about half the tickets. */
  let medianConfidence = 0;

  beforeAll(async () => {
    // The large model is a recorded provider whose recorded answer for each ticket is its gold label.
    const recording = join(folder, 'recording.jsonl');
    writeFileSync(
      recording,
      [...train, ...test].map((row) => JSON.stringify({ prompt: row.text, answer: row.label })).join('\n'),
    );
    const specialists = createSpecialistProvider({ registryDir, costPerCallUsd: 0.000001 });
    store = await createSqliteStore(join(folder, 'log.db'));
    gateway = await startGateway({
      config: parseConfig(`
server: { port: 0 }
store: { flushIntervalMs: 10 }
providers:
  large: { kind: recorded, path: ${JSON.stringify(recording)} }
models:
  - { id: big-model, provider: large, class: llm, prices: { inputPerMillionUsd: 2.5, outputPerMillionUsd: 10 } }
specialists: { registry: ${JSON.stringify(registryDir)} }
`),
      environment: readEnvironment({}),
      store,
      specialists: toSpecialistSource(specialists),
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    await send(train.map((row) => row.text));
    await gateway.runtime.logWriter.flush();
    const [family] = groupFamilies(await store.queryRequestLogs());
    familyId = family?.id ?? '';
    await distillFamily({
      store,
      familyId,
      name: 'tickets',
      registryDir,
      distillationDir,
      arch: 'fasttext',
      targetAccuracy: 0.8,
      heldOutFraction: 0.3,
      hyperParameters: { fasttext: { epoch: 25, dim: 16, bucket: 20_000, minn: 0, maxn: 0 } },
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function send(texts: readonly string[]): Promise<string[]> {
    const served: string[] = [];
    for (let start = 0; start < texts.length; start += 8) {
      const batch = await Promise.all(
        texts.slice(start, start + 8).map(async (text) => {
          const { response } = await client.chat.completions
            .create({
              model: 'big-model',
              messages: [
                { role: 'system', content: SYSTEM },
                { role: 'user', content: text },
              ],
            })
            .withResponse();
          return response.headers.get('x-rightsize-model') ?? '';
        }),
      );
      served.push(...batch);
    }
    return served;
  }

  async function newRows(since: number): Promise<RequestLogRecord[]> {
    await gateway.runtime.logWriter.flush();
    return store.queryRequestLogs({ since });
  }

  /** Waits for the gateway's own poll to pick a change up (no restart, no refresh call). */
  async function untilApplied(check: () => boolean): Promise<void> {
    const deadline = Date.now() + PROMOTION_POLL_MS * 5;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('the gateway did not apply the promotion');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('refuses to go active without shadow data unless forced', async () => {
    await expect(promoteFamily({ store, familyId, registryDir, distillationDir })).rejects.toMatchObject({
      code: 'conflict',
      // The CLI's advice names its flags (over HTTP the same advice names the body's fields).
      message: expect.stringMatching(/--shadow` first and let traffic flow, or pass --force\.$/),
    });
    expect(await store.listPromotions()).toEqual([]);
  });

  it('shadows: the model answers, the specialist runs beside it and its agreement is logged', async () => {
    await promoteFamily({ store, familyId, registryDir, distillationDir, shadow: true });
    await untilApplied(() => gateway.runtime.promotions.current()[0]?.promotion.mode === 'shadow');
    const since = Date.now();
    const served = await send(test.map((row) => row.text));
    expect(new Set(served)).toEqual(new Set(['big-model']));
    const rows = await newRows(since);
    expect(rows).toHaveLength(test.length);
    const shadows = rows.map((row) => row.tiers.find((tier) => tier.outcome === 'shadow'));
    expect(shadows.every((attempt) => attempt?.model === 'specialist/tickets')).toBe(true);
    const agreeing = shadows.filter((attempt) => attempt?.reason === 'agrees').length;
    expect(agreeing / rows.length).toBeGreaterThan(0.7);
    const confidences = shadows.map((attempt) => attempt?.confidence ?? 0).sort((a, b) => a - b);
    medianConfidence = confidences[Math.floor(confidences.length / 2)] ?? 0;
    // The shadow's compute is in the request's cost, next to the model's.
    const row = rows[0] as RequestLogRecord;
    expect(row.costUsd).toBeCloseTo((row.tiers[0]?.costUsd ?? 0) + 0.000001, 12);
  });

  it('promotes to active on the shadow data: confident tickets answered by the specialist, the rest escalated', async () => {
    // Without a threshold, going active recalibrates it on the shadowed requests.
    const recalibrated = await promoteFamily({ store, familyId, registryDir, distillationDir, targetAccuracy: 0.8 });
    expect(recalibrated.recalibration?.items).toBe(test.length);
    expect(recalibrated.promotion.threshold).toBe(recalibrated.recalibration?.threshold);
    expect(recalibrated.recalibration?.accuracyLowerBound).toBeGreaterThanOrEqual(0.8);
    expect(recalibrated.recalibration?.method).toBe('guaranteed');
    // Without the confidence margin the threshold can only settle as much or more.
    const point = await promoteFamily({
      store,
      familyId,
      registryDir,
      distillationDir,
      targetAccuracy: 0.8,
      pointEstimate: true,
    });
    expect(point.recalibration?.method).toBe('point-estimate');
    expect(point.recalibration?.coverage).toBeGreaterThanOrEqual(recalibrated.recalibration?.coverage ?? 1);
    expect(point.recalibration?.selectiveAccuracy).toBeGreaterThanOrEqual(0.8);
    // An explicit threshold is checked against the shadow data instead: here one that settles about half.
    const result = await promoteFamily({
      store,
      familyId,
      registryDir,
      distillationDir,
      targetAccuracy: 0.8,
      threshold: medianConfidence,
    });
    expect(result.recalibration).toBeUndefined();
    expect(result.shadow?.requests).toBe(test.length);
    expect(result.promotion.mode).toBe('active');
    await untilApplied(() => gateway.runtime.promotions.current()[0]?.promotion.mode === 'active');
    const since = Date.now();
    const served = await send(test.map((row) => row.text));
    const bySpecialist = served.filter((model) => model === 'specialist/tickets').length;
    expect(bySpecialist).toBeGreaterThan(test.length * 0.3);
    expect(bySpecialist).toBeLessThan(test.length * 0.7);
    const rows = await newRows(since);
    const escalated = rows.filter((row) => row.servedModel === 'big-model');
    expect(
      escalated.every((row) => row.tiers[0]?.outcome === 'escalated' && row.tiers[0]?.reason === 'low_confidence'),
    ).toBe(true);
    const settled = rows.filter((row) => row.servedModel === 'specialist/tickets');
    const gold = new Map(test.map((row) => [row.text, row.label]));
    const correct = settled.filter((row) => {
      const text = (JSON.parse(row.requestMessages ?? '[]') as Array<{ content: string }>)[1]?.content ?? '';
      return gold.get(text) === row.responseText;
    }).length;
    expect(correct / settled.length).toBeGreaterThan(0.8);

    // A ticket the specialist settles goes to the model when the client asks for more than a label
    // (JSON, tools, several choices), or tags it as another task.
    const confident = (JSON.parse(settled[0]?.requestMessages ?? '[]') as Array<{ content: string }>)[1]?.content ?? '';
    const messages = [
      { role: 'system' as const, content: SYSTEM },
      { role: 'user' as const, content: confident },
    ];
    const servedBy = async (extra: Record<string, unknown>, headers: Record<string, string> = {}) =>
      (
        await client.chat.completions.create({ model: 'big-model', messages, ...extra }, { headers }).withResponse()
      ).response.headers.get('x-rightsize-model');
    expect(await servedBy({})).toBe('specialist/tickets');
    expect(await servedBy({ response_format: { type: 'json_object' } })).toBe('big-model');
    expect(await servedBy({ tools: [{ type: 'function', function: { name: 'route_ticket', parameters: {} } }] })).toBe(
      'big-model',
    );
    expect(await servedBy({ n: 2 })).toBe('big-model');
    expect(await servedBy({}, { 'x-rightsize-task': 'other-task' })).toBe('big-model');
  });

  it('rolls back live: every request goes to the model again', async () => {
    await promoteFamily({ store, familyId, registryDir, rollback: true });
    await untilApplied(() => gateway.runtime.promotions.current().length === 0);
    const served = await send(test.slice(0, 16).map((row) => row.text));
    expect(new Set(served)).toEqual(new Set(['big-model']));
    expect((await store.listPromotions())[0]?.mode).toBe('rolled-back');
  });

  it('never promotes the catch-all family of requests without a system prompt, not even forced', async () => {
    for (const row of test.slice(0, 6))
      await client.chat.completions.create({ model: 'big-model', messages: [{ role: 'user', content: row.text }] });
    await gateway.runtime.logWriter.flush();
    const catchAll = groupFamilies(await store.queryRequestLogs()).find((group) => isCatchAllTemplate(group.matcher));
    expect(catchAll?.members.length).toBe(6);
    const promotions = await store.listPromotions();
    await expect(
      promoteFamily({ store, familyId: catchAll?.id ?? '', specialist: 'tickets', registryDir, force: true }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('x-rightsize-task') });
    expect(await store.listPromotions()).toEqual(promotions);
  });

  it('shadows a specialist with no threshold, and going active chooses one on the shadowed requests', async () => {
    // A copy of the distilled specialist whose metadata has no threshold (distillation found none).
    cpSync(join(registryDir, 'tickets'), join(registryDir, 'untuned'), { recursive: true });
    const metadataPath = join(registryDir, 'untuned', 'specialist.json');
    const { threshold: _dropped, ...metadata } = JSON.parse(readFileSync(metadataPath, 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(metadataPath, JSON.stringify({ ...metadata, name: 'untuned' }));
    const noDistillations = join(folder, 'no-distillations');
    const untuned = { store, familyId, registryDir, distillationDir: noDistillations, specialist: 'untuned' };
    // Active at once: no threshold and no shadow data, so the advice is to shadow first.
    await expect(promoteFamily(untuned)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('has 0 shadowed requests'),
    });
    // Forced, it has no threshold to go active with: the advice says how to get one.
    await expect(promoteFamily({ ...untuned, force: true })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining(
        '--shadow` and let traffic flow (with 50 shadowed requests, going active chooses',
      ),
    });
    const shadowed = await promoteFamily({ ...untuned, shadow: true });
    expect([shadowed.promotion.mode, shadowed.promotion.threshold]).toEqual(['shadow', null]);
    await untilApplied(() => gateway.runtime.promotions.current()[0]?.promotion.specialist === 'untuned');
    await send(test.map((row) => row.text));
    await gateway.runtime.logWriter.flush();
    const active = await promoteFamily({ ...untuned, targetAccuracy: 0.8 });
    expect(active.recalibration?.previousThreshold).toBeNull();
    expect(active.promotion.threshold).toBe(active.recalibration?.threshold);
    expect(active.promotion.mode).toBe('active');
  });
});
