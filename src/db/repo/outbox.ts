import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { insertRows } from './bulk.js';
import { outbox } from '../schema.js';

export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = Pick<typeof outbox.$inferInsert, 'workspaceId' | 'dedupeKey' | 'kind' | 'handoffId' | 'channel' | 'payload' | 'notBefore'>;

/** Queues deliveries; a key already queued (a replay) is ignored. */
export async function enqueue(db: DbOrTx, rows: readonly NewOutboxRow[]): Promise<void> {
  await insertRows(db, outbox, rows, { onConflictDoNothing: true });
}

/**
 * Claims due deliveries for `leaseMs`: at most `perChannel` per channel (Slack paces per channel,
 * so a backlog in one must not hold up a card in another), none for channels this worker is
 * still busy with, none while an earlier delivery of the same handoff is pending (order holds per
 * handoff), and none locked by another worker.
 */
export async function claimDue(db: DbOrTx, now: Date, opts: { limit: number; leaseMs: number; perChannel: number; busyChannels: readonly string[] }): Promise<OutboxRow[]> {
  const busy = opts.busyChannels.length > 0 ? sql`and (${outbox.channel} is null or not (${outbox.channel} in (${sql.join(opts.busyChannels.map((c) => sql`${c}`), sql`, `)})))` : sql``;
  // Raw SQL binds no Date through postgres.js: instants go in as ISO text.
  const at = sql`${now.toISOString()}::timestamptz`;
  const candidates = sql`(select c.id from (
      select ${outbox.id} as id, row_number() over (partition by ${outbox.channel} order by ${outbox.id}) as rn
      from ${outbox}
      where ${outbox.status} = 'pending' and ${outbox.notBefore} <= ${at}
        and (${outbox.lockedUntil} is null or ${outbox.lockedUntil} < ${at})
        and not exists (select 1 from ${outbox} as earlier where earlier.handoff_id = ${outbox.handoffId} and earlier.status = 'pending' and earlier.id < ${outbox.id})
        ${busy}
    ) c where c.rn <= ${opts.perChannel} order by c.id limit ${opts.limit})`;
  const lockable = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(inArray(outbox.id, candidates), eq(outbox.status, 'pending'), or(isNull(outbox.lockedUntil), lt(outbox.lockedUntil, now))))
    .for('update', { skipLocked: true });
  const claimed = await db
    .update(outbox)
    .set({ lockedUntil: new Date(now.getTime() + opts.leaseMs), attempts: sql`${outbox.attempts} + 1` })
    .where(inArray(outbox.id, lockable))
    .returning();
  // RETURNING keeps no order, and a channel's messages must go out in the order they were queued.
  return claimed.sort((a, b) => a.id - b.id);
}

/** Gives claimed rows back untried (a worker shutting down): the next claim takes them at once. */
export async function releaseDeliveries(db: DbOrTx, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.update(outbox).set({ lockedUntil: null, attempts: sql`${outbox.attempts} - 1` }).where(and(inArray(outbox.id, [...ids]), eq(outbox.status, 'pending')));
}

export async function completeDelivery(db: DbOrTx, id: number, result: unknown): Promise<void> {
  await db.update(outbox).set({ status: 'done', doneAt: sql`now()`, lockedUntil: null, result }).where(eq(outbox.id, id));
}

export async function retryDelivery(db: DbOrTx, id: number, notBefore: Date, error: string, countAttempt = true): Promise<void> {
  await db
    .update(outbox)
    .set({ notBefore, lockedUntil: null, lastError: error, ...(countAttempt ? {} : { attempts: sql`${outbox.attempts} - 1` }) })
    .where(eq(outbox.id, id));
}

export async function abandonDelivery(db: DbOrTx, id: number, error: string): Promise<void> {
  await db.update(outbox).set({ status: 'dead', lockedUntil: null, lastError: error }).where(eq(outbox.id, id));
}

/** After a 429 on a channel, nothing else for that channel is tried before Slack's Retry-After. */
export async function holdChannel(db: DbOrTx, channel: string, until: Date): Promise<void> {
  await db
    .update(outbox)
    .set({ notBefore: until })
    .where(and(eq(outbox.status, 'pending'), eq(outbox.channel, channel), lt(outbox.notBefore, until)));
}
