import type { Command } from 'commander';
import { checkOutputFile } from '../cli-files.ts';

interface EvalOptions {
  specialist: string;
  data: string;
  textColumn: string;
  labelColumn: string;
  registry: string;
  json?: boolean;
  plot?: string;
}

/**
 * `rightsize eval`: scores a specialist on labelled data: accuracy, macro-F1, per-label precision and
 * recall, the worst-confused pairs, accuracy and coverage at the calibrated threshold, and
 * (`--plot FILE.svg`) the coverage/accuracy curve.
 */
export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('Evaluate a specialist on labelled data (accuracy, macro-F1, per label, confusions, coverage)')
    .requiredOption('--specialist <name>', 'specialist name in the registry')
    .requiredOption('--data <file>', 'labelled CSV or JSONL held out from training')
    .option('--text-column <name>', 'column holding the text', 'text')
    .option('--label-column <name>', 'column holding the label', 'label')
    .option('--registry <dir>', 'registry folder', '.rightsize/specialists')
    .option('--json', 'print the report as JSON')
    .option('--plot <file.svg>', 'write the coverage/accuracy curve as an SVG file')
    .action(async (options: EvalOptions) => {
      if (options.plot !== undefined) checkOutputFile(options.plot, '--plot');
      const [{ evaluateSpecialist }, { default: Table }] = await Promise.all([
        import('../../specialists/evaluation/evaluate-specialist.ts'),
        import('cli-table3'),
      ]);
      const { metadata, report, unknownLabels, trainedRows } = await evaluateSpecialist({
        registryDir: options.registry,
        name: options.specialist,
        dataPath: options.data,
        textColumn: options.textColumn,
        labelColumn: options.labelColumn,
      });
      if (options.plot) {
        const { renderCoveragePlot } = await import('../../specialists/evaluation/render-coverage-plot.ts');
        const { writeFileSync } = await import('node:fs');
        const svg = await renderCoveragePlot(report, {
          title: `specialist/${metadata.name} (${metadata.arch}) on ${options.data}`,
          targetAccuracy: metadata.threshold?.targetAccuracy,
        });
        writeFileSync(options.plot, svg);
      }
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ specialist: metadata.name, arch: metadata.arch, ...report, unknownLabels, trainedRows }, null, 2)}\n`,
        );
        return;
      }
      const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
      const out: string[] = [];
      out.push(`specialist/${metadata.name} (${metadata.arch}) on ${options.data}: ${report.items} items`);
      out.push(
        `accuracy ${percent(report.accuracy)}, macro-F1 ${percent(report.macroF1)}, ECE ${report.ece.toFixed(3)}`,
      );
      if (trainedRows > 0) {
        out.push(
          `warning: ${trainedRows === report.items ? `all ${trainedRows}` : `${trainedRows} of the ${report.items}`} rows are ones specialist/${metadata.name} ` +
            'was trained on: these figures overstate what it does on new text; evaluate on held-out rows (e.g. a test file)',
        );
      }
      if (unknownLabels.rows > 0) {
        out.push(
          `warning: ${unknownLabels.rows} rows carry ${unknownLabels.labels.length} labels the specialist was not trained on ` +
            `(${unknownLabels.labels.slice(0, 5).join(', ')}${unknownLabels.labels.length > 5 ? ', ...' : ''}); they count as wrong`,
        );
      }
      if (report.atThreshold) {
        const at = report.atThreshold;
        out.push(
          `at the calibrated threshold ${at.threshold.toFixed(3)} (target ${percent(metadata.threshold?.targetAccuracy ?? 0)}): ` +
            `accuracy ${percent(at.accuracy)} on ${percent(at.coverage)} of items (${at.acceptedItems} accepted)`,
        );
      } else {
        out.push('no calibrated threshold: run `rightsize calibrate` to choose one');
      }
      const worst = [...report.perLabel].sort((a, b) => a.f1 - b.f1).slice(0, 15);
      const labels = new Table({
        style: { head: [], border: [] },
        head: ['label (15 lowest F1)', 'precision', 'recall', 'F1', 'support'],
      });
      for (const row of worst)
        labels.push([row.label, percent(row.precision), percent(row.recall), percent(row.f1), row.support]);
      out.push(labels.toString());
      const pairs = new Table({ style: { head: [], border: [] }, head: ['true label', 'predicted', 'count'] });
      for (const pair of report.confusedPairs) pairs.push([pair.actual, pair.predicted, pair.count]);
      out.push('worst-confused pairs:', pairs.toString());
      const curve = new Table({
        style: { head: [], border: [] },
        head: ['coverage', 'accuracy on accepted', 'threshold'],
      });
      for (const point of report.curve.filter((_, index) => (index + 1) % 10 === 0)) {
        curve.push([percent(point.coverage), percent(point.accuracy), point.threshold.toFixed(3)]);
      }
      out.push(curve.toString());
      if (options.plot) out.push(`coverage/accuracy plot written to ${options.plot}`);
      out.push('(--json prints every label and the full curve)');
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
