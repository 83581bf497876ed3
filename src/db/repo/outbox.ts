import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { rowsInsert, writeTogether, type Write } from './bulk.js';
import { outbox } from '../schema.js';

export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = Pick<typeof outbox.$inferInsert, 'workspaceId' | 'dedupeKey' | 'kind' | 'handoffId' | 'channel' | 'payload' | 'notBefore'>;

/** Queues deliveries; a key already queued (a replay) is ignored. */
export async function enqueue(db: DbOrTx, rows: readonly NewOutboxRow[]): Promise<void> {
  await writeTogether(db, [outboxInsert(rows)]);
}

export function outboxInsert(rows: readonly NewOutboxRow[]): Write | undefined {
  return rowsInsert(outbox, rows, { onConflictDoNothing: true });
}

/**
 * Claims due deliveries for `leaseMs`: at most `perChannel` per channel (Slack paces per channel,
 * so a backlog in one must not hold up a card in another), none for channels this worker is
 * still busy with, none while an earlier delivery of the same handoff is pending (order holds per
 * handoff), and none locked by another worker.
 *
 * The cost follows the channels, not the backlog: the channels with pending rows are found by
 * skipping through the (channel, id) index one channel at a time, and each is read from its head
 * only until `perChannel` rows qualify. (Ranking every pending row made each claim read the whole
 * backlog, which under a burst of intake grows by thousands of rows a minute.)
 */
export async function claimDue(db: DbOrTx, now: Date, opts: { limit: number; leaseMs: number; perChannel: number; busyChannels: readonly string[] }): Promise<OutboxRow[]> {
  // Raw SQL binds no Date through postgres.js: instants go in as ISO text.
  const at = sql`${now.toISOString()}::timestamptz`;
  const claimable = sql`o.status = 'pending' and o.not_before <= ${at} and (o.locked_until is null or o.locked_until < ${at})
    and not exists (select 1 from outbox earlier where earlier.handoff_id = o.handoff_id and earlier.status = 'pending' and earlier.id < o.id)`;
  const busy = JSON.stringify(opts.busyChannels);
  const lockable = sql`
    with recursive channels(ch) as (
      (select channel from outbox where status = 'pending' and channel is not null order by channel limit 1)
      union all
      select (select o.channel from outbox o where o.status = 'pending' and o.channel > c.ch order by o.channel limit 1) from channels c where c.ch is not null
    ),
    candidates as (
      select head.id from channels c cross join lateral (
        select o.id from outbox o where o.channel = c.ch and ${claimable} order by o.id limit ${opts.perChannel}
      ) head
      where c.ch is not null and c.ch not in (select jsonb_array_elements_text(${busy}::jsonb))
      union all
      (select o.id from outbox o where o.channel is null and ${claimable} order by o.id limit ${opts.perChannel})
    )
    select o.id from outbox o where o.id in (select id from candidates order by id limit ${opts.limit})
      and o.status = 'pending' and (o.locked_until is null or o.locked_until < ${at})
    for update skip locked`;
  const claimed = await db
    .update(outbox)
    .set({ lockedUntil: new Date(now.getTime() + opts.leaseMs), attempts: sql`${outbox.attempts} + 1` })
    .where(sql`${outbox.id} in (${lockable})`)
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
