import type { EvaluationReport } from './evaluate-predictions.ts';

/**
 * Draws the coverage/accuracy curve of an evaluation as an SVG (Vega-Lite, rendered headless):
 * selective accuracy against the share of items accepted, with the accuracy at full coverage,
 * the target accuracy (dashed) and the calibrated threshold's operating point.
 * @returns the SVG text.
 */
export async function renderCoveragePlot(
  report: EvaluationReport,
  options: { title: string; targetAccuracy?: number | undefined },
): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const curve = report.curve.map((point) => ({
    coverage: point.coverage,
    accuracy: point.accuracy,
    threshold: point.threshold,
  }));
  const lowest = Math.min(...curve.map((point) => point.accuracy), options.targetAccuracy ?? 1);
  const yMinimum = Math.max(0, Math.floor(lowest * 20) / 20);
  const layers: unknown[] = [
    {
      data: { values: curve },
      mark: { type: 'line', strokeWidth: 2, color: '#1f77b4' },
      encoding: {
        x: {
          field: 'coverage',
          type: 'quantitative',
          title: 'coverage (share of items accepted)',
          axis: { format: '%' },
        },
        y: {
          field: 'accuracy',
          type: 'quantitative',
          title: 'accuracy on accepted items',
          axis: { format: '%' },
          scale: { domain: [yMinimum, 1] },
        },
      },
    },
  ];
  if (options.targetAccuracy !== undefined) {
    layers.push({
      data: {
        values: [{ target: options.targetAccuracy, label: `target ${(options.targetAccuracy * 100).toFixed(1)} %` }],
      },
      layer: [
        {
          mark: { type: 'rule', strokeDash: [6, 4], color: '#d62728' },
          encoding: { y: { field: 'target', type: 'quantitative' } },
        },
        {
          mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#d62728' },
          encoding: { y: { field: 'target', type: 'quantitative' }, x: { datum: 0 }, text: { field: 'label' } },
        },
      ],
    });
  }
  if (report.atThreshold) {
    const point = report.atThreshold;
    layers.push({
      data: {
        values: [
          {
            coverage: point.coverage,
            accuracy: point.accuracy,
            label: `threshold ${point.threshold.toFixed(3)}: ${(point.coverage * 100).toFixed(1)} % at ${(point.accuracy * 100).toFixed(1)} %`,
          },
        ],
      },
      layer: [
        {
          mark: { type: 'point', filled: true, size: 90, color: '#2ca02c' },
          encoding: { x: { field: 'coverage', type: 'quantitative' }, y: { field: 'accuracy', type: 'quantitative' } },
        },
        {
          mark: { type: 'text', align: 'right', dx: -8, dy: 14, color: '#2ca02c' },
          encoding: {
            x: { field: 'coverage', type: 'quantitative' },
            y: { field: 'accuracy', type: 'quantitative' },
            text: { field: 'label' },
          },
        },
      ],
    });
  }
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title,
      subtitle: `${report.items} items, accuracy ${(report.accuracy * 100).toFixed(1)} % at full coverage`,
    },
    width: 560,
    height: 340,
    layer: layers,
  };
  const compiled = vegaLite.compile(spec as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
