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
