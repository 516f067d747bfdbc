import { describe, expect, it } from 'vitest';
import { evaluatePredictions } from './evaluate-predictions.ts';
import { renderCoveragePlot } from './render-coverage-plot.ts';

const predictions = [
  { label: 'a', probability: 0.95 },
  { label: 'a', probability: 0.9 },
  { label: 'b', probability: 0.8 },
  { label: 'a', probability: 0.6 },
  { label: 'b', probability: 0.55 },
];
const actual = ['a', 'a', 'b', 'b', 'c'];

describe('evaluatePredictions', () => {
  const report = evaluatePredictions({ predictions, actual, threshold: 0.7 });

  it('computes accuracy, per-label precision/recall/F1 and macro-F1', () => {
    expect(report.items).toBe(5);
    expect(report.accuracy).toBeCloseTo(3 / 5, 12);
    const byLabel = Object.fromEntries(report.perLabel.map((row) => [row.label, row]));
    expect(byLabel['a']).toMatchObject({ precision: 2 / 3, recall: 1, support: 2 });
    expect(byLabel['b']).toMatchObject({ precision: 1 / 2, recall: 1 / 2, support: 2 });
    expect(byLabel['c']).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(report.macroF1).toBeCloseTo((0.8 + 0.5 + 0) / 3, 12);
  });

  it('lists the confused pairs and the accuracy and coverage at the threshold', () => {
    expect(report.confusedPairs).toEqual([
      { actual: 'b', predicted: 'a', count: 1 },
      { actual: 'c', predicted: 'b', count: 1 },
    ]);
    expect(report.atThreshold).toEqual({ threshold: 0.7, coverage: 3 / 5, accuracy: 1, acceptedItems: 3 });
  });

  it('draws the coverage/accuracy curve from the most confident item to all', () => {
    expect(report.curve).toHaveLength(100);
    expect(report.curve[0]).toMatchObject({ coverage: 0.2, accuracy: 1, threshold: 0.95 });
    expect(report.curve.at(-1)).toMatchObject({ coverage: 1, accuracy: 0.6, threshold: 0.55 });
  });

  it('renders the curve as an SVG with the target and the threshold point', async () => {
    const svg = await renderCoveragePlot(report, { title: 'test curve', targetAccuracy: 0.9 });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('test curve');
    expect(svg).toContain('target 90.0 %');
    expect(svg).toContain('threshold 0.700');
  });
});
