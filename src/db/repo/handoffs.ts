import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import { rowsOf, type DbOrTx } from '../client.js';
import { rowsInsert, type Write } from './bulk.js';
import { events, handoffs, slackMessages } from '../schema.js';

export type HandoffRow = typeof handoffs.$inferSelect;
export type NewHandoff = typeof handoffs.$inferInsert;

export async function pendingHandoffForLead(db: DbOrTx, leadId: string): Promise<HandoffRow | undefined> {
  const rows = await db
    .select()
    .from(handoffs)
    .where(and(eq(handoffs.leadId, leadId), eq(handoffs.status, 'pending')))
    .limit(1);
  return rows[0];
}

export async function nextHandoffSeq(db: DbOrTx, leadId: string): Promise<number> {
  const rows = await db
    .select({ n: sql<number>`coalesce(max(${handoffs.seq}), 0)::int` })
    .from(handoffs)
    .where(eq(handoffs.leadId, leadId));
  return (rows[0]?.n ?? 0) + 1;
}

export function handoffsInsert(rows: readonly NewHandoff[]): Write | undefined {
  return rowsInsert(handoffs, rows);
}

export async function findHandoff(db: DbOrTx, id: string): Promise<HandoffRow | undefined> {
  const rows = await db.select().from(handoffs).where(eq(handoffs.id, id)).limit(1);
  return rows[0];
}

export async function findSlackMessage(
  db: DbOrTx,
  handoffId: string,
  kind: 'card' | 'marketing_note',
): Promise<{ channel: string; ts: string } | undefined> {
  const rows = await db
    .select({ channel: slackMessages.channel, ts: slackMessages.ts })
    .from(slackMessages)
    .where(and(eq(slackMessages.handoffId, handoffId), eq(slackMessages.kind, kind)))
    .limit(1);
  return rows[0];
}

/** Records where a message was posted; the first record wins, so a replayed delivery changes nothing. */
export async function recordSlackMessage(
  db: DbOrTx,
  row: { workspaceId: string; handoffId: string; kind: 'card' | 'marketing_note'; channel: string; ts: string },
): Promise<void> {
  await db.insert(slackMessages).values(row).onConflictDoNothing();
}

/** Points a recorded message at its replacement; only from the ts the caller saw, so a concurrent move is not undone. */
export async function moveSlackMessage(
  db: DbOrTx,
  move: { handoffId: string; kind: 'card' | 'marketing_note'; fromTs: string; channel: string; ts: string },
): Promise<void> {
  await db
    .update(slackMessages)
    .set({ channel: move.channel, ts: move.ts, postedAt: sql`now()` })
    .where(
      and(
        eq(slackMessages.handoffId, move.handoffId),
        eq(slackMessages.kind, move.kind),
        eq(slackMessages.ts, move.fromTs),
      ),
    );
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
    .set({
      status: d.status,
      decidedAt: d.decidedAt,
      decidedBy: d.decidedBy,
      rejectReason: d.rejectReason ?? null,
      rejectNote: d.rejectNote ?? null,
      outcome: d.outcome ?? null,
    })
    .where(and(eq(handoffs.id, id), eq(handoffs.status, 'pending')))
    .returning({ id: handoffs.id });
  return rows.length === 1;
}

/** Every rep who has held a handoff: a reassignment never hands it back to one of them. */
export async function pastHolders(db: DbOrTx, handoffId: string): Promise<Set<string>> {
  const rows = await db.execute(
    sql`select distinct coalesce(data->>'rep', data->>'to') as rep from events where handoff_id = ${handoffId} and type in ('assigned', 'reassigned')`,
  );
  return new Set(rowsOf<{ rep: string | null }>(rows).flatMap((r) => (r.rep !== null ? [r.rep] : [])));
}

/** Moves a pending handoff to another rep, only if it is still pending with the rep we read. */
export async function moveHandoff(
  tx: DbOrTx,
  handoffId: string,
  fromRep: string,
  to: { repUserId: string; at: Date; dueAt: Date; via: string },
): Promise<boolean> {
  const rows = await tx
    .update(handoffs)
    .set({
      repUserId: to.repUserId,
      assignedAt: to.at,
      dueAt: to.dueAt,
      assignedVia: to.via,
      escalationAckedAt: null,
      escalationAckedBy: null,
    })
    .where(and(eq(handoffs.id, handoffId), eq(handoffs.status, 'pending'), eq(handoffs.repUserId, fromRep)))
    .returning({ id: handoffs.id });
  return rows.length === 1;
}

/** Records that a manager took up an escalation; the first acknowledgement wins. */
export async function acknowledgeEscalation(tx: DbOrTx, handoffId: string, by: string, at: Date): Promise<boolean> {
  const rows = await tx
    .update(handoffs)
    .set({ escalationAckedBy: by, escalationAckedAt: at })
    .where(and(eq(handoffs.id, handoffId), eq(handoffs.status, 'pending'), sql`${handoffs.escalationAckedAt} is null`))
    .returning({ id: handoffs.id });
  return rows.length === 1;
}

/** A team's undecided handoffs past due, oldest due first. */
export async function overdueHandoffs(
  db: DbOrTx,
  workspaceId: string,
  teamId: string,
  now: Date,
): Promise<HandoffRow[]> {
  return db
    .select()
    .from(handoffs)
    .where(
      and(
        eq(handoffs.workspaceId, workspaceId),
        eq(handoffs.teamId, teamId),
        eq(handoffs.status, 'pending'),
        lte(handoffs.dueAt, now),
      ),
    )
    .orderBy(asc(handoffs.dueAt));
}

/** Pending handoffs of one rep (reassigned when they go away). */
export async function pendingHandoffsOf(db: DbOrTx, workspaceId: string, repUserId: string): Promise<HandoffRow[]> {
  return db
    .select()
    .from(handoffs)
    .where(
      and(eq(handoffs.workspaceId, workspaceId), eq(handoffs.repUserId, repUserId), eq(handoffs.status, 'pending')),
    );
}

/** A handoff's changes of hands, oldest first, and the reps for whom nobody else was left. */
export async function handoffHistory(
  db: DbOrTx,
  handoffId: string,
): Promise<{
  moves: { from: string; to: string; reason: 'breach' | 'manager' | 'away'; at: Date }[];
  stuck: { rep: string; at: Date }[];
}> {
  const rows = await db
    .select({ type: events.type, at: events.at, reason: events.reason, data: events.data })
    .from(events)
    .where(and(eq(events.handoffId, handoffId), inArray(events.type, ['reassigned', 'reassign_skipped'])))
    .orderBy(asc(events.id));
  const str = (data: Record<string, unknown>, key: string): string => {
    const v = data[key];
    return typeof v === 'string' ? v : '';
  };
  return {
    moves: rows
      .filter((r) => r.type === 'reassigned')
      .map((r) => ({
        from: str(r.data, 'from'),
        to: str(r.data, 'to'),
        reason: r.reason === 'manager' || r.reason === 'away' ? r.reason : 'breach',
        at: r.at,
      })),
    stuck: rows.filter((r) => r.type === 'reassign_skipped').map((r) => ({ rep: str(r.data, 'rep'), at: r.at })),
  };
}
