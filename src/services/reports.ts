import type { Policy } from '../config/policy.js';
import { businessDaysInRange } from '../domain/calendar.js';
import {
  funnelFigures,
  type BreakdownRow,
  type CohortCounts,
  type Dimension,
  type FunnelFigures,
  type FunnelInputs,
} from '../domain/reports/funnel.js';
import { reverseFunnel, type LeadGoalInput, type LeadGoalStep } from '../domain/reports/leadgoal.js';
import { paceFigures, type PaceFigures } from '../domain/reports/pace.js';
import { comparedCount, comparedRate, type Compared } from '../domain/reports/stats.js';
import {
  monthsAround,
  nextTwelveMonths,
  resolvePeriod,
  type Period,
  type PeriodPair,
  type PeriodSpec,
} from '../domain/reports/periods.js';
import { businessTimeline, timelineMinutes, type BusinessTimeline } from '../domain/reports/timeline.js';
import {
  velocityFigures,
  velocityGroups,
  type Decision,
  type VelocityFigures,
  type VelocityGroup,
} from '../domain/reports/velocity.js';
import {
  breachTakesIn,
  cohortCounts,
  decisionCounts,
  decisionsIn,
  handoffsStarted,
  leadCohort,
  overdueAt,
  stageEntries,
  type DecisionBatch,
  type Span,
} from '../db/repo/report-queries.js';
import { enqueue } from '../db/repo/outbox.js';
import type { ServiceContext } from './context.js';
import { delivery } from './delivery-catalogue.js';
import { calendarForTeam, groupName, teamById } from '../domain/teams.js';

/*
 * Reports (docs/reports.md) as plain objects: the Slack replies, the HTTP API (JSON and CSV) and the
 * weekly digest all render these same objects, so they cannot disagree.
 */

export type VelocityDimension = 'rep' | 'team';

export interface PeriodInfo {
  readonly spec: string;
  readonly timeZone: string;
  readonly current: Period;
  readonly previous: Period;
}

/** A group with its id (`key`: a channel, a team id, a rep's Slack id) and what people call it. */
export type Named<T> = T & { readonly name: string };

export interface FunnelReport extends Omit<FunnelFigures, 'breakdown'> {
  readonly report: 'funnel';
  readonly period: PeriodInfo;
  readonly by: Dimension | undefined;
  readonly breakdown: readonly Named<BreakdownRow>[] | undefined;
}

export interface VelocityReport {
  readonly report: 'velocity';
  readonly period: PeriodInfo;
  readonly by: VelocityDimension | undefined;
  readonly overall: VelocityFigures & { readonly overdueNow: number };
  readonly previous: VelocityFigures;
  /** Each overall figure against the previous period's: counts and hours in percent, compliance in points. */
  readonly changes: VelocityChanges;
  readonly groups: readonly Named<VelocityGroup>[] | undefined;
  /** The five reps with the slowest median decision in business hours. */
  readonly slowestReps: readonly Named<VelocityGroup>[];
}

export type VelocityChanges = {
  readonly [
    K in 'decisions' | 'medianBusinessHours' | 'p90BusinessHours' | 'medianWallHours' | 'p90WallHours' | 'slaCompliance'
  ]: Compared;
};

export function velocityChanges(cur: VelocityFigures, prev: VelocityFigures): VelocityChanges {
  const count = (k: keyof VelocityChanges & keyof VelocityFigures): Compared => comparedCount(cur[k], prev[k]);
  return {
    decisions: count('decisions'),
    medianBusinessHours: count('medianBusinessHours'),
    p90BusinessHours: count('p90BusinessHours'),
    medianWallHours: count('medianWallHours'),
    p90WallHours: count('p90WallHours'),
    slaCompliance: comparedRate(cur.slaCompliance, prev.slaCompliance),
  };
}

export interface PaceReport extends PaceFigures {
  readonly report: 'pace';
  /** This month to date against the whole previous month. */
  readonly period: PeriodInfo;
  readonly month: string;
}

export interface LeadGoalReport {
  readonly input: LeadGoalInput;
  readonly businessDaysPerMonth: number;
  readonly steps: readonly LeadGoalStep[];
}

const periodInfo = (pair: PeriodPair, timeZone: string): PeriodInfo => ({
  spec: pair.spec,
  timeZone,
  current: pair.current,
  previous: pair.previous,
});

async function funnelInputs(ctx: ServiceContext, span: Span, by: Dimension | undefined): Promise<FunnelInputs> {
  const ws = ctx.workspaceId;
  const [stages, groups, lc, decisions] = await Promise.all([
    stageEntries(ctx.db, ws, span),
    cohortCounts(ctx.db, ws, span, by),
    leadCohort(ctx.db, ws, span),
    decisionCounts(ctx.db, ws, span),
  ]);
  // The whole cohort is the sum of its groups: one query either way.
  const sum = (k: keyof CohortCounts): number => groups.reduce((s, g) => s + g[k], 0);
  const cohort: CohortCounts = {
    started: sum('started'),
    pending: sum('pending'),
    accepted: sum('accepted'),
    rejected: sum('rejected'),
    reachedSql: sum('reachedSql'),
    reachedOpportunity: sum('reachedOpportunity'),
    reachedCustomer: sum('reachedCustomer'),
  };
  const decided = (status: 'accepted' | 'rejected'): number =>
    decisions.filter((d) => d.status === status).reduce((s, d) => s + d.count, 0);
  const rejections = decisions.filter((d) => d.status === 'rejected').map(({ reason, count }) => ({ reason, count }));
  return {
    flow: {
      ...stages,
      leadsCreated: lc.created,
      handoffsStarted: cohort.started,
      accepted: decided('accepted'),
      rejected: decided('rejected'),
    },
    cohort,
    leadCohort: lc,
    rejections,
    groups: by === undefined ? undefined : groups,
  };
}

export async function funnelReport(ctx: ServiceContext, spec: PeriodSpec, by?: Dimension): Promise<FunnelReport> {
  const zone = ctx.policy.reportingTimeZone;
  const pair = resolvePeriod(spec, ctx.now(), zone);
  const [cur, prev] = await Promise.all([
    funnelInputs(ctx, pair.current, by),
    funnelInputs(ctx, pair.previous, undefined),
  ]);
  const label = (id: string): string => ctx.policy.rejectionReasons.find((r) => r.id === id)?.label ?? id;
  const figures = funnelFigures(cur, prev, label);
  const breakdown = figures.breakdown?.map((row) => ({ ...row, name: groupName(ctx.policy, by, row.key) }));
  return { report: 'funnel', period: periodInfo(pair, zone), by, ...figures, breakdown };
}

export interface Measured extends Decision {
  readonly team: string;
  readonly rep: string;
}

/** Measures each decision on its team's calendar; one timeline per calendar covers every batch. */
export function measure(policy: Policy, batches: readonly DecisionBatch[], taken = false): Measured[] {
  let earliest = Infinity;
  let latest = -Infinity;
  for (const b of batches) {
    for (const a of b.assigned) earliest = Math.min(earliest, a);
    for (const d of b.decided) latest = Math.max(latest, d);
  }
  if (earliest > latest) return [];
  const timelines = new Map<string, BusinessTimeline>();
  const timelineFor = (teamId: string): BusinessTimeline => {
    const team = teamById(policy, teamId);
    const key = team?.calendar ?? '';
    let tl = timelines.get(key);
    if (!tl) {
      tl = businessTimeline(
        team ? calendarForTeam(policy, team) : policy.calendar,
        new Date(earliest),
        new Date(latest),
      );
      timelines.set(key, tl);
    }
    return tl;
  };
  const out: Measured[] = [];
  for (const b of batches) {
    const tl = timelineFor(b.team);
    b.assigned.forEach((from, i) => {
      const to = Math.max(from, b.decided[i]!);
      out.push({
        team: b.team,
        rep: b.rep,
        businessMinutes: timelineMinutes(tl, from, to),
        wallMinutes: (to - from) / 60_000,
        slaClock: b.slaClock,
        slaTargetMinutes: b.slaTargetMinutes,
        taken,
      });
    });
  }
  return out;
}

const groupOf =
  (dim: VelocityDimension) =>
  (d: Measured): string =>
    dim === 'team' ? d.team : d.rep;

export async function velocityReport(
  ctx: ServiceContext,
  spec: PeriodSpec,
  by?: VelocityDimension,
): Promise<VelocityReport> {
  const zone = ctx.policy.reportingTimeZone;
  const now = ctx.now();
  const pair = resolvePeriod(spec, now, zone);
  const ws = ctx.workspaceId;
  const [cur, prev, held, taken, overdue] = await Promise.all([
    decisionsIn(ctx.db, ws, pair.current),
    decisionsIn(ctx.db, ws, pair.previous),
    decisionsIn(ctx.db, ws, pair.current, 'holder'),
    breachTakesIn(ctx.db, ws, pair.current),
    overdueAt(ctx.db, ws, now),
  ]);
  const current = measure(ctx.policy, cur);
  const overall = velocityFigures(current);
  const previous = velocityFigures(measure(ctx.policy, prev));
  // By rep, each holding is charged to its holder (docs/reports.md); a team holds the handoff throughout.
  const holdings = [...measure(ctx.policy, held), ...measure(ctx.policy, taken, true)];
  const overdueBy = (dim: VelocityDimension): Map<string, number> => {
    const m = new Map<string, number>();
    for (const o of overdue) m.set(o[dim], (m.get(o[dim]) ?? 0) + o.count);
    return m;
  };
  const grouped = (dim: VelocityDimension): Named<VelocityGroup>[] =>
    velocityGroups(dim === 'rep' ? holdings : current, groupOf(dim), overdueBy(dim)).map((g) => ({
      ...g,
      name: groupName(ctx.policy, dim, g.key),
    }));
  const reps = grouped('rep');
  return {
    report: 'velocity',
    period: periodInfo(pair, zone),
    by,
    overall: { ...overall, overdueNow: overdue.reduce((s, o) => s + o.count, 0) },
    previous,
    changes: velocityChanges(overall, previous),
    groups: by === undefined ? undefined : by === 'rep' ? reps : grouped(by),
    slowestReps: reps.slice(0, 5),
  };
}

export async function paceReport(ctx: ServiceContext): Promise<PaceReport> {
  const cal = ctx.policy.calendar;
  const m = monthsAround(ctx.now(), ctx.policy.reportingTimeZone);
  const [cur, prev] = await Promise.all([
    handoffsStarted(ctx.db, ctx.workspaceId, m.current),
    handoffsStarted(ctx.db, ctx.workspaceId, m.previous),
  ]);
  return {
    report: 'pace',
    period: { spec: 'month', timeZone: ctx.policy.reportingTimeZone, current: m.current, previous: m.previous },
    month: m.current.label,
    ...paceFigures(
      { mqls: cur, businessDays: businessDaysInRange(cal, m.current.firstDay, m.current.lastDay) },
      businessDaysInRange(cal, m.current.firstDay, m.monthLastDay),
      { mqls: prev, businessDays: businessDaysInRange(cal, m.previous.firstDay, m.previous.lastDay) },
      ctx.policy.goals.monthlyMqls,
    ),
  };
}

/** Per business day uses the default calendar's average over the coming year. */
export function leadGoalReport(ctx: ServiceContext, input: LeadGoalInput): LeadGoalReport {
  const year = nextTwelveMonths(ctx.now(), ctx.policy.reportingTimeZone);
  const businessDaysPerMonth = Math.max(
    1,
    Math.round(businessDaysInRange(ctx.policy.calendar, year.firstDay, year.lastDay) / 12),
  );
  return { input, businessDaysPerMonth, steps: reverseFunnel(input, businessDaysPerMonth) };
}

/**
 * Queues the weekly digest for the week before `firedAt` (`last-week` in docs/reports.md), frozen as its
 * dates so a delayed delivery still reports that week. Every replica's cron fires; the dedupe key
 * (one per week) lets only the first queue it.
 */
export async function queueWeeklyDigest(ctx: ServiceContext, firedAt: Date): Promise<void> {
  const { current } = resolvePeriod({ kind: 'last-week' }, firedAt, ctx.policy.reportingTimeZone);
  const period = `${current.firstDay}..${current.lastDay}`;
  await enqueue(ctx.db, [
    delivery(ctx, 'reports_digest', { period }, { notBefore: firedAt }),
    delivery(ctx, 'reports_trend_chart', { period }, { notBefore: firedAt }),
  ]);
}
