import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { isAnyOf, writeTogether, type Write } from './bulk.js';
import { repStatus, roundRobin } from '../schema.js';

/**
 * Locks and reads teams' round-robin counters for the rest of the transaction, so replicas
 * assigning at once take turns instead of handing two leads the same "next" rep. Rows are locked
 * in one fixed order (team, rep), so two transactions never wait on each other.
 */
export async function lockRoundRobin(db: DbOrTx, workspaceId: string, teams: readonly { teamId: string; reps: readonly string[] }[]): Promise<Record<string, Record<string, number>>> {
  const read = () =>
    db
      .select({ team: roundRobin.teamId, rep: roundRobin.repUserId, assigned: roundRobin.assigned })
      .from(roundRobin)
      .where(and(eq(roundRobin.workspaceId, workspaceId), isAnyOf(roundRobin.teamId, teams.map((t) => t.teamId))))
      .orderBy(roundRobin.teamId, roundRobin.repUserId)
      .for('update');
  let rows = await read();
  const expected = teams.flatMap((t) => t.reps.map((repUserId) => ({ workspaceId, teamId: t.teamId, repUserId })));
  // Counters are created the first time a rep is seen; after that one statement locks and reads them.
  if (expected.some((e) => !rows.some((r) => r.team === e.teamId && r.rep === e.repUserId))) {
    await db.insert(roundRobin).values(expected).onConflictDoNothing();
    rows = await read();
  }
  const state: Record<string, Record<string, number>> = Object.fromEntries(teams.map((t) => [t.teamId, {}]));
  for (const r of rows) state[r.team]![r.rep] = r.assigned;
  return state;
}

type Counters = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** Writes back the counters that changed, in one statement. */
export async function saveRoundRobin(db: DbOrTx, workspaceId: string, state: Counters, previous: Counters): Promise<void> {
  await writeTogether(db, [roundRobinUpdate(workspaceId, state, previous)]);
}

export function roundRobinUpdate(workspaceId: string, state: Counters, previous: Counters): Write | undefined {
  const changed = Object.entries(state).flatMap(([team, reps]) => Object.entries(reps).filter(([rep, n]) => previous[team]?.[rep] !== n).map(([rep, n]) => ({ team, rep, n })));
  if (changed.length === 0) return undefined;
  return sql`update ${roundRobin} set assigned = v.n from jsonb_to_recordset(${JSON.stringify(changed)}::jsonb) as v(team text, rep text, n int) where ${roundRobin.workspaceId} = ${workspaceId} and ${roundRobin.teamId} = v.team and ${roundRobin.repUserId} = v.rep`;
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
        among ? isAnyOf(repStatus.userId, among) : sql`true`,
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
