import { describe, expect, it } from 'vitest';
import { sampleLogRecord } from '../store/store-conformance.ts';
import { analyzeLog } from './analyze-log.ts';
import { ANALYSIS_TABLE_LEGEND, renderAnalysisTable } from './render-analysis-table.ts';

const SYSTEM = 'You classify bank support tickets. Answer with one intent label only.';
const labels = ['card_arrival', 'lost_or_stolen_card', 'exchange_rate'];

/** `count` ticket requests, answered by `servedModel` at `costUsd` each. */
function tickets(count: number, servedModel: string, costUsd: number, offset = 0) {
  return Array.from({ length: count }, (_, index) =>
    sampleLogRecord({
      id: `req_${offset + index}`,
      time: 1_700_000_000_000 + (offset + index) * 1_000,
      requestMessages: JSON.stringify([
        { role: 'system', content: SYSTEM },
        { role: 'user', content: `Ticket ${offset + index}: my card has a problem` },
      ]),
      responseText: labels[index % 3] as string,
      servedModel,
      costUsd,
    }),
  );
}

describe('renderAnalysisTable', () => {
  it('names the cost columns for what they are and explains them under the table', () => {
    const report = analyzeLog([...tickets(30, 'gpt-4o', 0.002), ...tickets(30, 'specialist/banking', 0.000001, 30)], {
      periodMs: 3_600_000,
    });
    const text = renderAnalysisTable(report);
    const header = text.split('\n')[2] as string;
    // $/request was the mean over model-answered requests only, beside a $/month over all of them.
    expect(header).toContain('$/model req');
    expect(header).not.toContain('$/request');
    for (const line of ANALYSIS_TABLE_LEGEND) expect(text).toContain(line);
    expect(text).toContain('$/model req: mean cost of the requests a model (not a specialist) answered');
  });

  it('prints the coverage source whole, not cut to four letters', () => {
    const text = renderAnalysisTable(analyzeLog(tickets(40, 'gpt-4o', 0.002), { periodMs: 3_600_000 }));
    expect(text).toMatch(/\d+\.\d% estimate/);
    expect(text).not.toMatch(/% esti\b/);
  });

  it('prints one line, not an empty table, for an empty log', () => {
    const report = analyzeLog([]);
    expect(renderAnalysisTable(report)).toBe(
      'No requests in the log: send traffic through the gateway first (rightsize serve).',
    );
    expect(renderAnalysisTable(report, { since: '24h' })).toBe(
      'No requests in the log of the last 24h: send traffic through the gateway first (rightsize serve), or widen --since.',
    );
  });

  it('says why a log of failed requests has no family', () => {
    const text = renderAnalysisTable(analyzeLog([sampleLogRecord({ status: 502, responseText: null })]));
    expect(text).toBe(
      'None of the 1 logged requests can be analysed (analysis reads answered requests with their messages): keep store.logContent on (the default) and send traffic through the gateway.',
    );
  });
});

describe('analyzeLog with shadow data but no threshold', () => {
  it('reports the overall agreement, not "0.0 % agreement on the 0.0 % it would settle"', () => {
    const records = tickets(60, 'gpt-4o', 0.002).map((record, index) => ({
      ...record,
      tiers: [
        ...record.tiers,
        {
          tier: -1,
          model: 'specialist/untuned',
          provider: 'specialist',
          outcome: 'shadow' as const,
          // Agrees with the served answer on 45 of 60.
          answer: index % 4 === 0 ? 'exchange_rate_x' : (record.responseText ?? ''),
          confidence: 0.99,
          latencyMs: 1,
          costUsd: 0.000001,
        },
      ],
    }));
    const [family] = analyzeLog(records, { periodMs: 3_600_000 }).families;
    const promotion = {
      familyId: family?.id ?? '',
      matcher: JSON.stringify({ kind: 'template' }),
      specialist: 'untuned',
      mode: 'shadow' as const,
      threshold: null,
      updatedAt: 1,
      note: null,
    };
    const report = analyzeLog(records, { periodMs: 3_600_000, promotions: [promotion] });
    const opportunity = report.families[0]?.opportunity;
    expect(opportunity?.reasons).toContain(
      'shadow: 75.0 % agreement overall (60 requests), none it would settle at its threshold: promote to choose one on them',
    );
    expect(opportunity?.reasons.join(' ')).not.toContain('0.0 % agreement on the 0.0 %');
  });
});
