import { and, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { AccountClaim, RepTally } from '../../domain/routing.js';
import { rowsOf, type DbOrTx } from '../client.js';
import { isAnyOf, writeTogether, type Write } from './bulk.js';
import { accounts, handoffs, leads, repStatus, roundRobin } from '../schema.js';

type CounterKeys = readonly { teamId: string; reps: readonly string[] }[];

const selectCounters = (db: DbOrTx, workspaceId: string, teams: CounterKeys) =>
  db
    .select({
      team: roundRobin.teamId,
      rep: roundRobin.repUserId,
      assigned: roundRobin.assigned,
      entitled: roundRobin.entitled,
    })
    .from(roundRobin)
    .where(
      and(
        eq(roundRobin.workspaceId, workspaceId),
        isAnyOf(
          roundRobin.teamId,
          teams.map((t) => t.teamId),
        ),
      ),
    )
    .orderBy(roundRobin.teamId, roundRobin.repUserId);

function toCounters(
  teams: CounterKeys,
  rows: readonly { team: string; rep: string; assigned: number; entitled: number }[],
): Record<string, Record<string, RepTally>> {
  const counters: Record<string, Record<string, RepTally>> = Object.fromEntries(teams.map((t) => [t.teamId, {}]));
  for (const r of rows) counters[r.team]![r.rep] = { assigned: r.assigned, entitled: r.entitled };
  return counters;
}

/** Teams' round-robin counters as they stand, unlocked (a dry run changes nothing); a rep never counted has none. */
export async function readRoundRobin(
  db: DbOrTx,
  workspaceId: string,
  teams: CounterKeys,
): Promise<Record<string, Record<string, RepTally>>> {
  return toCounters(teams, await selectCounters(db, workspaceId, teams));
}

/**
 * Locks and reads teams' round-robin counters for the rest of the transaction, so replicas
 * assigning at once take turns instead of handing two leads the same "next" rep. Rows are locked
 * in one fixed order (team, rep), so two transactions never wait on each other. `created`: some
 * counters did not exist yet and were locked only in a second round trip.
 */
export async function lockRoundRobin(
  db: DbOrTx,
  workspaceId: string,
  teams: CounterKeys,
): Promise<{ counters: Record<string, Record<string, RepTally>>; created: boolean }> {
  const read = () => selectCounters(db, workspaceId, teams).for('update');
  let rows = await read();
  const expected = teams.flatMap((t) => t.reps.map((repUserId) => ({ workspaceId, teamId: t.teamId, repUserId })));
  // Counters are created the first time a rep is seen; after that one statement locks and reads them.
  const created = expected.some((e) => !rows.some((r) => r.team === e.teamId && r.rep === e.repUserId));
  if (created) {
    await db.insert(roundRobin).values(expected).onConflictDoNothing();
    rows = await read();
  }
  return { counters: toCounters(teams, rows), created };
}

type Counters = Readonly<Record<string, Readonly<Record<string, RepTally>>>>;

/** Writes back the counters that changed, in one statement. */
export async function saveRoundRobin(
  db: DbOrTx,
  workspaceId: string,
  state: Counters,
  previous: Counters,
): Promise<void> {
  await writeTogether(db, [roundRobinUpdate(workspaceId, state, previous)]);
}

export function roundRobinUpdate(workspaceId: string, state: Counters, previous: Counters): Write | undefined {
  const changed = Object.entries(state).flatMap(([team, reps]) =>
    Object.entries(reps)
      .filter(
        ([rep, t]) => previous[team]?.[rep]?.assigned !== t.assigned || previous[team]?.[rep]?.entitled !== t.entitled,
      )
      .map(([rep, t]) => ({ team, rep, n: t.assigned, e: t.entitled })),
  );
  if (changed.length === 0) return undefined;
  return sql`update ${roundRobin} set assigned = v.n, entitled = v.e from jsonb_to_recordset(${JSON.stringify(changed)}::jsonb) as v(team text, rep text, n int, e float8) where ${roundRobin.workspaceId} = ${workspaceId} and ${roundRobin.teamId} = v.team and ${roundRobin.repUserId} = v.rep`;
}

/** Reps away at `now`: their away period has started (or has no start) and has not ended. */
export async function awayUsers(
  db: DbOrTx,
  workspaceId: string,
  now: Date,
  among?: readonly string[],
): Promise<Set<string>> {
  const rows = await db
    .select({ user: repStatus.userId })
    .from(repStatus)
    .where(
      and(
        eq(repStatus.workspaceId, workspaceId),
        eq(repStatus.away, true),
        or(isNull(repStatus.awayFrom), lte(repStatus.awayFrom, now)),
        or(isNull(repStatus.awayUntil), gt(repStatus.awayUntil, now)),
        among ? isAnyOf(repStatus.userId, among) : sql`true`,
      ),
    );
  return new Set(rows.map((r) => r.user));
}

export async function setAway(
  db: DbOrTx,
  row: {
    workspaceId: string;
    userId: string;
    away: boolean;
    awayFrom?: Date | null;
    awayUntil: Date | null;
    setBy: string;
  },
): Promise<void> {
  const values = { ...row, awayFrom: row.awayFrom ?? null };
  await db
    .insert(repStatus)
    .values(values)
    .onConflictDoUpdate({
      target: [repStatus.workspaceId, repStatus.userId],
      set: {
        away: values.away,
        awayFrom: values.awayFrom,
        awayUntil: values.awayUntil,
        setBy: values.setBy,
        setAt: sql`now()`,
      },
    });
}

/** A rep's away period that has not ended yet (now or planned), if any. */
export async function currentOrNextAway(
  db: DbOrTx,
  workspaceId: string,
  userId: string,
  now: Date,
): Promise<{ from: Date | null; until: Date | null } | undefined> {
  const rows = await db
    .select({ from: repStatus.awayFrom, until: repStatus.awayUntil })
    .from(repStatus)
    .where(
      and(
        eq(repStatus.workspaceId, workspaceId),
        eq(repStatus.userId, userId),
        eq(repStatus.away, true),
        or(isNull(repStatus.awayUntil), gt(repStatus.awayUntil, now)),
      ),
    )
    .limit(1);
  return rows[0];
}

/** Reps whose away period has started and who still hold undecided leads: their leads are to move on. */
export async function awayRepsHoldingLeads(db: DbOrTx, workspaceId: string, now: Date): Promise<string[]> {
  const rows = await db
    .selectDistinct({ user: handoffs.repUserId })
    .from(handoffs)
    .innerJoin(
      repStatus,
      and(eq(repStatus.workspaceId, handoffs.workspaceId), eq(repStatus.userId, handoffs.repUserId)),
    )
    .where(
      and(
        eq(handoffs.workspaceId, workspaceId),
        eq(handoffs.status, 'pending'),
        eq(repStatus.away, true),
        lte(repStatus.awayFrom, now),
        or(isNull(repStatus.awayUntil), gt(repStatus.awayUntil, now)),
      ),
    );
  return rows.map((r) => r.user);
}

/**
 * Open (undecided) handoffs of reps with a cap, each counted no further than their cap: that is
 * all routing needs to know, and it keeps the count cheap however long a queue grows. Read after
 * the routing lock, so a batch committed just before is counted.
 */
export async function openCounts(
  db: DbOrTx,
  workspaceId: string,
  capped: readonly { user: string; cap: number }[],
): Promise<Record<string, number>> {
  if (capped.length === 0) return {};
  const result = await db.execute(sql`
    select c.rep, (select count(*)::int from (select 1 from ${handoffs} where workspace_id = ${workspaceId} and status = 'pending' and rep_user_id = c.rep limit c.cap) as o) as n
      from jsonb_to_recordset(${JSON.stringify(capped.map((c) => ({ rep: c.user, cap: c.cap })))}::jsonb) as c(rep text, cap int)`);
  return Object.fromEntries(rowsOf<{ rep: string; n: number }>(result).map((r) => [r.rep, r.n]));
}

/** Company domain → the rep who last accepted one of its leads, for these domains. */
export async function accountOwners(
  db: DbOrTx,
  workspaceId: string,
  domains: readonly string[],
): Promise<Map<string, string>> {
  if (domains.length === 0) return new Map();
  const rows = await db
    .select({ domain: accounts.domain, owner: accounts.ownerUserId })
    .from(accounts)
    .where(and(eq(accounts.workspaceId, workspaceId), isAnyOf(accounts.domain, [...new Set(domains)])));
  return new Map(rows.map((r) => [r.domain, r.owner]));
}

/** The lead's company (when it has a domain) is now owned by `owner`: the rep who accepted it. */
export async function claimAccount(
  db: DbOrTx,
  workspaceId: string,
  leadId: string,
  owner: string,
  teamId: string,
  at: Date,
): Promise<void> {
  await db.execute(sql`
    insert into ${accounts} (workspace_id, domain, owner_user_id, team_id, lead_id, since)
    select ${workspaceId}, ${leads.accountDomain}, ${owner}, ${teamId}, ${leads.id}, ${at.toISOString()}::timestamptz from ${leads} where ${leads.id} = ${leadId} and ${leads.accountDomain} is not null
    on conflict (workspace_id, domain) do update set owner_user_id = excluded.owner_user_id, team_id = excluded.team_id, lead_id = excluded.lead_id, since = excluded.since`);
}

/** Imported accepts claim their companies, unless a later accept (live or imported) already did. */
export async function claimAccounts(db: DbOrTx, workspaceId: string, claims: readonly AccountClaim[]): Promise<void> {
  if (claims.length === 0) return;
  await db
    .insert(accounts)
    .values(claims.map((c) => ({ workspaceId, ...c })))
    .onConflictDoUpdate({
      target: [accounts.workspaceId, accounts.domain],
      set: {
        ownerUserId: sql`excluded.owner_user_id`,
        teamId: sql`excluded.team_id`,
        leadId: sql`excluded.lead_id`,
        since: sql`excluded.since`,
      },
      setWhere: sql`${accounts.since} < excluded.since`,
    });
}
