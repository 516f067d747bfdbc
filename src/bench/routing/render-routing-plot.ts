import type { RoutingBenchReport } from './run-routing-bench.ts';

/**
 * The quality-vs-cost curves of every router of a bench report as one SVG (vega-lite, rendered
 * headless): left, quality against the share of strong-model calls (RouteLLM's axis); right,
 * quality against USD per 1,000 requests (cascades pay the weak call on every request). Dashed
 * lines mark the weak-only and strong-only quality.
 */
export async function renderRoutingPlot(report: RoutingBenchReport): Promise<string> {
  const vega = await import('vega');
  const vegaLite = await import('vega-lite');
  const percent = report.qualityKind === 'accuracy' ? 100 : 1;
  const qualityTitle = report.qualityKind === 'accuracy' ? 'accuracy (%)' : 'mean judge score (1-10)';
  const values = report.routers.flatMap((router) =>
    router.curve.map((point) => ({
      router: router.name,
      strongPercent: point.strongShare * 100,
      quality: point.quality * percent,
      usdPer1k: (point.costUsd ?? 0) * 1000,
    })),
  );
  const references = [
    { label: `weak only (${report.weakModel})`, quality: report.weakQuality * percent },
    { label: `strong only (${report.strongModel})`, quality: report.strongQuality * percent },
  ];
  const qualityScale = {
    zero: false,
    domain: [
      Math.min(report.weakQuality, ...values.map((value) => value.quality / percent)) * percent,
      Math.max(report.strongQuality, ...values.map((value) => value.quality / percent)) * percent,
    ],
  };
  const panel = (field: 'strongPercent' | 'usdPer1k', title: string) => ({
    width: 360,
    height: 280,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field, type: 'quantitative', title },
          y: { field: 'quality', type: 'quantitative', title: qualityTitle, scale: qualityScale },
          color: { field: 'router', type: 'nominal', title: 'router' },
        },
      },
      {
        data: { values: references },
        mark: { type: 'rule', strokeDash: [4, 4] },
        encoding: {
          y: { field: 'quality', type: 'quantitative' },
          strokeDash: { field: 'label', type: 'nominal', title: 'reference' },
        },
      },
    ],
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Weak-to-strong routing on ${report.data} (${report.items} prompts, ${report.folds}-fold cross-validation)`,
    hconcat: [panel('strongPercent', 'strong-model calls (%)'), panel('usdPer1k', 'USD per 1,000 requests')],
    resolve: { scale: { color: 'shared' } },
  };
  // biome-ignore lint/suspicious/noExplicitAny: vega-lite's TopLevelSpec union is too wide to build literally.
  const compiled = vegaLite.compile(spec as any).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
