import { compared, ratio, type Compared } from './stats.js';

/*
 * The funnel (docs/reports.md) from the aggregates the data layer counts out of the event history.
 * Flow counts say what happened in the period; the cohort says what became, as of now, of the
 * handoffs started in it. A lead recycled and re-qualified has one handoff per pass, and its
 * SQL is credited to the handoff it followed, not to an earlier pass it was rejected on.
 */

export const DIMENSIONS = ['channel', 'persona', 'source', 'team', 'rep'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface FlowCounts {
  readonly leadsCreated: number;
  readonly handoffsStarted: number;
  readonly accepted: number;
  readonly rejected: number;
  /** Distinct leads entering each stage in the period. */
  readonly sql: number;
  readonly opportunity: number;
  readonly customer: number;
  readonly lost: number;
  /** Of `customer`, leads whose origin is marketing. */
  readonly customersFromMarketing: number;
}

export interface CohortCounts {
  readonly started: number;
  readonly pending: number;
  readonly accepted: number;
  readonly rejected: number;
  /** Handoffs whose lead reached `sql` after the handoff started (and before its next one). */
  readonly reachedSql: number;
}

export interface FunnelInputs {
  readonly flow: FlowCounts;
  readonly cohort: CohortCounts;
  /** Leads created in the period, and how many of them are customers now. */
  readonly leadCohort: { readonly created: number; readonly customers: number };
  /** Handoffs rejected in the period, by reason id (null: none given). */
  readonly rejections: readonly { readonly reason: string | null; readonly count: number }[];
  readonly groups?: readonly (CohortCounts & { readonly key: string | null })[] | undefined;
}

export interface FunnelStep {
  readonly stage: 'leads' | 'mqls' | 'accepted' | 'sqls' | 'opportunities' | 'customers';
  readonly count: Compared;
  /** This step's count over the previous step's, in the same period. */
  readonly conversion: number | undefined;
}

export interface BreakdownRow {
  readonly key: string;
  readonly handoffs: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly pending: number;
  readonly acceptanceRate: number | undefined;
  readonly mqlToSql: number | undefined;
}

export interface FunnelFigures {
  readonly steps: readonly FunnelStep[];
  readonly rejectedInPeriod: Compared;
  readonly lostInPeriod: Compared;
  readonly cohort: CohortCounts;
  readonly acceptanceRate: Compared;
  readonly mqlToSql: Compared;
  readonly leadToCustomer: Compared;
  readonly marketingSourcedShare: Compared;
  readonly rejectionReasons: readonly { readonly reason: string; readonly label: string; readonly count: number; readonly share: number | undefined }[];
  readonly breakdown: readonly BreakdownRow[] | undefined;
}

export const acceptanceRate = (c: Pick<CohortCounts, 'accepted' | 'rejected'>): number | undefined => ratio(c.accepted, c.accepted + c.rejected);
export const mqlToSqlRate = (c: Pick<CohortCounts, 'reachedSql' | 'started'>): number | undefined => ratio(c.reachedSql, c.started);

const NONE = '(none)';

export function funnelFigures(cur: FunnelInputs, prev: FunnelInputs, reasonLabel: (id: string) => string): FunnelFigures {
  const counts = (f: FlowCounts): number[] => [f.leadsCreated, f.handoffsStarted, f.accepted, f.sql, f.opportunity, f.customer];
  const now = counts(cur.flow);
  const before = counts(prev.flow);
  const stages: FunnelStep['stage'][] = ['leads', 'mqls', 'accepted', 'sqls', 'opportunities', 'customers'];
  const steps = stages.map((stage, i) => ({ stage, count: compared(now[i], before[i]), conversion: i === 0 ? undefined : ratio(now[i]!, now[i - 1]!) }));
  const totalRejected = cur.rejections.reduce((s, r) => s + r.count, 0);
  return {
    steps,
    rejectedInPeriod: compared(cur.flow.rejected, prev.flow.rejected),
    lostInPeriod: compared(cur.flow.lost, prev.flow.lost),
    cohort: cur.cohort,
    acceptanceRate: compared(acceptanceRate(cur.cohort), acceptanceRate(prev.cohort)),
    mqlToSql: compared(mqlToSqlRate(cur.cohort), mqlToSqlRate(prev.cohort)),
    leadToCustomer: compared(ratio(cur.leadCohort.customers, cur.leadCohort.created), ratio(prev.leadCohort.customers, prev.leadCohort.created)),
    marketingSourcedShare: compared(ratio(cur.flow.customersFromMarketing, cur.flow.customer), ratio(prev.flow.customersFromMarketing, prev.flow.customer)),
    rejectionReasons: [...cur.rejections]
      .sort((a, b) => b.count - a.count || (a.reason ?? '').localeCompare(b.reason ?? ''))
      .map((r) => ({ reason: r.reason ?? NONE, label: r.reason === null ? 'No reason given' : reasonLabel(r.reason), count: r.count, share: ratio(r.count, totalRejected) })),
    breakdown: cur.groups
      ?.map((g) => ({ key: g.key ?? NONE, handoffs: g.started, accepted: g.accepted, rejected: g.rejected, pending: g.pending, acceptanceRate: acceptanceRate(g), mqlToSql: mqlToSqlRate(g) }))
      .sort((a, b) => b.handoffs - a.handoffs || a.key.localeCompare(b.key)),
  };
}
