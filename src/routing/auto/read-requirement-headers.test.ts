import { describe, expect, it } from 'vitest';
import { isRightsizeError } from '../../errors/rightsize-error.ts';
import { readRequirementHeaders } from './read-requirement-headers.ts';

describe('readRequirementHeaders', () => {
  it('reads every header', () => {
    expect(
      readRequirementHeaders({
        'x-rightsize-max-latency-ms': '250',
        'x-rightsize-min-accuracy': '0.95',
        'x-rightsize-max-cost-usd': '0.002',
        'x-rightsize-deployment': 'On-Prem',
        'x-rightsize-task': 'repetitive, domain-specific, Banking77',
      }),
    ).toEqual({
      maxLatencyMs: 250,
      minAccuracy: 0.95,
      maxCostUsd: 0.002,
      deployment: 'on-prem',
      task: 'repetitive',
      domainSpecific: true,
      taskFamily: 'Banking77',
    });
  });

  it('leaves absent headers out', () => {
    expect(readRequirementHeaders({ 'content-type': 'application/json' })).toEqual({});
  });

  const bad: Array<[string, Record<string, string | string[]>]> = [
    ['x-rightsize-max-latency-ms', { 'x-rightsize-max-latency-ms': 'fast' }],
    ['x-rightsize-max-latency-ms', { 'x-rightsize-max-latency-ms': '0' }],
    ['x-rightsize-min-accuracy', { 'x-rightsize-min-accuracy': '98' }],
    ['x-rightsize-max-cost-usd', { 'x-rightsize-max-cost-usd': '-1' }],
    ['x-rightsize-max-cost-usd', { 'x-rightsize-max-cost-usd': ['0.1', '0.2'] }],
    ['x-rightsize-deployment', { 'x-rightsize-deployment': 'moon' }],
    ['x-rightsize-task', { 'x-rightsize-task': 'repetitive,varied' }],
    ['x-rightsize-task', { 'x-rightsize-task': 'tickets,invoices' }],
    ['x-rightsize-task', { 'x-rightsize-task': 'what is this?' }],
    ['x-rightsize-min-accuracy', { 'x-rightsize-min-accuracy': ' ' }],
  ];
  it.each(bad)('refuses a bad %s with invalid_request naming it', (header, headers) => {
    try {
      readRequirementHeaders(headers);
      expect.unreachable();
    } catch (error) {
      expect(isRightsizeError(error, 'invalid_request')).toBe(true);
      expect((error as Error).message).toContain(header);
      expect((error as { param?: string }).param).toBe(header);
    }
  });
});
