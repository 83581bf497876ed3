import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type DbOrTx } from '../client.js';

/*
 * The queries behind the reports: counts and plain rows, computed where the indexes are
 * (every one filters on workspace and a time column that leads an index). Instants go in as
 * ISO text and come out as epoch seconds, so both drivers (postgres.js, PGlite) agree.
 */

export interface Span {
  readonly start: Date;
  readonly end: Date;
}

export type GroupKey = 'channel' | 'persona' | 'source' | 'team' | 'rep';

const iso = (d: Date): string => d.toISOString();
const within = (column: SQL, span: Span): SQL =>
  sql`${column} >= ${iso(span.start)}::timestamptz and ${column} < ${iso(span.end)}::timestamptz`;

const KEY: Record<GroupKey, SQL> = {
  channel: sql`l.channel`,
  persona: sql`l.persona`,
  source: sql`l.source`,
  team: sql`h.team_id`,
  rep: sql`h.rep_user_id`,
};

export interface FlowRow {
  sql: number;
  opportunity: number;
  customer: number;
  lost: number;
  customersFromMarketing: number;
}

/** Distinct leads entering each later stage in the span (a recycled lead may enter twice). */
export async function stageEntries(db: DbOrTx, ws: string, span: Span): Promise<FlowRow> {
  const rows = rowsOf<{ stage: string; n: number; marketing: number }>(
    await db.execute(sql`
      select to_stage as stage, count(*)::int as n,
        count(*) filter (where to_stage = 'customer' and exists (select 1 from leads l where l.id = d.lead_id and l.origin = 'marketing'))::int as marketing
      from (
        select distinct to_stage, lead_id from events
        where workspace_id = ${ws} and to_stage in ('sql', 'opportunity', 'customer', 'lost') and ${within(sql`at`, span)}
      ) as d
      group by 1`),
  );
  const n = (stage: string): number => rows.find((r) => r.stage === stage)?.n ?? 0;
  return {
    sql: n('sql'),
    opportunity: n('opportunity'),
    customer: n('customer'),
    lost: n('lost'),
    customersFromMarketing: rows.find((r) => r.stage === 'customer')?.marketing ?? 0,
  };
}

export interface CohortRow {
  key: string | null;
  started: number;
  pending: number;
  accepted: number;
  rejected: number;
  reachedSql: number;
  reachedOpportunity: number;
  reachedCustomer: number;
}

/**
 * Handoffs started in the span, as of now, optionally grouped. A handoff "reached sql" (or
 * opportunity, customer) when its lead entered that stage after it started and before the lead's
 * next handoff started: a recycled lead's later SQL belongs to the pass that produced it. Set-based (hash joins over index range
 * scans) rather than a probe per handoff: a quarter holds tens of thousands of handoffs.
 */
export async function cohortCounts(db: DbOrTx, ws: string, span: Span, by: GroupKey | undefined): Promise<CohortRow[]> {
  const key = by === undefined ? sql`null::text` : KEY[by];
  // Joined only when grouping by a lead field: the plain cohort never reads the leads table.
  const withLead =
    by === 'channel' || by === 'persona' || by === 'source' ? sql`join leads l on l.id = h.lead_id` : sql``;
  const from = iso(span.start);
  return rowsOf<CohortRow>(
    await db.execute(sql`
      with h as (
        select lead_id, seq, status, started_at, team_id, rep_user_id from handoffs
        where workspace_id = ${ws} and ${within(sql`started_at`, span)}
      ), later as materialized (
        select lead_id, seq, started_at from handoffs where workspace_id = ${ws} and started_at >= ${from}::timestamptz and seq > 1
      ), stages as materialized (
        select lead_id, to_stage, at from events where workspace_id = ${ws} and to_stage in ('sql', 'opportunity', 'customer') and at >= ${from}::timestamptz
      ), reached as (
        select h.lead_id, h.seq, bool_or(s.to_stage = 'sql') as sql, bool_or(s.to_stage = 'opportunity') as opportunity, bool_or(s.to_stage = 'customer') as customer from h
        join stages s on s.lead_id = h.lead_id and s.at >= h.started_at
        left join later nx on nx.lead_id = h.lead_id and nx.seq = h.seq + 1
        where h.status = 'accepted' and (nx.started_at is null or s.at < nx.started_at)
        group by 1, 2
      )
      select ${key} as key,
        count(*)::int as started,
        count(*) filter (where h.status = 'pending')::int as pending,
        count(*) filter (where h.status = 'accepted')::int as accepted,
        count(*) filter (where h.status = 'rejected')::int as rejected,
        count(*) filter (where r.sql)::int as "reachedSql",
        count(*) filter (where r.opportunity)::int as "reachedOpportunity",
        count(*) filter (where r.customer)::int as "reachedCustomer"
      from h ${withLead}
      left join reached r on r.lead_id = h.lead_id and r.seq = h.seq
      group by 1`),
  );
}

/** Leads created in the span, and how many are customers now (customer is a final stage). */
export async function leadCohort(db: DbOrTx, ws: string, span: Span): Promise<{ created: number; customers: number }> {
  const [row] = rowsOf<{ created: number; customers: number }>(
    await db.execute(
      sql`select count(*)::int as created, count(*) filter (where stage = 'customer')::int as customers from leads where workspace_id = ${ws} and ${within(sql`created_at`, span)}`,
    ),
  );
  return row!;
}

/** Decisions made in the span by outcome and rejection reason. */
export async function decisionCounts(
  db: DbOrTx,
  ws: string,
  span: Span,
): Promise<{ status: 'accepted' | 'rejected'; reason: string | null; count: number }[]> {
  return rowsOf<{ status: 'accepted' | 'rejected'; reason: string | null; count: number }>(
    await db.execute(
      sql`select status, reject_reason as reason, count(*)::int as count from handoffs where workspace_id = ${ws} and status <> 'pending' and ${within(sql`decided_at`, span)} group by 1, 2`,
    ),
  );
}

export interface DecisionBatch {
  team: string;
  rep: string;
  slaClock: 'business' | 'wall';
  slaTargetMinutes: number;
  /** Epoch milliseconds, pairwise. */
  assigned: number[];
  decided: number[];
}

const ms = (s: number | string): number => Math.round(Number(s) * 1000);
type BatchRow = Omit<DecisionBatch, 'assigned' | 'decided'> & {
  assigned: (number | string)[];
  decided: (number | string)[];
};
const batches = (rows: BatchRow[]): DecisionBatch[] =>
  rows.map((r) => ({ ...r, assigned: r.assigned.map(ms), decided: r.decided.map(ms) }));

/**
 * Decisions made in the span, batched by team, rep and SLA target: few rows however many
 * decisions. Timed from the handoff's first assignment (`handoff`), or from the deciding rep's
 * own assignment (`holder`), which a reassignment restarts.
 */
export async function decisionsIn(
  db: DbOrTx,
  ws: string,
  span: Span,
  from: 'handoff' | 'holder' = 'handoff',
): Promise<DecisionBatch[]> {
  const assigned = from === 'handoff' ? sql`first_assigned_at` : sql`assigned_at`;
  return batches(
    rowsOf<BatchRow>(
      await db.execute(sql`
        select team_id as team, rep_user_id as rep, sla_clock as "slaClock", sla_target_minutes as "slaTargetMinutes",
          array_agg(extract(epoch from ${assigned})::float8) as assigned, array_agg(extract(epoch from decided_at)::float8) as decided
        from handoffs where workspace_id = ${ws} and status <> 'pending' and ${within(sql`decided_at`, span)}
        group by 1, 2, 3, 4`),
    ),
  );
}

/**
 * Holdings that ended in the span because the rep breached the SLA and the handoff was taken
 * from them, batched like decisions: from that rep's assignment (the handoff's previous
 * assignment or reassignment event) to the reassignment.
 */
export async function breachTakesIn(db: DbOrTx, ws: string, span: Span): Promise<DecisionBatch[]> {
  return batches(
    rowsOf<BatchRow>(
      await db.execute(sql`
        select h.team_id as team, e.data->>'from' as rep, h.sla_clock as "slaClock", h.sla_target_minutes as "slaTargetMinutes",
          array_agg(extract(epoch from coalesce(
            (select max(p.at) from events p where p.handoff_id = e.handoff_id and p.type in ('assigned', 'reassigned') and p.at < e.at),
            h.first_assigned_at))::float8) as assigned,
          array_agg(extract(epoch from e.at)::float8) as decided
        from events e join handoffs h on h.id = e.handoff_id
        where e.workspace_id = ${ws} and e.type = 'reassigned' and e.reason = 'breach' and ${within(sql`e.at`, span)}
        group by 1, 2, 3, 4`),
    ),
  );
}

/** Undecided handoffs past their due time at `now`, per team and rep. */
export async function overdueAt(
  db: DbOrTx,
  ws: string,
  now: Date,
): Promise<{ team: string; rep: string; count: number }[]> {
  return rowsOf<{ team: string; rep: string; count: number }>(
    await db.execute(
      sql`select team_id as team, rep_user_id as rep, count(*)::int as count from handoffs where workspace_id = ${ws} and status = 'pending' and due_at < ${iso(now)}::timestamptz group by 1, 2`,
    ),
  );
}

export async function handoffsStarted(db: DbOrTx, ws: string, span: Span): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await db.execute(
      sql`select count(*)::int as n from handoffs where workspace_id = ${ws} and ${within(sql`started_at`, span)}`,
    ),
  );
  return row!.n;
}
