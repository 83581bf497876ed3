import { and, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { repStatus, roundRobin } from '../schema.js';

/**
 * Locks and reads a team's round-robin counters for the rest of the transaction, so replicas
 * assigning at once take turns instead of handing two leads the same "next" rep.
 */
export async function lockRoundRobin(db: DbOrTx, workspaceId: string, teamId: string, repUserIds: readonly string[]): Promise<Record<string, number>> {
  await db
    .insert(roundRobin)
    .values(repUserIds.map((repUserId) => ({ workspaceId, teamId, repUserId })))
    .onConflictDoNothing();
  const rows = await db
    .select({ rep: roundRobin.repUserId, assigned: roundRobin.assigned })
    .from(roundRobin)
    .where(and(eq(roundRobin.workspaceId, workspaceId), eq(roundRobin.teamId, teamId)))
    .orderBy(roundRobin.repUserId)
    .for('update');
  return Object.fromEntries(rows.map((r) => [r.rep, r.assigned]));
}

export async function saveRoundRobin(db: DbOrTx, workspaceId: string, teamId: string, state: Readonly<Record<string, number>>, previous: Readonly<Record<string, number>>): Promise<void> {
  for (const [rep, assigned] of Object.entries(state)) {
    if (previous[rep] === assigned) continue;
    await db
      .update(roundRobin)
      .set({ assigned })
      .where(and(eq(roundRobin.workspaceId, workspaceId), eq(roundRobin.teamId, teamId), eq(roundRobin.repUserId, rep)));
  }
}

/** Reps away at `now`: away without an end date, or until a later instant. */
export async function awayUsers(db: DbOrTx, workspaceId: string, now: Date, among?: readonly string[]): Promise<Set<string>> {
  const rows = await db
    .select({ user: repStatus.userId })
    .from(repStatus)
    .where(
      and(
        eq(repStatus.workspaceId, workspaceId),
        eq(repStatus.away, true),
        or(isNull(repStatus.awayUntil), gt(repStatus.awayUntil, now)),
        among ? inArray(repStatus.userId, [...among]) : sql`true`,
      ),
    );
  return new Set(rows.map((r) => r.user));
}

export async function setAway(db: DbOrTx, row: { workspaceId: string; userId: string; away: boolean; awayUntil: Date | null; setBy: string }): Promise<void> {
  await db
    .insert(repStatus)
    .values(row)
    .onConflictDoUpdate({ target: [repStatus.workspaceId, repStatus.userId], set: { away: row.away, awayUntil: row.awayUntil, setBy: row.setBy, setAt: sql`now()` } });
}
