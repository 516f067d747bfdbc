import type { AnalysisReport } from './analyze-log.ts';
import { usd } from './render-analysis-table.ts';

/**
 * The analysis as one self-contained HTML page (opens from a file, no server, no script): the
 * families table, cost by family over time (stacked areas) and the opportunities as cost per month
 * against projected saving per month (a point per family, sized by requests). Charts are Vega-Lite
 * specs rendered to inline SVG headless.
 */
export async function renderAnalysisHtml(report: AnalysisReport): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const render = async (spec: Record<string, unknown>): Promise<string> => {
    const compiled = vegaLite.compile({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      ...spec,
    } as Parameters<typeof vegaLite.compile>[0]).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  };
  const top = report.families.slice(0, 10);
  const timeline = top.flatMap((family) =>
    family.timeline.map((point) => ({ family: family.id, time: point.time, cost: point.costUsd })),
  );
  const costOverTime = await render({
    title: { text: 'Cost by family over time', subtitle: `USD per ${bucketName(report.bucketMs)}` },
    width: 640,
    height: 280,
    data: { values: timeline },
    mark: { type: 'area', interpolate: 'step-after' },
    encoding: {
      x: { field: 'time', type: 'temporal', title: 'time' },
      y: { field: 'cost', type: 'quantitative', stack: true, title: 'USD' },
      color: { field: 'family', type: 'nominal' },
    },
  });
  const opportunities = await render({
    title: {
      text: 'Opportunities: cost against projected saving',
      subtitle: 'USD per 30-day month at the observed rate; the diagonal is saving = cost',
    },
    width: 560,
    height: 340,
    layer: [
      {
        data: { values: top.map((family) => ({ cost: family.costPerMonthUsd, saving: family.costPerMonthUsd })) },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
        encoding: { x: { field: 'cost', type: 'quantitative' }, y: { field: 'saving', type: 'quantitative' } },
      },
      {
        data: {
          values: top.map((family) => ({
            family: family.id,
            cost: family.costPerMonthUsd,
            saving: family.opportunity.monthlySavingUsd,
            requests: family.requests,
            verdict: family.opportunity.verdict,
          })),
        },
        layer: [
          {
            mark: { type: 'circle', opacity: 0.8 },
            encoding: {
              x: { field: 'cost', type: 'quantitative', title: 'cost per month (USD)' },
              y: { field: 'saving', type: 'quantitative', title: 'projected saving per month (USD)' },
              size: { field: 'requests', type: 'quantitative' },
              color: {
                field: 'verdict',
                type: 'nominal',
                scale: { domain: ['move', 'stay'], range: ['#2ca02c', '#7f7f7f'] },
              },
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 8, fontSize: 10 },
            encoding: {
              x: { field: 'cost', type: 'quantitative' },
              y: { field: 'saving', type: 'quantitative' },
              text: { field: 'family' },
            },
          },
        ],
      },
    ],
  });
  const rows = report.families
    .map(
      (
        family,
      ) => `<tr><td><code>${escapeHtml(family.id)}</code></td><td>${escapeHtml(family.template.slice(0, 160))}</td>
<td>${family.requests}</td><td>${family.requestsPerHour.toFixed(1)}</td><td>${usd(family.costPerRequestUsd)}</td>
<td>${usd(family.costPerMonthUsd)}</td><td>${escapeHtml(family.servedBy[0]?.model ?? '-')}</td>
<td>${family.outputsFor90} of ${family.distinctOutputs}</td><td>${(family.opportunity.coverage * 100).toFixed(1)} % (${family.opportunity.coverageSource})</td>
<td>${usd(family.opportunity.monthlySavingUsd)}</td><td>${family.opportunity.risk}</td><td>${family.opportunity.verdict}</td>
<td>${escapeHtml(family.example)}<br><small>${family.opportunity.reasons.map(escapeHtml).join('<br>')}</small></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rightsize analysis</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px}table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ddd;padding:4px 6px;vertical-align:top}th{background:#f4f4f4}small{color:#555}</style></head>
<body><h1>Rightsize: task families and opportunities</h1>
<p>${report.analysedRows} of ${report.rows} logged requests analysed; period ${(report.periodMs / 3_600_000).toFixed(2)} h;
monthly figures are 30 days at the observed rate; target accuracy ${(report.targetAccuracy * 100).toFixed(1)} %. Generated ${escapeHtml(report.generatedAt)}.</p>
<figure>${costOverTime}</figure>
<figure>${opportunities}</figure>
<table><thead><tr><th>family</th><th>template</th><th>requests</th><th>/hour</th><th>$/request</th><th>$/month</th><th>served by</th>
<th>outputs for 90 %</th><th>coverage</th><th>saving $/month</th><th>risk</th><th>verdict</th><th>example and reasons</th></tr></thead>
<tbody>${rows}</tbody></table></body></html>
`;
}

function bucketName(ms: number): string {
  if (ms >= 86_400_000) return 'day';
  if (ms >= 3_600_000) return `${ms / 3_600_000} h`;
  if (ms >= 60_000) return `${ms / 60_000} min`;
  return `${ms / 1_000} s`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char] ?? char);
}
