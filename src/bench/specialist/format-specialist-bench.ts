import Table from 'cli-table3';
import type { SpecialistBenchReport } from './run-specialist-bench.ts';

const percent = (value: number | undefined, digits = 1) =>
  value === undefined ? 'n/a' : `${(value * 100).toFixed(digits)} %`;
const micros = (value: number | undefined) =>
  value === undefined ? 'n/a' : value < 1000 ? `${value.toFixed(0)} us` : `${(value / 1000).toFixed(1)} ms`;

/** The bench report as a text table, with the published figures beside it. */
export function formatSpecialistBench(report: SpecialistBenchReport): string {
  const table = new Table({
    style: { head: [], border: [] },
    head: [
      'arch',
      'train s (encode s)',
      'model MB',
      'p50 / p99 in process',
      'p50 / p99 HTTP',
      'accuracy (macro-F1)',
      'ECE test',
      `at threshold (valid. cov.)`,
      'test acc. / coverage at threshold',
      'point estimate: test acc. / cov.',
      'acc. at 80 % cov.',
    ],
  });
  for (const row of report.rows) {
    table.push([
      row.arch,
      `${(row.trainingMs / 1000).toFixed(1)}${row.encodeMs === undefined ? '' : ` (${(row.encodeMs / 1000).toFixed(1)})`}`,
      (row.modelBytes / 1e6).toFixed(1),
      `${micros(row.inProcessP50Us)} / ${micros(row.inProcessP99Us)}`,
      `${micros(row.httpP50Us)} / ${micros(row.httpP99Us)}`,
      `${percent(row.accuracy, 2)} (${percent(row.macroF1)})`,
      row.ece.toFixed(3),
      row.threshold === undefined
        ? 'none found'
        : `${row.threshold.toFixed(3)} (${percent(row.thresholdValidationCoverage)})`,
      `${percent(row.testAccuracyAtThreshold, 2)} / ${percent(row.testCoverageAtThreshold)}`,
      `${percent(row.testAccuracyAtEmpiricalThreshold, 2)} / ${percent(row.testCoverageAtEmpiricalThreshold)}`,
      percent(row.accuracyAt80Coverage, 2),
    ]);
  }
  for (const published of report.published) {
    table.push([published.name, '', '', '', '', percent(published.accuracy, 2), '', '', '', '', '']);
  }
  const { dataset, environment } = report;
  return [
    `Banking77: train on ${dataset.trainRows} rows (${dataset.train}), test on ${dataset.testRows} (${dataset.test}), ${dataset.labels} labels`,
    table.toString(),
    `Threshold: chosen on the validation split for accuracy >= ${percent(report.targetAccuracy)} with ${percent(report.confidence)} confidence ` +
      '(one-sided Clopper-Pearson in Learn-then-Test fixed-sequence testing, Angelopoulos et al. 2021); the point estimate takes the lowest ' +
      'threshold whose validation accuracy reaches the target, without a guarantee.',
    `Latency: sequential single calls, median and 99th percentile; ${environment.cpus} CPUs shared, load average ` +
      `${environment.loadAverage.map((value) => value.toFixed(1)).join(' ')}: expect noise. Published: Casanueva et al. 2020.`,
  ].join('\n');
}
