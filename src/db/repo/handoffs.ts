import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { rowsInsert, type Write } from './bulk.js';
import { handoffs, slackMessages } from '../schema.js';

export type HandoffRow = typeof handoffs.$inferSelect;
export type NewHandoff = typeof handoffs.$inferInsert;

export async function pendingHandoffForLead(db: DbOrTx, leadId: string): Promise<HandoffRow | undefined> {
  const rows = await db.select().from(handoffs).where(and(eq(handoffs.leadId, leadId), eq(handoffs.status, 'pending'))).limit(1);
  return rows[0];
}

export async function nextHandoffSeq(db: DbOrTx, leadId: string): Promise<number> {
  const rows = await db.select({ n: sql<number>`coalesce(max(${handoffs.seq}), 0)::int` }).from(handoffs).where(eq(handoffs.leadId, leadId));
  return (rows[0]?.n ?? 0) + 1;
}

export function handoffsInsert(rows: readonly NewHandoff[]): Write | undefined {
  return rowsInsert(handoffs, rows);
}

export async function findHandoff(db: DbOrTx, id: string): Promise<HandoffRow | undefined> {
  const rows = await db.select().from(handoffs).where(eq(handoffs.id, id)).limit(1);
  return rows[0];
}

export async function findSlackMessage(db: DbOrTx, handoffId: string, kind: 'card' | 'marketing_note'): Promise<{ channel: string; ts: string } | undefined> {
  const rows = await db
    .select({ channel: slackMessages.channel, ts: slackMessages.ts })
    .from(slackMessages)
    .where(and(eq(slackMessages.handoffId, handoffId), eq(slackMessages.kind, kind)))
    .limit(1);
  return rows[0];
}

/** Records where a message was posted; the first record wins, so a replayed delivery changes nothing. */
export async function recordSlackMessage(db: DbOrTx, row: { workspaceId: string; handoffId: string; kind: 'card' | 'marketing_note'; channel: string; ts: string }): Promise<void> {
  await db.insert(slackMessages).values(row).onConflictDoNothing();
}

export interface Decision {
  status: 'accepted' | 'rejected';
  decidedAt: Date;
  decidedBy: string;
  rejectReason?: string | null;
  rejectNote?: string | null;
  outcome?: 'nurture' | 'disqualify' | null;
}

/** Decides a handoff only if it is still pending: of racing deciders exactly one gets true. */
export async function decideHandoff(db: DbOrTx, id: string, d: Decision): Promise<boolean> {
  const rows = await db
    .update(handoffs)
    .set({ status: d.status, decidedAt: d.decidedAt, decidedBy: d.decidedBy, rejectReason: d.rejectReason ?? null, rejectNote: d.rejectNote ?? null, outcome: d.outcome ?? null })
    .where(and(eq(handoffs.id, id), eq(handoffs.status, 'pending')))
    .returning({ id: handoffs.id });
  return rows.length === 1;
}
