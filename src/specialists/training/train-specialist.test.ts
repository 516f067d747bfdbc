import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRightsizeError } from '../../errors/rightsize-error.ts';
import { banking77Sample } from '../banking77-sample.ts';
import { embedTexts } from '../encoder/sentence-encoder.ts';
import { evaluatePredictions } from '../evaluation/evaluate-predictions.ts';
import { listSpecialists, loadSpecialist } from '../registry/load-specialist.ts';
import { encoderCachePath } from '../registry/specialist-paths.ts';
import { loadSpecialistInWorker } from '../serving/load-specialist-in-worker.ts';
import { MAX_SPECIALIST_INPUT_CHARACTERS, type SpecialistMetadata, type TrainingProgress } from '../specialist.ts';
import { trainSpecialist } from './train-specialist.ts';

// Eight Banking77 intents, 50 training rows each (40 after the validation split), tested on the
// same intents of test.csv: small enough for about 15 s on two cores, real enough to mean something.
const train = banking77Sample({ split: 'train', labels: 8, perLabel: 50 });
const test = banking77Sample({ split: 'test', labels: 8, perLabel: 20 });
const registryDir = mkdtempSync(join(tmpdir(), 'rightsize-registry-'));
afterAll(() => rmSync(registryDir, { recursive: true, force: true }));

describe('trainSpecialist (in a worker thread)', () => {
  let ensemble: SpecialistMetadata;
  const progress: TrainingProgress[] = [];

  beforeAll(async () => {
    ensemble = await trainSpecialist({
      rows: train,
      name: 'triage-ensemble',
      arch: 'ensemble',
      registryDir,
      validFraction: 0.2,
      seed: 7,
      targetAccuracy: 0.9,
      onProgress: (update) => progress.push(update),
    });
  });

  it('writes the model files and the metadata, and reports progress up to 1', () => {
    const folder = join(registryDir, 'triage-ensemble');
    for (const file of ['specialist.json', 'fasttext.bin', 'encoder-head.bin', 'knn-index.bin']) {
      expect(existsSync(join(folder, file))).toBe(true);
    }
    expect(existsSync(encoderCachePath(registryDir))).toBe(true);
    expect(ensemble.labels).toHaveLength(8);
    expect(ensemble.training).toMatchObject({ rows: 400, trainRows: 320, validRows: 80, seed: 7, validFraction: 0.2 });
    expect(ensemble.combiner.components).toEqual(['fasttext', 'encoder', 'knn']);
    expect(ensemble.combiner.temperature).toBeGreaterThan(0);
    expect(ensemble.validation.accuracy).toBeGreaterThan(0.7);
    expect(progress.at(-1)?.fraction).toBe(1);
    expect(new Set(progress.map((update) => update.stage))).toEqual(
      new Set(['encode', 'encoder-head', 'knn', 'fasttext', 'calibrate', 'save']),
    );
    expect(listSpecialists(registryDir).map((entry) => entry.name)).toEqual(['triage-ensemble']);
  });

  it('loads back and classifies held-out Banking77 rows, with calibrated probabilities', async () => {
    const specialist = await loadSpecialist(registryDir, 'triage-ensemble', { useVectorCache: true });
    try {
      const predictions = await specialist.predictBatch(test.map((row) => row.text));
      const report = evaluatePredictions({ predictions, actual: test.map((row) => row.label) });
      expect(report.accuracy).toBeGreaterThan(0.8);
      for (const prediction of predictions) {
        const total =
          prediction.probability + prediction.alternatives.reduce((sum, entry) => sum + entry.probability, 0);
        expect(total).toBeLessThanOrEqual(1 + 1e-9);
        expect(prediction.alternatives.every((entry) => entry.probability <= prediction.probability)).toBe(true);
      }
      const single = await specialist.predict(test[0]?.text ?? '');
      expect(single.label).toBe(predictions[0]?.label);
      expect(single.probability).toBeCloseTo(predictions[0]?.probability ?? 0, 5);
    } finally {
      specialist.close();
    }
  });

  it('predicts the same in a worker thread (as the gateway serves encoder specialists)', async () => {
    const texts = test.slice(0, 12).map((row) => row.text);
    const inline = await loadSpecialist(registryDir, 'triage-ensemble');
    const threaded = await loadSpecialistInWorker(registryDir, 'triage-ensemble');
    try {
      const expected = await inline.predictBatch(texts);
      const single = await Promise.all(texts.map((text) => threaded.predict(text)));
      expect(single.map((prediction) => prediction.label)).toEqual(expected.map((prediction) => prediction.label));
      single.forEach((prediction, index) => {
        expect(prediction.probability).toBeCloseTo(expected[index]?.probability ?? -1, 4);
      });
      expect(threaded.threshold).toBe(inline.threshold);
    } finally {
      inline.close();
      threaded.close();
    }
  });

  it('encodes a 3 MB message from its first MAX_SPECIALIST_INPUT_CHARACTERS characters, in well under a minute (the served path: create-specialist-provider.test.ts)', async () => {
    const long = `${test[0]?.text} ${'my card has not arrived yet, '.repeat(110_000)}`;
    expect(long.length).toBeGreaterThan(3_000_000);
    const started = performance.now();
    const [whole, prefix] = await embedTexts([long, long.slice(0, MAX_SPECIALIST_INPUT_CHARACTERS)]);
    // Uncut, USE-lite ran for minutes on this text (its time grows faster than the length).
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(whole).toHaveLength(512);
    expect(Array.from(whole ?? [])).toEqual(Array.from(prefix ?? []));
  });

  it('gives the same probabilities after a save/load round trip (fastText, synchronous)', async () => {
    const metadata = await trainSpecialist({ rows: train, name: 'triage-fasttext', arch: 'fasttext', registryDir });
    expect(metadata.arch).toBe('fasttext');
    const first = await loadSpecialist(registryDir, 'triage-fasttext');
    const second = await loadSpecialist(registryDir, 'triage-fasttext');
    try {
      expect(first.predictSync).toBeTypeOf('function');
      for (const row of test.slice(0, 20)) {
        const a = first.predictSync?.(row.text);
        const b = second.predictSync?.(row.text);
        expect(a?.label).toBe(b?.label);
        expect(a?.probability).toBeCloseTo(b?.probability ?? -1, 12);
      }
      const stored = JSON.parse(readFileSync(join(registryDir, 'triage-fasttext', 'specialist.json'), 'utf8'));
      expect(stored.labels).toEqual(first.labels);
    } finally {
      first.close();
      second.close();
    }
  });

  it('rejects bad input with invalid_input and a fix', async () => {
    const oneLabel = train.map((row) => ({ ...row, label: 'same' }));
    await expect(trainSpecialist({ rows: oneLabel, name: 'x', arch: 'fasttext', registryDir })).rejects.toSatisfy(
      (error: unknown) => isRightsizeError(error, 'invalid_input') && error.message.includes('two labels'),
    );
    await expect(trainSpecialist({ rows: train, name: 'Bad Name', arch: 'fasttext', registryDir })).rejects.toSatisfy(
      (error: unknown) => isRightsizeError(error, 'invalid_input') && error.message.includes('lowercase'),
    );
    await expect(loadSpecialist(registryDir, 'missing')).rejects.toSatisfy(
      (error: unknown) => isRightsizeError(error, 'model_not_found') && error.message.includes('rightsize train'),
    );
  });
});
