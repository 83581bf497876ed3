import { operationalState } from '../db/repo/operations.js';
import type { Metrics } from '../metrics.js';
import type { ServiceContext } from './context.js';
import type { Deliverer } from './outbox.js';

/** The gauges of open work, read from the database now, then the whole registry as Prometheus text. */
export async function scrapeMetrics(
  ctx: ServiceContext,
  metrics: Metrics,
): Promise<{ contentType: string; text: string }> {
  const state = await operationalState(ctx.db, ctx.workspaceId, ctx.now());
  metrics.openHandoffs.set(state.openHandoffs);
  metrics.overdueHandoffs.set(state.overdueHandoffs);
  metrics.outboxPending.set(state.outboxPending);
  metrics.outboxDead.set(state.outboxDead);
  metrics.outboxOldestPending.set(state.outboxOldestPendingSeconds);
  metrics.slaSweepLag.set(state.slaSweepLagSeconds);
  return { contentType: metrics.registry.contentType, text: await metrics.registry.metrics() };
}

/** The deliverer, counted and timed by kind and outcome; a throw is counted as "error" and passed on. */
export function countedDeliverer(deliver: Deliverer, metrics: Metrics): Deliverer {
  return async (row) => {
    const end = metrics.deliveryDuration.startTimer({ kind: row.kind });
    try {
      const outcome = await deliver(row);
      metrics.deliveries.inc({ kind: row.kind, outcome: outcome.kind });
      return outcome;
    } catch (err) {
      metrics.deliveries.inc({ kind: row.kind, outcome: 'error' });
      throw err;
    } finally {
      end();
    }
  };
}
