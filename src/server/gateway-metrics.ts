import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { RequestLogRecord } from '../store/store.ts';

/** Prometheus metrics of one gateway, on its own registry (served at `GET /metrics`). */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Counts one finished request from its log row. */
  observe(row: RequestLogRecord): void;
  /** Counts one error answer (any endpoint, including requests rejected before they are logged). */
  error(code: string, status: number): void;
}

/**
 * `rightsize_requests_total{route,model,status}`, `rightsize_request_duration_seconds{route}`
 * (latency), `rightsize_ttft_seconds{model}` (streams), `rightsize_cost_usd_total{route,model}`,
 * `rightsize_escalations_total{route}`, `rightsize_unpriced_requests_total{model}`,
 * `rightsize_errors_total{code,status}`, plus the
 * Node.js process metrics.
 */
export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'rightsize_requests_total',
    help: 'Chat completion requests served.',
    labelNames: ['route', 'model', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'rightsize_request_duration_seconds',
    help: 'Time from request to the last byte of the answer.',
    labelNames: ['route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const ttft = new Histogram({
    name: 'rightsize_ttft_seconds',
    help: 'Time to first token of streamed answers.',
    labelNames: ['model'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const cost = new Counter({
    name: 'rightsize_cost_usd_total',
    help: 'Cost of served requests in USD.',
    labelNames: ['route', 'model'],
    registers: [registry],
  });
  const unpriced = new Counter({
    name: 'rightsize_unpriced_requests_total',
    help: 'Requests served by a model with no price.',
    labelNames: ['model'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'rightsize_errors_total',
    help: 'Error answers sent, by error code: before any byte of the answer (also bad JSON, 401, 413) or in a stream under way (its status as logged; 499 when the client left).',
    labelNames: ['code', 'status'],
    registers: [registry],
  });
  const escalations = new Counter({
    name: 'rightsize_escalations_total',
    help: 'Tiers passed over in cascades.',
    labelNames: ['route'],
    registers: [registry],
  });
  return {
    registry,
    observe(row) {
      const route = row.route ?? '-';
      const model = row.servedModel ?? '-';
      requests.inc({ route, model, status: String(row.status) });
      duration.observe({ route }, row.latencyMs / 1000);
      if (row.ttftMs !== null) ttft.observe({ model }, row.ttftMs / 1000);
      if (row.costUsd === null) unpriced.inc({ model });
      else if (row.costUsd > 0) cost.inc({ route, model }, row.costUsd);
      if (row.escalations > 0) escalations.inc({ route }, row.escalations);
    },
    error(code, status) {
      errors.inc({ code, status: String(status) });
    },
  };
}
