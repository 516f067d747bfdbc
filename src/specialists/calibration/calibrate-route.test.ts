import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRightsizeError } from '../../errors/rightsize-error.ts';
import { banking77Sample } from '../banking77-sample.ts';
import { readSpecialistMetadata } from '../registry/load-specialist.ts';
import { runTraining } from '../training/run-training.ts';
import { calibrateRoute } from './calibrate-route.ts';
import { ensureRouteCalibration } from './ensure-route-calibration.ts';

// Two fastText tiers on ten Banking77 intents (about 2 s each): the route logic, not the models, is under test.
const rows = banking77Sample({ split: 'train', labels: 10, perLabel: 60 });
const folder = mkdtempSync(join(tmpdir(), 'rightsize-route-calibration-'));
const registryDir = join(folder, 'registry');
const trainPath = join(folder, 'train.csv');
const heldOutPath = join(folder, 'held-out.csv');
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const csv = (data: Array<{ text: string; label: string }>) =>
  `text,label\n${data.map((row) => `"${row.text.replaceAll('"', '""')}",${row.label}`).join('\n')}\n`;

describe('calibrateRoute', () => {
  beforeAll(async () => {
    writeFileSync(trainPath, csv(rows));
    writeFileSync(heldOutPath, csv(banking77Sample({ split: 'test', labels: 10, perLabel: 40 })));
    for (const [name, seed] of [
      ['tier-one', 3],
      ['tier-two', 3],
      ['other-split', 4],
    ] as const) {
      await runTraining({ rows, name, arch: 'fasttext', registryDir, validFraction: 0.3, seed, dataPath: trainPath });
    }
  }, 120_000);

  it('calibrates the tiers together on their shared validation split and stores each threshold', async () => {
    const result = await calibrateRoute({
      registryDir,
      route: 'triage',
      specialists: ['tier-one', 'tier-two'],
      dataPath: trainPath,
      split: 'validation',
      targetAccuracy: 0.8,
      confidence: 0.9,
    });
    expect(result.choice.items).toBe(180);
    const point = result.choice.guaranteed;
    expect(point).toBeDefined();
    expect(point?.accuracyLowerBound).toBeGreaterThanOrEqual(0.8);
    expect(result.stored.map((entry) => entry.name)).toEqual(['tier-one', 'tier-two']);
    const stored = readSpecialistMetadata(registryDir, 'tier-one').threshold;
    expect(stored?.threshold).toBe(point?.thresholds[0]);
    expect(stored?.source).toMatch(/^route triage: validation split of .*train\.csv \(tier 1 of 2/);
    expect(stored?.acceptedItems).toBe(point?.tierAccepted[0]);
    expect(readSpecialistMetadata(registryDir, 'tier-two').threshold?.accuracyLowerBound).toBe(
      point?.accuracyLowerBound,
    );
  });

  it('calibrates on a held-out file, and refuses the training file given as held-out', async () => {
    const result = await calibrateRoute({
      registryDir,
      route: 'triage',
      specialists: ['tier-one', 'tier-two'],
      dataPath: heldOutPath,
      targetAccuracy: 0.8,
      save: false,
    });
    expect(result.choice.items).toBe(400);
    expect(result.source).toBe(`route triage: ${heldOutPath}`);
    const refused = await calibrateRoute({
      registryDir,
      route: 'triage',
      specialists: ['tier-one'],
      dataPath: trainPath,
      targetAccuracy: 0.8,
    }).catch((error: unknown) => error);
    expect(isRightsizeError(refused, 'invalid_input') && refused.message).toMatch(
      /training data of specialist\/tier-one.*--split validation/,
    );
  });

  it('refuses tiers that did not hold out the same rows', async () => {
    const refused = await calibrateRoute({
      registryDir,
      route: 'triage',
      specialists: ['tier-one', 'other-split'],
      dataPath: trainPath,
      split: 'validation',
      targetAccuracy: 0.8,
    }).catch((error: unknown) => error);
    expect(isRightsizeError(refused, 'invalid_input') && refused.message).toMatch(/other-split.*same validation split/);
  });

  it('at start, calibrates once and then finds the thresholds current', async () => {
    const options = {
      registryDir,
      route: 'start',
      specialists: ['tier-one', 'tier-two'],
      dataPath: trainPath,
      targetAccuracy: 0.8,
      confidence: 0.9,
    };
    expect((await ensureRouteCalibration(options)).status).toBe('calibrated');
    expect((await ensureRouteCalibration(options)).status).toBe('current');
    expect((await ensureRouteCalibration({ ...options, targetAccuracy: 0.75 })).status).toBe('calibrated');
  });
});
