import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../client.js';
import { outbox } from '../schema.js';

export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = Pick<typeof outbox.$inferInsert, 'workspaceId' | 'dedupeKey' | 'kind' | 'handoffId' | 'channel' | 'payload' | 'notBefore'>;

/** Queues deliveries; a key already queued (a replay) is ignored. */
export async function enqueue(db: DbOrTx, rows: readonly NewOutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(outbox).values([...rows]).onConflictDoNothing();
}

const earlier = alias(outbox, 'earlier');

/**
 * Claims due deliveries for `leaseMs`. Rows locked by another worker are skipped, and a row
 * waits while an earlier delivery of the same handoff is still pending, so order holds per handoff.
 */
export async function claimDue(db: DbOrTx, now: Date, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  const due = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.status, 'pending'),
        lte(outbox.notBefore, now),
        or(isNull(outbox.lockedUntil), lt(outbox.lockedUntil, now)),
        sql`not exists (select 1 from ${earlier} where ${earlier.handoffId} = ${outbox.handoffId} and ${earlier.status} = 'pending' and ${earlier.id} < ${outbox.id})`,
      ),
    )
    .orderBy(asc(outbox.id))
    .limit(limit)
    .for('update', { skipLocked: true });
  return db
    .update(outbox)
    .set({ lockedUntil: new Date(now.getTime() + leaseMs), attempts: sql`${outbox.attempts} + 1` })
    .where(inArray(outbox.id, due))
    .returning();
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

export async function pendingDeliveries(db: DbOrTx): Promise<number> {
  const rows = await db.select({ n: sql<number>`count(*)::int` }).from(outbox).where(eq(outbox.status, 'pending'));
  return rows[0]?.n ?? 0;
}
