import { comparedCount, ratio, type Compared } from './stats.js';

/*
 * Leads per business day and pace against the monthly goal (docs/reports.md, "Pace"). Business days come from
 * the policy's default calendar (weekends and holidays do not count); "elapsed" includes today.
 */

export interface MonthFlow {
  readonly mqls: number;
  readonly businessDays: number;
}

export interface PaceFigures {
  readonly mqls: number;
  readonly businessDaysElapsed: number;
  readonly businessDaysInMonth: number;
  /** This month's MQLs per business day against last month's, in percent. */
  readonly leadsPerBusinessDay: Compared;
  readonly goal: number | undefined;
  /** MQLs the goal expects by today. */
  readonly expectedByNow: number | undefined;
  /** 1 = on pace; undefined without a goal or before the first business day. */
  readonly pace: number | undefined;
}

export function paceFigures(
  current: MonthFlow,
  businessDaysInMonth: number,
  previous: MonthFlow,
  goal: number | undefined,
): PaceFigures {
  const expected =
    goal !== undefined && businessDaysInMonth > 0 ? (goal * current.businessDays) / businessDaysInMonth : undefined;
  return {
    mqls: current.mqls,
    businessDaysElapsed: current.businessDays,
    businessDaysInMonth,
    leadsPerBusinessDay: comparedCount(
      ratio(current.mqls, current.businessDays),
      ratio(previous.mqls, previous.businessDays),
    ),
    goal,
    expectedByNow: expected,
    pace: expected === undefined ? undefined : ratio(current.mqls, expected),
  };
}
