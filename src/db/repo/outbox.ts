import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import { rowsOf, type DbOrTx } from '../client.js';
import { rowsInsert, writeTogether, type Write } from './bulk.js';
import { channelPace, outbox } from '../schema.js';

export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = Pick<
  typeof outbox.$inferInsert,
  'workspaceId' | 'dedupeKey' | 'kind' | 'handoffId' | 'channel' | 'payload' | 'notBefore'
>;

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
export async function claimDue(
  db: DbOrTx,
  now: Date,
  opts: { limit: number; leaseMs: number; perChannel: number; busyChannels: readonly string[] },
): Promise<OutboxRow[]> {
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

/** Gives claimed rows back untried (a worker shutting down, a channel's pace too far off): claimable again from `notBefore`. */
export async function releaseDeliveries(db: DbOrTx, ids: readonly number[], notBefore: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(outbox)
    .set({
      lockedUntil: null,
      notBefore: sql`greatest(${outbox.notBefore}, ${notBefore.toISOString()}::timestamptz)`,
      attempts: sql`${outbox.attempts} - 1`,
    })
    .where(and(inArray(outbox.id, [...ids]), eq(outbox.status, 'pending')));
}

export async function completeDelivery(db: DbOrTx, id: number, result: unknown): Promise<void> {
  await db
    .update(outbox)
    .set({ status: 'done', doneAt: sql`now()`, lockedUntil: null, result })
    .where(eq(outbox.id, id));
}

/**
 * How far a delivery of several calls got, kept on its pending row (in `result`, which completion
 * overwrites): a retry goes on from there instead of repeating the calls already answered.
 */
export async function saveDeliveryProgress(db: DbOrTx, id: number, progress: unknown): Promise<void> {
  await db
    .update(outbox)
    .set({ result: progress })
    .where(and(eq(outbox.id, id), eq(outbox.status, 'pending')));
}

export async function retryDelivery(
  db: DbOrTx,
  id: number,
  notBefore: Date,
  error: string,
  countAttempt = true,
): Promise<void> {
  await db
    .update(outbox)
    .set({
      notBefore,
      lockedUntil: null,
      lastError: error,
      ...(countAttempt ? {} : { attempts: sql`${outbox.attempts} - 1` }),
    })
    .where(eq(outbox.id, id));
}

export async function abandonDelivery(db: DbOrTx, id: number, error: string): Promise<void> {
  await db.update(outbox).set({ status: 'dead', lockedUntil: null, lastError: error }).where(eq(outbox.id, id));
}

/** Slack's pace for one channel: `intervalMs` between posts on average, up to `burst` at once. */
export interface Pace {
  intervalMs: number;
  burst: number;
}

// The bucket as SQL: a post may go while full_at is at most this far ahead of the database's clock.
const tolerance = (pace: Pace) => sql`(${(pace.burst - 1) * pace.intervalMs}::float8 * interval '1 millisecond')`;

/**
 * Takes a token from the channel's bucket, shared by every replica: 0 when the caller may post now
 * (the bucket is moved on in the same statement, under the row's lock, so two replicas cannot take
 * the last token twice), else how many milliseconds to wait before asking again. Time is the
 * database's clock, the one clock every replica shares.
 */
export async function takePaceToken(db: DbOrTx, channel: string, pace: Pace): Promise<number> {
  const interval = sql`(${pace.intervalMs}::float8 * interval '1 millisecond')`;
  const rows = rowsOf<{ wait: number }>(
    await db.execute(sql`
      with taken as (
        insert into ${channelPace} as p (channel, full_at) values (${channel}, clock_timestamp() + ${interval})
        on conflict (channel) do update set full_at = greatest(p.full_at, clock_timestamp()) + ${interval}
          where p.full_at <= clock_timestamp() + ${tolerance(pace)}
        returning 1
      )
      select case when exists (select 1 from taken) then 0
        else (select ceil(extract(epoch from (p.full_at - ${tolerance(pace)} - clock_timestamp())) * 1000) from ${channelPace} p where p.channel = ${channel}) end::int as wait`),
  );
  // Refused on a row another replica changed after this statement's snapshot: ask again shortly.
  return rows[0]?.wait === 0 ? 0 : Math.max(10, rows[0]?.wait ?? 10);
}

/**
 * After a 429 on a channel, nothing else for that channel is tried before Slack's Retry-After:
 * neither queued rows nor rows another replica has already claimed (its bucket is empty until then).
 */
export async function holdChannel(
  db: DbOrTx,
  channel: string,
  hold: { now: Date; retryAfterMs: number },
  pace: Pace,
): Promise<void> {
  const until = new Date(hold.now.getTime() + hold.retryAfterMs);
  await db
    .update(outbox)
    .set({ notBefore: until })
    .where(and(eq(outbox.status, 'pending'), eq(outbox.channel, channel), lt(outbox.notBefore, until)));
  const fullAt = sql`clock_timestamp() + (${hold.retryAfterMs}::float8 * interval '1 millisecond') + ${tolerance(pace)}`;
  await db.execute(
    sql`insert into ${channelPace} as p (channel, full_at) values (${channel}, ${fullAt}) on conflict (channel) do update set full_at = greatest(p.full_at, excluded.full_at)`,
  );
}

/** Deliveries that can never succeed as they stand, oldest first: what an operator looks at. */
export async function listDead(db: DbOrTx): Promise<OutboxRow[]> {
  return db.select().from(outbox).where(eq(outbox.status, 'dead')).orderBy(asc(outbox.id));
}

/**
 * Queues dead deliveries again (`ids`, or every one), due now; the attempt count is kept, so the
 * next attempt looks for an earlier post before posting. Returns the ids queued.
 */
export async function redriveDead(db: DbOrTx, now: Date, ids: readonly number[] | 'all'): Promise<number[]> {
  const rows = await db
    .update(outbox)
    .set({ status: 'pending', notBefore: now, lockedUntil: null })
    .where(and(eq(outbox.status, 'dead'), ids === 'all' ? undefined : inArray(outbox.id, [...ids])))
    .returning({ id: outbox.id });
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/**
 * Deletes up to `limit` done deliveries finished before `before`, skipping rows another replica
 * is deleting; returns how many went. Done rows are the oldest ids, so the scan stops early.
 */
export async function purgeDoneDeliveries(db: DbOrTx, before: Date, limit: number): Promise<number> {
  const batch = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.status, 'done'), lt(outbox.doneAt, before)))
    .orderBy(asc(outbox.id))
    .limit(limit)
    .for('update', { skipLocked: true });
  return (await db.delete(outbox).where(inArray(outbox.id, batch)).returning({ id: outbox.id })).length;
}
