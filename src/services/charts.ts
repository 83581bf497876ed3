import { DateTime } from 'luxon';
import {
  funnelChart,
  trendChart,
  velocityChart,
  type Chart,
  type FunnelChartData,
  type VelocityChartData,
} from '../charts/specs.js';
import type { FunnelStep } from '../domain/reports/funnel.js';
import { resolvePeriod, type PeriodSpec } from '../domain/reports/periods.js';
import { decisionsIn } from '../db/repo/report-queries.js';
import type { ServiceContext } from './context.js';
import { groupName } from '../domain/teams.js';
import { funnelReport, measure, velocityReport, type FunnelReport } from './reports.js';

/*
 * The figures each chart draws, taken from the same report objects the Slack replies and the API
 * render, so a chart never disagrees with the table beside it.
 */

export type ChartRequest =
  | { readonly report: 'funnel'; readonly period: PeriodSpec }
  | { readonly report: 'velocity'; readonly period: PeriodSpec };

const STEP_LABELS: Record<FunnelStep['stage'], string> = {
  leads: 'Leads',
  mqls: 'MQLs',
  accepted: 'Accepted',
  sqls: 'SQLs',
  opportunities: 'Opportunities',
  customers: 'Customers',
};

export function funnelChartData(r: FunnelReport): FunnelChartData {
  return {
    period: r.period.current.label,
    timeZone: r.period.timeZone,
    steps: r.steps.map((s) => ({
      label: STEP_LABELS[s.stage],
      count: s.count.value ?? 0,
      previous: s.count.previous ?? 0,
      conversion: s.conversion?.value,
    })),
  };
}

/** The target most decisions were held to, in hours: the line a manager reads the chart against. */
function commonTargetHours(targets: readonly number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const t of targets) counts.set(t, (counts.get(t) ?? 0) + 1);
  let best: [number, number] | undefined;
  for (const entry of counts)
    if (!best || entry[1] > best[1] || (entry[1] === best[1] && entry[0] < best[0])) best = entry;
  return best === undefined ? undefined : best[0] / 60;
}

export async function velocityChartData(ctx: ServiceContext, spec: PeriodSpec): Promise<VelocityChartData> {
  const zone = ctx.policy.reportingTimeZone;
  const pair = resolvePeriod(spec, ctx.now(), zone);
  const measured = measure(ctx.policy, await decisionsIn(ctx.db, ctx.workspaceId, pair.current));
  return {
    period: pair.current.label,
    timeZone: zone,
    slaTargetHours: commonTargetHours(measured.map((d) => d.slaTargetMinutes)),
    decisions: measured.map((d) => ({
      rep: groupName(ctx.policy, 'rep', d.rep),
      businessHours: d.businessMinutes / 60,
      withinSla: (d.slaClock === 'wall' ? d.wallMinutes : d.businessMinutes) <= d.slaTargetMinutes,
    })),
  };
}

export async function reportChart(ctx: ServiceContext, req: ChartRequest): Promise<Chart> {
  switch (req.report) {
    case 'funnel':
      return funnelChart(funnelChartData(await funnelReport(ctx, req.period)));
    case 'velocity':
      return velocityChart(await velocityChartData(ctx, req.period));
  }
}

/** The `weeks` whole weeks (Monday to Sunday, reporting zone) before the one `at` falls in, oldest first. */
export async function trendChartFor(ctx: ServiceContext, at: Date, weeks = 12): Promise<Chart> {
  const zone = ctx.policy.reportingTimeZone;
  const thisMonday = DateTime.fromJSDate(at, { zone }).startOf('week');
  const ranges = Array.from({ length: weeks }, (_, i) => {
    const monday = thisMonday.minus({ weeks: weeks - i });
    return { kind: 'range', from: monday.toISODate() ?? '', to: monday.plus({ days: 6 }).toISODate() ?? '' } as const;
  });
  // One week at a time: a digest runs once a week, and each week is one indexed range per query.
  const rows = [];
  for (const range of ranges) {
    const [f, v] = await Promise.all([funnelReport(ctx, range), velocityReport(ctx, range)]);
    rows.push({
      week: range.from,
      mqls: f.steps.find((s) => s.stage === 'mqls')?.count.value ?? 0,
      acceptanceRate: f.acceptanceRate.value,
      slaCompliance: v.overall.slaCompliance,
    });
  }
  return trendChart({ timeZone: zone, weeks: rows });
}
