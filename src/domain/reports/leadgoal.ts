/*
 * The reverse funnel (docs/reports.md): from a revenue goal back to the leads it needs. Every step
 * rounds up, since half a deal closes nothing: deals = ⌈revenue / deal⌉, SQLs = ⌈deals / close⌉,
 * MQLs = ⌈SQLs / MQL→SQL⌉, then leads from the lead→MQL rate and visits from visit→lead.
 */

export interface LeadGoalInput {
  readonly revenue: number;
  readonly deal: number;
  /** Rates as fractions, 0 < r ≤ 1. */
  readonly close: number;
  readonly sql: number;
  readonly mql?: number | undefined;
  readonly visit?: number | undefined;
  readonly months: number;
}

export interface LeadGoalStep {
  readonly stage: 'deals' | 'sqls' | 'mqls' | 'leads' | 'visits';
  readonly total: number;
  readonly perMonth: number;
  readonly perBusinessDay: number;
}

/** Ceil that forgives float noise: 800 / 0.2 is 4000.0000000000005 in binary. */
const up = (x: number): number => Math.ceil(Math.round(x * 1e6) / 1e6);

export function reverseFunnel(input: LeadGoalInput, businessDaysPerMonth: number): LeadGoalStep[] {
  const deals = up(input.revenue / input.deal);
  const sqls = up(deals / input.close);
  const mqls = up(sqls / input.sql);
  const totals: [LeadGoalStep['stage'], number][] = [
    ['deals', deals],
    ['sqls', sqls],
    ['mqls', mqls],
  ];
  const leads = input.mql !== undefined ? up(mqls / input.mql) : undefined;
  if (leads !== undefined) totals.push(['leads', leads]);
  if (input.visit !== undefined) totals.push(['visits', up((leads ?? mqls) / input.visit)]);
  return totals.map(([stage, total]) => ({
    stage,
    total,
    perMonth: up(total / input.months),
    perBusinessDay: up(total / input.months / businessDaysPerMonth),
  }));
}
