import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatRoutingBench } from './format-routing-bench.ts';
import { renderRoutingPlot } from './render-routing-plot.ts';
import { costAtShare, runRoutingBench } from './run-routing-bench.ts';

describe('runRoutingBench', () => {
  it("reproduces RouteLLM's GSM8K oracle and beats its best router with the cascade (5-fold CV)", () => {
    const report = runRoutingBench({ data: 'gsm8k' });
    expect(report.items).toBe(1307);
    expect(report.folds).toBe(5);
    const byName = Object.fromEntries(report.routers.map((router) => [router.name, router]));
    // SOURCES.md: oracle CPT(50 %) 11.0 %, CPT(80 %) 17.6 %
    expect(report.optimal.cpt50).toBeCloseTo(0.1102, 3);
    expect(report.optimal.cpt80).toBeCloseTo(0.1763, 3);
    expect(byName['oracle']?.cpt50).toBeCloseTo(0.1102, 2);
    expect(byName['random']?.apgr).toBeGreaterThan(0.4);
    expect(byName['random']?.apgr).toBeLessThan(0.6);
    // The goals: CPT(50 %) <= 17 %, APGR >= 0.8
    expect(byName['cascade']?.cpt50).toBeLessThanOrEqual(0.17);
    expect(byName['cascade']?.apgr).toBeGreaterThanOrEqual(0.8);
    // A cascade pays the weak call on every request: at 0 % strong calls it costs the weak-only price
    const cascade = byName['cascade']!;
    expect(cascade.curve[0]?.costUsd).toBeCloseTo(report.weakOnlyUsdPer1k / 1000, 12);
    expect(cascade.curve[cascade.curve.length - 1]?.costUsd).toBeCloseTo(
      (report.weakOnlyUsdPer1k + report.strongOnlyUsdPer1k) / 1000,
      12,
    );
    expect(formatRoutingBench(report)).toContain('best router CPT(50%) 33.6 %');
  });

  it('runs on a tiny outcome file and draws an SVG', async () => {
    const report = runRoutingBench({
      data: fileURLToPath(new URL('../../routing/weak-strong/fixtures/tiny-outcomes.jsonl', import.meta.url)),
      folds: 'loo',
    });
    expect(report.folds).toBe(5);
    expect(report.routers.map((router) => router.name)).toEqual(['random', 'oracle', 'pre-router', 'cascade']);
    expect(report.published).toBeUndefined();
    const svg = await renderRoutingPlot(report);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('cascade');
  });

  it('interpolates cost along the curve', () => {
    const curve = [
      { threshold: 1, strongShare: 0, quality: 0, costUsd: 1 },
      { threshold: 0, strongShare: 0.5, quality: 0, costUsd: 3 },
    ];
    expect(costAtShare(curve, 0.25)).toBeCloseTo(2, 12);
  });
});
