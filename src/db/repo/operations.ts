import { sql } from 'drizzle-orm';
import { rowsOf, type DbOrTx } from '../client.js';

/** What an operator watches (GET /metrics), read at scrape time. */
export interface OperationalState {
  openHandoffs: number;
  overdueHandoffs: number;
  outboxPending: number;
  outboxDead: number;
  /** Age of the oldest delivery still waiting; 0 when none is. */
  outboxOldestPendingSeconds: number;
  /** How long the oldest SLA step that is due has waited for the sweep; 0 when none has. */
  slaSweepLagSeconds: number;
}

/**
 * One statement, each figure from a partial index (handoffs_pending_due, outbox_channel_pending,
 * outbox_dead, sla_steps_due): what it reads follows the open work, not the history.
 */
export async function operationalState(db: DbOrTx, workspaceId: string, now: Date): Promise<OperationalState> {
  // Raw SQL binds no Date through postgres.js: instants go in as ISO text.
  const at = sql`${now.toISOString()}::timestamptz`;
  const rows = rowsOf<{
    open: number;
    overdue: number;
    pending: number;
    dead: number;
    oldest: number | null;
    lag: number | null;
  }>(
    await db.execute(sql`select
      (select count(*) from handoffs where workspace_id = ${workspaceId} and status = 'pending')::int as open,
      (select count(*) from handoffs where workspace_id = ${workspaceId} and status = 'pending' and due_at < ${at})::int as overdue,
      (select count(*) from outbox where status = 'pending')::int as pending,
      (select count(*) from outbox where status = 'dead')::int as dead,
      (select extract(epoch from ${at} - min(created_at))::float8 from outbox where status = 'pending') as oldest,
      (select extract(epoch from ${at} - min(due_at))::float8 from sla_steps where status = 'pending' and due_at <= ${at}) as lag`),
  );
  const r = rows[0];
  return {
    openHandoffs: r?.open ?? 0,
    overdueHandoffs: r?.overdue ?? 0,
    outboxPending: r?.pending ?? 0,
    outboxDead: r?.dead ?? 0,
    outboxOldestPendingSeconds: Math.max(0, r?.oldest ?? 0),
    slaSweepLagSeconds: Math.max(0, r?.lag ?? 0),
  };
}
