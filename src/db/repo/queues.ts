import { and, asc, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { events, handoffs, leads } from '../schema.js';

/** Why an open handoff waits for its team's manager (docs/sla.md, "Steps"), if it does. */
export type WaitingForManager = 'nobody_left' | 'no_rep_available';

export interface OpenHandoffRow {
  handoffId: string;
  teamId: string;
  repUserId: string;
  dueAt: Date;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  company: string | null;
  score: number;
  waitingForManager: WaitingForManager | null;
}

/**
 * A pending handoff waits for the manager when a reassignment found nobody else to take it from
 * the rep who holds it (the `reassign_skipped` event names that rep), or when no rep was available
 * as it was routed. A decided one waits for nobody.
 */
const waitingForManager = sql<WaitingForManager | null>`case
  when ${handoffs.status} <> 'pending' then null
  when exists (select 1 from ${events} where ${events.handoffId} = ${handoffs.id} and ${events.type} = 'reassign_skipped' and ${events.data}->>'rep' = ${handoffs.repUserId}) then 'nobody_left'
  when ${handoffs.assignedVia} = 'manager_fallback' then 'no_rep_available'
end`;

const rowColumns = {
  handoffId: handoffs.id,
  teamId: handoffs.teamId,
  repUserId: handoffs.repUserId,
  dueAt: handoffs.dueAt,
  firstName: leads.firstName,
  lastName: leads.lastName,
  email: leads.email,
  company: leads.company,
  score: leads.score,
  waitingForManager,
};

/**
 * Undecided handoffs of some reps or teams, those waiting for the manager first, then soonest due
 * (so overdue ones lead), at most `limit` of them, and how many there are in all: a Home shows the
 * first and counts the rest. Ordered here rather than after reading, so that a long queue never
 * pushes a lead waiting for the manager past the limit.
 */
export async function openHandoffs(
  db: DbOrTx,
  workspaceId: string,
  of: { reps?: readonly string[]; teams?: readonly string[] },
  limit: number,
): Promise<{ rows: OpenHandoffRow[]; total: number }> {
  const who = or(
    of.reps && of.reps.length > 0 ? inArray(handoffs.repUserId, [...of.reps]) : undefined,
    of.teams && of.teams.length > 0 ? inArray(handoffs.teamId, [...of.teams]) : undefined,
  );
  if (who === undefined) return { rows: [], total: 0 };
  const where = and(eq(handoffs.workspaceId, workspaceId), eq(handoffs.status, 'pending'), who);
  const rows = await db
    .select(rowColumns)
    .from(handoffs)
    .innerJoin(leads, eq(leads.id, handoffs.leadId))
    .where(where)
    .orderBy(sql`${waitingForManager} is null`, asc(handoffs.dueAt), asc(handoffs.id))
    .limit(limit);
  const total =
    rows.length < limit
      ? rows.length
      : ((
          await db
            .select({ n: sql<number>`count(*)::int` })
            .from(handoffs)
            .where(where)
        )[0]?.n ?? rows.length);
  return { rows, total };
}

/** A rep's accepted handoffs whose lead still waits to be qualified (stage `sal`), oldest decision first. */
export async function acceptedAwaitingQualify(
  db: DbOrTx,
  workspaceId: string,
  rep: string,
  limit: number,
): Promise<OpenHandoffRow[]> {
  return db
    .select(rowColumns)
    .from(handoffs)
    .innerJoin(leads, eq(leads.id, handoffs.leadId))
    .where(
      and(
        eq(handoffs.workspaceId, workspaceId),
        eq(handoffs.repUserId, rep),
        eq(handoffs.status, 'accepted'),
        eq(leads.stage, 'sal'),
      ),
    )
    .orderBy(asc(handoffs.decidedAt), asc(handoffs.id))
    .limit(limit);
}

export interface RecentHandoffRow extends OpenHandoffRow {
  status: 'pending' | 'accepted' | 'rejected';
  startedAt: Date;
  rejectReason: string | null;
  stage: string;
}

/** The latest handoffs to sales, newest first: what marketing sees of its leads on the Home tab. */
export async function recentHandoffs(db: DbOrTx, workspaceId: string, limit: number): Promise<RecentHandoffRow[]> {
  return db
    .select({
      ...rowColumns,
      status: handoffs.status,
      startedAt: handoffs.startedAt,
      rejectReason: handoffs.rejectReason,
      stage: leads.stage,
    })
    .from(handoffs)
    .innerJoin(leads, eq(leads.id, handoffs.leadId))
    .where(eq(handoffs.workspaceId, workspaceId))
    .orderBy(desc(handoffs.startedAt), desc(handoffs.id))
    .limit(limit);
}
