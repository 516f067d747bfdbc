import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRightsizeError } from '../../errors/rightsize-error.ts';
import { banking77Sample } from '../banking77-sample.ts';
import { readSpecialistMetadata } from '../registry/load-specialist.ts';
import { trainingTextDigest } from '../registry/training-texts.ts';
import { splitTrainValid } from '../split-train-valid.ts';
import { runTraining } from '../training/run-training.ts';
import { type CalibrateRouteOptions, calibrateRoute } from './calibrate-route.ts';
import { ensureRouteCalibration } from './ensure-route-calibration.ts';

// Two fastText tiers on ten Banking77 intents (about 2 s each): the route logic, not the models, is under test.
const rows = banking77Sample({ split: 'train', labels: 10, perLabel: 60 });
const folder = mkdtempSync(join(tmpdir(), 'rightsize-route-calibration-'));
const registryDir = join(folder, 'registry');
const trainPath = join(folder, 'train.csv');
const heldOutPath = join(folder, 'held-out.csv');
afterAll(() => rmSync(folder, { recursive: true, force: true }));

// How many of these rows tier-one and tier-two learned from (both trained with seed 3: one split).
const trainedDigests = new Set(
  splitTrainValid(rows, { validFraction: 0.3, seed: 3 }).train.map((row) => trainingTextDigest(row.text)),
);
const inTraining = (data: Array<{ text: string }>) =>
  data.filter((row) => trainedDigests.has(trainingTextDigest(row.text))).length;

const csv = (data: Array<{ text: string; label: string }>) =>
  `text,label\n${data.map((row) => `"${row.text.replaceAll('"', '""')}",${row.label}`).join('\n')}\n`;

/** Route `triage` over the given tiers, target 80 %, nothing stored unless `save` is given. */
const calibrateTriage = (dataPath: string, specialists: string[], extra: Partial<CalibrateRouteOptions> = {}) =>
  calibrateRoute({ registryDir, route: 'triage', specialists, dataPath, targetAccuracy: 0.8, save: false, ...extra });
/** The error a calibration throws, or undefined. */
const refusal = (attempt: Promise<unknown>) => attempt.then(() => undefined).catch((error: unknown) => error);

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
    const result = await calibrateTriage(heldOutPath, ['tier-one', 'tier-two']);
    // One Banking77 test message is also a training message (as fastText reads it): left out.
    expect(result.trainedRowsLeftOut).toBe(inTraining(banking77Sample({ split: 'test', labels: 10, perLabel: 40 })));
    expect(result.trainedRowsLeftOut).toBe(1);
    expect(result.choice.items).toBe(399);
    expect(result.source).toBe(`route triage: ${heldOutPath}`);
    const refused = await refusal(calibrateTriage(trainPath, ['tier-one']));
    expect(isRightsizeError(refused, 'invalid_input') && refused.message).toMatch(
      /training data of specialist\/tier-one.*--split validation/,
    );
  });

  it('leaves out rows a tier was trained on, whatever file they come in, and refuses a file of nothing else', async () => {
    const testRows = banking77Sample({ split: 'test', labels: 10, perLabel: 40 });
    // The first 100 training-file rows, recased (the record is of the text as fastText reads it), mixed into the
    // 400 test rows: those of them the tiers learned from (not the 30 % they held out) are left out.
    const trained = rows.slice(0, 100).map((row) => ({ ...row, text: row.text.toUpperCase() }));
    const mixedPath = join(folder, 'mixed.csv');
    writeFileSync(mixedPath, csv([...testRows, ...trained]));
    const result = await calibrateTriage(mixedPath, ['tier-one', 'tier-two']);
    const learned = inTraining(rows.slice(0, 100));
    expect(learned).toBeGreaterThan(50);
    expect(learned).toBeLessThan(100);
    expect(result.trainedRowsLeftOut).toBe(learned + inTraining(testRows));
    expect(result.choice.items).toBe(500 - result.trainedRowsLeftOut);

    const onlyTrainedPath = join(folder, 'only-trained.csv');
    const onlyTrained = splitTrainValid(rows, { validFraction: 0.3, seed: 3 }).train.slice(0, 50);
    writeFileSync(onlyTrainedPath, csv(onlyTrained));
    const refused = await refusal(calibrateTriage(onlyTrainedPath, ['tier-one']));
    expect(isRightsizeError(refused, 'invalid_input') && refused.message).toMatch(/every row of .* trained on/);
  });

  it('refuses tiers that did not hold out the same rows', async () => {
    const refused = await refusal(calibrateTriage(trainPath, ['tier-one', 'other-split'], { split: 'validation' }));
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
