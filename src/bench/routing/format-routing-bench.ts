import Table from 'cli-table3';
import type { RoutingBenchReport } from './run-routing-bench.ts';

const percent = (share: number | undefined): string => (share === undefined ? '-' : `${(share * 100).toFixed(1)} %`);
const usd = (value: number | undefined): string => (value === undefined ? '-' : `$${value.toFixed(3)}`);

/** The bench report as a text table with RouteLLM's published figures beside ours. */
export function formatRoutingBench(report: RoutingBenchReport): string {
  const quality = (value: number): string =>
    report.qualityKind === 'accuracy' ? `${(value * 100).toFixed(2)} %` : value.toFixed(3);
  const table = new Table({
    style: { head: [], border: [] },
    head: [
      'router',
      'kind',
      'CPT(50%)',
      'CPT(80%)',
      'APGR',
      '$/1k req @CPT50',
      '$/1k req @CPT80',
      'RouteLLM published',
    ],
  });
  const published = report.published;
  for (const router of report.routers) {
    let reference = '';
    if (published && router.kind === 'bound' && published.oracleCpt50 !== undefined) {
      reference = `oracle ${percent(published.oracleCpt50)} / ${percent(published.oracleCpt80)}`;
    } else if (published && (router.kind === 'pre' || router.kind === 'cascade')) {
      reference = `best router CPT(50%) ${percent(published.bestRouterCpt50)}`;
    } else if (router.kind === 'baseline') {
      reference = 'random ~50 % / ~80 %, APGR ~0.5';
    }
    table.push([
      router.name,
      router.kind,
      percent(router.cpt50),
      percent(router.cpt80),
      router.apgr.toFixed(3),
      usd(router.usdPer1kAtCpt50),
      usd(router.usdPer1kAtCpt80),
      reference,
    ]);
  }
  table.push([
    'optimal (exact)',
    'bound',
    percent(report.optimal.cpt50),
    percent(report.optimal.cpt80),
    report.optimal.apgr.toFixed(3),
    '-',
    '-',
    published?.oracleCpt50 === undefined ? '' : 'RouteLLM oracle definition',
  ]);
  return [
    `Weak-to-strong routing on ${report.data}: ${report.items} prompts, ${report.folds}-fold cross-validation by prompt (seed ${report.seed})`,
    `weak  ${report.weakModel}: ${quality(report.weakQuality)}, ${usd(report.weakOnlyUsdPer1k)} per 1k requests`,
    `strong ${report.strongModel}: ${quality(report.strongQuality)}, ${usd(report.strongOnlyUsdPer1k)} per 1k requests`,
    table.toString(),
    `CPT(x): share of strong calls to recover x of the weak-to-strong gap; APGR: area under quality vs strong share, random 0.5, strong-only 1 (Ong et al. 2024).`,
    `Cost: ${report.costNote}. ${(report.durationMs / 1000).toFixed(1)} s.`,
  ].join('\n');
}
