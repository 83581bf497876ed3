import { and, asc, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { handoffs, leads } from '../schema.js';

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
}

/**
 * Undecided handoffs of some reps or teams, soonest due first (so overdue ones lead), at most
 * `limit` of them, and how many there are in all: a Home shows the first and counts the rest.
 */
export async function openHandoffs(db: DbOrTx, workspaceId: string, of: { reps?: readonly string[]; teams?: readonly string[] }, limit: number): Promise<{ rows: OpenHandoffRow[]; total: number }> {
  const who = or(of.reps && of.reps.length > 0 ? inArray(handoffs.repUserId, [...of.reps]) : undefined, of.teams && of.teams.length > 0 ? inArray(handoffs.teamId, [...of.teams]) : undefined);
  if (who === undefined) return { rows: [], total: 0 };
  const where = and(eq(handoffs.workspaceId, workspaceId), eq(handoffs.status, 'pending'), who);
  const rows = await db
    .select({ handoffId: handoffs.id, teamId: handoffs.teamId, repUserId: handoffs.repUserId, dueAt: handoffs.dueAt, firstName: leads.firstName, lastName: leads.lastName, email: leads.email, company: leads.company, score: leads.score })
    .from(handoffs)
    .innerJoin(leads, eq(leads.id, handoffs.leadId))
    .where(where)
    .orderBy(asc(handoffs.dueAt), asc(handoffs.id))
    .limit(limit);
  const total = rows.length < limit ? rows.length : ((await db.select({ n: sql<number>`count(*)::int` }).from(handoffs).where(where))[0]?.n ?? rows.length);
  return { rows, total };
}

/** A rep's accepted handoffs whose lead still waits to be qualified (stage `sal`), oldest decision first. */
export async function acceptedAwaitingQualify(db: DbOrTx, workspaceId: string, rep: string, limit: number): Promise<OpenHandoffRow[]> {
  return db
    .select({ handoffId: handoffs.id, teamId: handoffs.teamId, repUserId: handoffs.repUserId, dueAt: handoffs.dueAt, firstName: leads.firstName, lastName: leads.lastName, email: leads.email, company: leads.company, score: leads.score })
    .from(handoffs)
    .innerJoin(leads, eq(leads.id, handoffs.leadId))
    .where(and(eq(handoffs.workspaceId, workspaceId), eq(handoffs.repUserId, rep), eq(handoffs.status, 'accepted'), eq(leads.stage, 'sal')))
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
    .select({ handoffId: handoffs.id, teamId: handoffs.teamId, repUserId: handoffs.repUserId, dueAt: handoffs.dueAt, firstName: leads.firstName, lastName: leads.lastName, email: leads.email, company: leads.company, score: leads.score, status: handoffs.status, startedAt: handoffs.startedAt, rejectReason: handoffs.rejectReason, stage: leads.stage })
    .from(handoffs)
    .innerJoin(leads, eq(leads.id, handoffs.leadId))
    .where(eq(handoffs.workspaceId, workspaceId))
    .orderBy(desc(handoffs.startedAt), desc(handoffs.id))
    .limit(limit);
}
