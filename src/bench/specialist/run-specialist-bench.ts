import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { empiricalThreshold } from '../../specialists/calibration/calibrate-threshold.ts';
import { evaluatePredictions } from '../../specialists/evaluation/evaluate-predictions.ts';
import { readLabelledData } from '../../specialists/read-labelled-data.ts';
import { loadSpecialist } from '../../specialists/registry/load-specialist.ts';
import { specialistDirectory } from '../../specialists/registry/specialist-paths.ts';
import type { Specialist, SpecialistArch } from '../../specialists/specialist.ts';
import { splitTrainValid } from '../../specialists/split-train-valid.ts';
import { trainSpecialist } from '../../specialists/training/train-specialist.ts';

/**
 * Published Banking77 test accuracies with the full training set (Casanueva et al. 2020,
 * "Efficient Intent Detection with Dual Sentence Encoders", arXiv:2003.04807, table 3), as
 * ../shared/data/SOURCES.md states them.
 */
export const BANKING77_PUBLISHED = Object.freeze([
  { name: 'BERT-large, fine-tuned (GPU)', accuracy: 0.9366 },
  { name: 'USE+ConveRT dual encoder', accuracy: 0.9336 },
]);

/** Options of {@link runSpecialistBench}. */
export interface SpecialistBenchOptions {
  /** @default ../shared/data/banking77/train.csv */
  trainPath?: string;
  /** @default ../shared/data/banking77/test.csv */
  testPath?: string;
  /** @default 'text' */
  textColumn?: string;
  /** @default 'category' */
  labelColumn?: string;
  /** @default all three */
  archs?: readonly SpecialistArch[];
  /** Registry the bench specialists (`bench-<arch>`) are written to; shares the vector cache. @default .rightsize/specialists */
  registryDir?: string;
  /** @default 0.1 */
  validFraction?: number;
  /** @default 42 */
  seed?: number;
  /** Threshold target on the validation split. @default 0.98 with confidence 0.95 */
  targetAccuracy?: number;
  confidence?: number;
  /** Timed single predictions per arch without an encoder (fastText); encoders get a tenth. @default 2000 */
  latencyCalls?: number;
  /**
   * Measures latency through the gateway's HTTP API too (`POST /v1/chat/completions` with
   * `model: specialist/<name>`), by starting `src/server`'s gateway on a free port. @default true
   */
  http?: boolean;
  onProgress?: (message: string) => void;
}

/** One row of the bench table; shares in [0, 1], times in ms, latencies in us, sizes in bytes. */
export interface SpecialistBenchRow {
  arch: SpecialistArch;
  name: string;
  trainingMs: number;
  /** Of which sentence vectors took (cached after the first run). */
  encodeMs: number | undefined;
  modelBytes: number;
  inProcessP50Us: number;
  inProcessP99Us: number;
  /** Latency of a whole chat completion through the gateway over HTTP (loopback, keep-alive). */
  httpP50Us: number | undefined;
  httpP99Us: number | undefined;
  accuracy: number;
  macroF1: number;
  ece: number;
  validationEceBefore: number;
  validationEceAfter: number;
  /** The threshold chosen on the validation split, and what it gives on the test set. */
  threshold: number | undefined;
  thresholdValidationCoverage: number | undefined;
  testAccuracyAtThreshold: number | undefined;
  testCoverageAtThreshold: number | undefined;
  /** Accuracy on test at 80 % coverage (the most confident 80 %), for reference. */
  accuracyAt80Coverage: number | undefined;
  /**
   * The point-estimate threshold (no guarantee: the lowest threshold whose accuracy on the
   * validation split reaches the target), and what it gives on the test set.
   */
  empiricalThreshold: number | undefined;
  testAccuracyAtEmpiricalThreshold: number | undefined;
  testCoverageAtEmpiricalThreshold: number | undefined;
}

/** What `rightsize bench specialist --json` prints. */
export interface SpecialistBenchReport {
  dataset: { train: string; test: string; trainRows: number; testRows: number; labels: number };
  targetAccuracy: number;
  confidence: number;
  rows: SpecialistBenchRow[];
  published: typeof BANKING77_PUBLISHED;
  /** Where and how it ran, for reading latencies with care. */
  environment: { node: string; cpus: number; loadAverage: number[]; when: string };
}

/**
 * `rightsize bench specialist`: trains each architecture on Banking77's train.csv (in a worker),
 * tests on test.csv, and measures training time, model size, latency (in process and through
 * HTTP), accuracy at full coverage, and accuracy and coverage at the threshold calibrated on the
 * validation split. Latencies are medians and 99th percentiles of sequential single calls.
 */
export async function runSpecialistBench(options: SpecialistBenchOptions = {}): Promise<SpecialistBenchReport> {
  const trainPath = options.trainPath ?? '../shared/data/banking77/train.csv';
  const testPath = options.testPath ?? '../shared/data/banking77/test.csv';
  const textColumn = options.textColumn ?? 'text';
  const labelColumn = options.labelColumn ?? 'category';
  const registryDir = options.registryDir ?? '.rightsize/specialists';
  const archs = options.archs ?? (['fasttext', 'encoder', 'ensemble'] as const);
  const targetAccuracy = options.targetAccuracy ?? 0.98;
  const confidence = options.confidence ?? 0.95;
  const latencyCalls = options.latencyCalls ?? 2000;
  const log = options.onProgress ?? (() => {});
  const train = readLabelledData({ path: trainPath, textColumn, labelColumn });
  const test = readLabelledData({ path: testPath, textColumn, labelColumn, requireTwoLabels: false });
  const testTexts = test.rows.map((row) => row.text);
  const actual = test.rows.map((row) => row.label);
  const rows: SpecialistBenchRow[] = [];

  for (const arch of archs) {
    const name = `bench-${arch}`;
    log(`${arch}: training on ${train.rows.length} rows`);
    let lastStage = '';
    const metadata = await trainSpecialist({
      rows: train.rows,
      name,
      arch,
      registryDir,
      dataPath: trainPath,
      validFraction: options.validFraction,
      seed: options.seed,
      targetAccuracy,
      confidence,
      onProgress: (progress) => {
        if (progress.stage !== lastStage) log(`${arch}: ${progress.message}`);
        lastStage = progress.stage;
      },
    });
    log(
      `${arch}: trained in ${(metadata.training.durationMs / 1000).toFixed(1)} s; testing on ${test.rows.length} rows`,
    );
    const cached = await loadSpecialist(registryDir, name, { useVectorCache: true });
    const { valid } = splitTrainValid(train.rows, {
      validFraction: metadata.training.validFraction,
      seed: metadata.training.seed,
    });
    const [predictions, validPredictions] = await Promise.all([
      cached.predictBatch(testTexts),
      cached.predictBatch(valid.map((row) => row.text)),
    ]).finally(() => cached.close());
    const report = evaluatePredictions({ predictions, actual, threshold: metadata.threshold?.threshold });
    const empirical = empiricalThreshold(
      validPredictions.map((prediction, index) => ({
        confidence: prediction.probability,
        correct: prediction.label === valid[index]?.label,
      })),
      { targetAccuracy },
    );
    const empiricalReport =
      empirical.threshold === undefined
        ? undefined
        : evaluatePredictions({ predictions, actual, threshold: empirical.threshold }).atThreshold;
    log(`${arch}: accuracy ${(report.accuracy * 100).toFixed(2)} %; timing single predictions`);
    const fresh = await loadSpecialist(registryDir, name);
    const latency = await measureLatency(
      fresh,
      testTexts,
      fresh.predictSync ? latencyCalls : Math.ceil(latencyCalls / 10),
    );
    fresh.close();
    rows.push({
      arch,
      name,
      trainingMs: metadata.training.durationMs,
      encodeMs: metadata.training.encodeMs,
      modelBytes: folderBytes(specialistDirectory(registryDir, name)),
      inProcessP50Us: latency.p50,
      inProcessP99Us: latency.p99,
      httpP50Us: undefined,
      httpP99Us: undefined,
      accuracy: report.accuracy,
      macroF1: report.macroF1,
      ece: report.ece,
      validationEceBefore: metadata.validation.eceBefore,
      validationEceAfter: metadata.validation.eceAfter,
      threshold: metadata.threshold?.threshold,
      thresholdValidationCoverage: metadata.threshold?.coverage,
      testAccuracyAtThreshold: report.atThreshold?.accuracy,
      testCoverageAtThreshold: report.atThreshold?.coverage,
      accuracyAt80Coverage: report.curve[79]?.accuracy,
      empiricalThreshold: empirical.threshold,
      testAccuracyAtEmpiricalThreshold: empiricalReport?.accuracy,
      testCoverageAtEmpiricalThreshold: empiricalReport?.coverage,
    });
  }

  if (options.http ?? true) {
    log('HTTP: starting the gateway on a free port');
    const { measureHttpLatency } = await import('./measure-http-latency.ts');
    for (const row of rows) {
      const calls = row.arch === 'fasttext' ? Math.ceil(latencyCalls / 4) : Math.ceil(latencyCalls / 20);
      const result = await measureHttpLatency({ registryDir, name: row.name, texts: testTexts, calls });
      row.httpP50Us = result.p50;
      row.httpP99Us = result.p99;
      log(`HTTP ${row.arch}: p50 ${(result.p50 / 1000).toFixed(2)} ms`);
    }
  }

  const os = await import('node:os');
  return {
    dataset: {
      train: trainPath,
      test: testPath,
      trainRows: train.rows.length,
      testRows: test.rows.length,
      labels: train.labels.length,
    },
    targetAccuracy,
    confidence,
    rows,
    published: BANKING77_PUBLISHED,
    environment: {
      node: process.version,
      cpus: os.cpus().length,
      loadAverage: os.loadavg(),
      when: new Date().toISOString(),
    },
  };
}

/** Median and 99th percentile, in us, of sequential single predictions (after 50 warm-up calls). */
async function measureLatency(
  specialist: Specialist,
  texts: readonly string[],
  calls: number,
): Promise<{ p50: number; p99: number }> {
  const predictSync = specialist.predictSync;
  for (let index = 0; index < 50; index++) {
    const text = texts[index % texts.length] ?? '';
    if (predictSync) predictSync(text);
    else await specialist.predict(text);
  }
  const samples: number[] = [];
  for (let index = 0; index < calls; index++) {
    const text = texts[(index * 7919) % texts.length] ?? '';
    const started = process.hrtime.bigint();
    if (predictSync) predictSync(text);
    else await specialist.predict(text);
    samples.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  return percentiles(samples);
}

/** p50 and p99 of samples (nearest rank). */
export function percentiles(samples: readonly number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (quantile: number) => sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] ?? 0;
  return { p50: rank(0.5), p99: rank(0.99) };
}

function folderBytes(directory: string): number {
  let total = 0;
  for (const entry of readdirSync(directory)) total += statSync(join(directory, entry)).size;
  return total;
}
