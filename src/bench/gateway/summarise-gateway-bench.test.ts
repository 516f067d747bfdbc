import { describe, expect, it } from 'vitest';
import {
  checkGoals,
  compareGateways,
  type LoadMeasurement,
  median,
  percentile,
  summariseMeasurements,
} from './summarise-gateway-bench.ts';

function measurement(fields: Partial<LoadMeasurement> & Pick<LoadMeasurement, 'run' | 'target'>): LoadMeasurement {
  return {
    connections: 1,
    requestsPerSecond: 1000,
    p50Ms: 1,
    p99Ms: 2,
    responses: 1000,
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    ...fields,
  };
}

describe('percentile', () => {
  it('takes the nearest rank, as HdrHistogram does', () => {
    const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(percentile(sorted, 0.5)).toBe(5);
    expect(percentile(sorted, 0.99)).toBe(10);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([0.25], 0.99)).toBe(0.25);
  });
  it('is NaN for no values and rejects fractions outside [0, 1]', () => {
    expect(percentile([], 0.5)).toBeNaN();
    expect(() => percentile([1], 50)).toThrow(RangeError);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('summariseMeasurements', () => {
  const measurements = [
    measurement({ run: 0, target: 'direct', requestsPerSecond: 10_000, p50Ms: 0.1 }),
    measurement({ run: 0, target: 'rightsize', requestsPerSecond: 5_000, p50Ms: 0.4, cpuMicrosPerRequest: 150 }),
    measurement({ run: 0, target: 'portkey', requestsPerSecond: 1_000, p50Ms: 4.6, non2xx: 2 }),
    // A noisier second run: the direct baseline is slower too, so the paired ratio stays close.
    measurement({ run: 1, target: 'direct', requestsPerSecond: 6_000, p50Ms: 0.2 }),
    measurement({ run: 1, target: 'rightsize', requestsPerSecond: 2_400, p50Ms: 0.7, cpuMicrosPerRequest: 170 }),
    measurement({ run: 1, target: 'portkey', requestsPerSecond: 500, p50Ms: 5.2, errors: 1 }),
    measurement({ run: 2, target: 'direct', requestsPerSecond: 8_000, p50Ms: 0.1 }),
    measurement({ run: 2, target: 'rightsize', requestsPerSecond: 3_600, p50Ms: 0.5, cpuMicrosPerRequest: 160 }),
    measurement({ run: 2, target: 'portkey', requestsPerSecond: 800, p50Ms: 4.8 }),
  ];
  const rows = summariseMeasurements(measurements);

  it('orders rows by concurrency, then direct, rightsize, portkey', () => {
    expect(rows.map((row) => row.target)).toEqual(['direct', 'rightsize', 'portkey']);
  });
  it('takes medians over runs and pairs each gateway run with the direct run before it', () => {
    const rightsize = rows[1];
    expect(rightsize?.requestsPerSecond).toBe(3_600);
    expect(rightsize?.requestsPerSecondRange).toEqual([2_400, 3_600 + 1_400]);
    // Per run: 0.5, 0.4 and 0.45 of direct; median 0.45 (not 3600 / 8000 from the medians).
    expect(rightsize?.shareOfDirect).toBeCloseTo(0.45, 10);
    // Per run: 0.3, 0.5 and 0.4 ms added.
    expect(rightsize?.addedP50Ms).toBeCloseTo(0.4, 10);
    expect(rightsize?.cpuMicrosPerRequest).toBe(160);
    expect(rows[0]?.shareOfDirect).toBe(1);
    expect(rows[0]?.addedP50Ms).toBe(0);
  });
  it('sums failures over runs instead of hiding them', () => {
    expect(rows[2]?.errors).toBe(1);
    expect(rows[2]?.non2xx).toBe(2);
  });
  it('compares Rightsize with Portkey', () => {
    const [ratio] = compareGateways(rows);
    expect(ratio?.throughput).toBeCloseTo(3_600 / 800, 10);
    // Portkey adds 4.6 (runs: 4.5, 5.0, 4.7) -> median 4.7 ms; Rightsize 0.4 ms.
    expect(ratio?.addedLatency).toBeCloseTo(4.7 / 0.4, 10);
    expect(ratio?.cpu).toBeUndefined();
  });
  it('checks the goals of issue 2', () => {
    const goals = checkGoals(rows, 95);
    expect(goals.map((goal) => goal.met)).toEqual([true, undefined, true]);
    expect(checkGoals(rows, 130)[2]?.met).toBe(false);
  });
});
