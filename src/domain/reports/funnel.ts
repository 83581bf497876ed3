import { comparedCount, comparedRate, ratio, type Compared } from './stats.js';

/*
 * The funnel (docs/reports.md) from the aggregates the data layer counts out of the event history.
 * Flow counts say what happened in the period; the cohort says what became, as of now, of the
 * handoffs started in it. A lead recycled and re-qualified has one handoff per pass, and its
 * SQL is credited to the handoff it followed, not to an earlier pass it was rejected on.
 * Beside a step stands its cohort conversion (of the handoffs started in the period, the share
 * that reached the step by now), never a ratio of two flow counts, which exceeds 100 % whenever
 * a step's entries come from leads handed over in an earlier period.
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
  /** The same for `opportunity` and `customer`. */
  readonly reachedOpportunity: number;
  readonly reachedCustomer: number;
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
  /** Of the handoffs started in the period, the share that reached this step by now; none for leads and MQLs. */
  readonly conversion: Compared | undefined;
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
  readonly cohort: { readonly [K in keyof CohortCounts]: Compared };
  readonly acceptanceRate: Compared;
  readonly mqlToSql: Compared;
  readonly leadToCustomer: Compared;
  readonly marketingSourcedShare: Compared;
  readonly rejectionReasons: readonly {
    readonly reason: string;
    readonly label: string;
    readonly count: number;
    readonly share: number | undefined;
  }[];
  readonly breakdown: readonly BreakdownRow[] | undefined;
}

export const acceptanceRate = (c: Pick<CohortCounts, 'accepted' | 'rejected'>): number | undefined =>
  ratio(c.accepted, c.accepted + c.rejected);
export const mqlToSqlRate = (c: Pick<CohortCounts, 'reachedSql' | 'started'>): number | undefined =>
  ratio(c.reachedSql, c.started);

const NONE = '(none)';

const COHORT_KEYS = [
  'started',
  'pending',
  'accepted',
  'rejected',
  'reachedSql',
  'reachedOpportunity',
  'reachedCustomer',
] as const satisfies readonly (keyof CohortCounts)[];

/** The cohort count behind each step's conversion. */
const STEP_COHORT: Record<FunnelStep['stage'], keyof CohortCounts | undefined> = {
  leads: undefined,
  mqls: undefined,
  accepted: 'accepted',
  sqls: 'reachedSql',
  opportunities: 'reachedOpportunity',
  customers: 'reachedCustomer',
};

export function funnelFigures(
  cur: FunnelInputs,
  prev: FunnelInputs,
  reasonLabel: (id: string) => string,
): FunnelFigures {
  const counts = (f: FlowCounts): number[] => [
    f.leadsCreated,
    f.handoffsStarted,
    f.accepted,
    f.sql,
    f.opportunity,
    f.customer,
  ];
  const now = counts(cur.flow);
  const before = counts(prev.flow);
  const stages: FunnelStep['stage'][] = ['leads', 'mqls', 'accepted', 'sqls', 'opportunities', 'customers'];
  const share = (c: CohortCounts, k: keyof CohortCounts): number | undefined => ratio(c[k], c.started);
  const steps = stages.map((stage, i) => {
    const k = STEP_COHORT[stage];
    return {
      stage,
      count: comparedCount(now[i], before[i]),
      conversion: k === undefined ? undefined : comparedRate(share(cur.cohort, k), share(prev.cohort, k)),
    };
  });
  const totalRejected = cur.rejections.reduce((s, r) => s + r.count, 0);
  return {
    steps,
    rejectedInPeriod: comparedCount(cur.flow.rejected, prev.flow.rejected),
    lostInPeriod: comparedCount(cur.flow.lost, prev.flow.lost),
    cohort: Object.fromEntries(
      COHORT_KEYS.map((k) => [k, comparedCount(cur.cohort[k], prev.cohort[k])]),
    ) as FunnelFigures['cohort'],
    acceptanceRate: comparedRate(acceptanceRate(cur.cohort), acceptanceRate(prev.cohort)),
    mqlToSql: comparedRate(mqlToSqlRate(cur.cohort), mqlToSqlRate(prev.cohort)),
    leadToCustomer: comparedRate(
      ratio(cur.leadCohort.customers, cur.leadCohort.created),
      ratio(prev.leadCohort.customers, prev.leadCohort.created),
    ),
    marketingSourcedShare: comparedRate(
      ratio(cur.flow.customersFromMarketing, cur.flow.customer),
      ratio(prev.flow.customersFromMarketing, prev.flow.customer),
    ),
    rejectionReasons: [...cur.rejections]
      .sort((a, b) => b.count - a.count || (a.reason ?? '').localeCompare(b.reason ?? ''))
      .map((r) => ({
        reason: r.reason ?? NONE,
        label: r.reason === null ? 'No reason given' : reasonLabel(r.reason),
        count: r.count,
        share: ratio(r.count, totalRejected),
      })),
    breakdown: cur.groups
      ?.map((g) => ({
        key: g.key ?? NONE,
        handoffs: g.started,
        accepted: g.accepted,
        rejected: g.rejected,
        pending: g.pending,
        acceptanceRate: acceptanceRate(g),
        mqlToSql: mqlToSqlRate(g),
      }))
      .sort((a, b) => b.handoffs - a.handoffs || a.key.localeCompare(b.key)),
  };
}
