import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds: from a few milliseconds (an intake alone) to Slack's 10-second timeout and beyond. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Baton's Prometheus metrics (GET /metrics). One registry per Baton, so that several in one
 * process (the tests) count apart. Counters and histograms are kept as things happen; the gauges
 * of open work are read from the database at each scrape (src/services/metrics.ts).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'baton_' });
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
  return {
    registry,
    httpRequests: new Counter({
      name: 'baton_http_requests_total',
      help: 'HTTP requests answered, by route (the path of a known route, else "other"), method and status; intake is route="/api/leads"',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'baton_http_request_duration_seconds',
      help: 'Time from request to the end of the answer, by route',
      labelNames: ['route'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'baton_slack_deliveries_total',
      help: 'Slack delivery attempts from the outbox, by kind and outcome (done, retry, rate_limited, abandon, error)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    deliveryDuration: new Histogram({
      name: 'baton_slack_delivery_duration_seconds',
      help: 'Time a Slack delivery attempt took, by kind',
      labelNames: ['kind'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    openHandoffs: gauge('baton_handoffs_open', 'Handoffs waiting for a decision'),
    overdueHandoffs: gauge('baton_handoffs_overdue', 'Handoffs waiting for a decision past their SLA due time'),
    outboxPending: gauge('baton_outbox_pending', 'Slack deliveries waiting in the outbox (the backlog)'),
    outboxDead: gauge('baton_outbox_dead', 'Slack deliveries given up as dead'),
    outboxOldestPending: gauge(
      'baton_outbox_oldest_pending_seconds',
      'Age of the oldest delivery waiting in the outbox',
    ),
    slaSweepLag: gauge(
      'baton_sla_sweep_lag_seconds',
      'How long the oldest due SLA step has waited for the sweep (0: none is waiting)',
    ),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
