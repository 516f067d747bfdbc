/** A point to compare: lower cost (USD) and latency (ms) are better, higher accuracy is better. */
export interface ParetoPoint {
  id: string;
  costUsd: number | undefined;
  latencyMs: number | undefined;
  accuracy: number;
}

/**
 * The ids of the points that no other point dominates (at least as cheap, as fast and as accurate,
 * and strictly better on one), in input order. A point with an unknown cost or latency is never on
 * the frontier: it cannot be compared honestly.
 */
export function paretoFrontier(points: readonly ParetoPoint[]): string[] {
  const known = points.filter(
    (point): point is ParetoPoint & { costUsd: number; latencyMs: number } =>
      point.costUsd !== undefined && point.latencyMs !== undefined,
  );
  const frontier: string[] = [];
  for (const point of known) {
    const dominated = known.some(
      (other) =>
        other !== point &&
        other.costUsd <= point.costUsd &&
        other.latencyMs <= point.latencyMs &&
        other.accuracy >= point.accuracy &&
        (other.costUsd < point.costUsd || other.latencyMs < point.latencyMs || other.accuracy > point.accuracy),
    );
    if (!dominated) frontier.push(point.id);
  }
  return frontier;
}
