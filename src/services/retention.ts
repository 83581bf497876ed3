import { purgeHubspotWrites } from '../db/repo/hubspot.js';
import { purgeDoneDeliveries } from '../db/repo/outbox.js';
import { purgeDoneSteps } from '../db/repo/sla-steps.js';
import type { DbOrTx } from '../db/client.js';
import type { ServiceContext } from './context.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Rows per delete: each batch is its own short statement, so a large first purge holds no long locks. */
export const PURGE_BATCH = 1_000;

/** Deletes batch after batch until one comes back short; returns the total. */
async function drain(
  db: DbOrTx,
  purge: (db: DbOrTx, before: Date, limit: number) => Promise<number>,
  before: Date,
  batch: number,
): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await purge(db, before, batch);
    total += n;
    if (n < batch) return total;
  }
}

/**
 * Purges done Slack deliveries and done SLA steps older than the retention. Safe in every replica
 * at once: batches skip rows another replica is deleting. Dead deliveries and pending work are kept.
 */
export async function purgeExpired(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  retentionDays: number,
  batch = PURGE_BATCH,
): Promise<{ deliveries: number; slaSteps: number }> {
  const before = new Date(ctx.now().getTime() - retentionDays * DAY_MS);
  // Recorded HubSpot writes only matter for the day their echo may take.
  await drain(ctx.db, purgeHubspotWrites, new Date(ctx.now().getTime() - 2 * DAY_MS), batch);
  return {
    deliveries: await drain(ctx.db, purgeDoneDeliveries, before, batch),
    slaSteps: await drain(ctx.db, purgeDoneSteps, before, batch),
  };
}
