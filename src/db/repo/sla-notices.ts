import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { slaNotices } from '../schema.js';

export type NewSlaNotice = Pick<
  typeof slaNotices.$inferInsert,
  'workspaceId' | 'batchKey' | 'recipient' | 'handoffId' | 'story'
>;
export type SlaNoticeRow = typeof slaNotices.$inferSelect;

/**
 * Adds leads to their batches. A lead already in the batch (a later step in the same window)
 * gets the new facts appended to its story, so one line still tells all of it.
 */
export async function addNotices(tx: DbOrTx, rows: readonly NewSlaNotice[]): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insert(slaNotices)
    .values([...rows])
    .onConflictDoUpdate({
      target: [slaNotices.workspaceId, slaNotices.batchKey, slaNotices.handoffId],
      set: { story: sql`${slaNotices.story} || excluded.story` },
    });
}

/** A batch's leads in the order they joined it. */
export async function noticeBatch(db: DbOrTx, workspaceId: string, batchKey: string): Promise<SlaNoticeRow[]> {
  return db
    .select()
    .from(slaNotices)
    .where(and(eq(slaNotices.workspaceId, workspaceId), eq(slaNotices.batchKey, batchKey)))
    .orderBy(asc(slaNotices.id));
}

/** Where a batch's message was posted, so later edits find it. */
export async function recordNoticePosted(
  db: DbOrTx,
  workspaceId: string,
  batchKey: string,
  posted: { channel: string; ts: string },
): Promise<void> {
  await db
    .update(slaNotices)
    .set(posted)
    .where(and(eq(slaNotices.workspaceId, workspaceId), eq(slaNotices.batchKey, batchKey)));
}

/** The posted batches that list a handoff: the messages to edit when someone acts on it. */
export async function postedBatchesOf(
  db: DbOrTx,
  handoffId: string,
): Promise<{ batchKey: string; recipient: string; channel: string; ts: string }[]> {
  const rows = await db
    .selectDistinct({
      batchKey: slaNotices.batchKey,
      recipient: slaNotices.recipient,
      channel: slaNotices.channel,
      ts: slaNotices.ts,
    })
    .from(slaNotices)
    .where(and(eq(slaNotices.handoffId, handoffId), isNotNull(slaNotices.ts)));
  return rows.flatMap((r) =>
    r.channel !== null && r.ts !== null
      ? [{ batchKey: r.batchKey, recipient: r.recipient, channel: r.channel, ts: r.ts }]
      : [],
  );
}

/** Whether any notice lists the handoff (only then is there a message to keep up to date). */
export async function hasNotices(db: DbOrTx, handoffId: string): Promise<boolean> {
  const rows = await db
    .select({ id: slaNotices.id })
    .from(slaNotices)
    .where(eq(slaNotices.handoffId, handoffId))
    .limit(1);
  return rows.length > 0;
}
