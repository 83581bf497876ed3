import type { IncomingMessage } from 'node:http';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { DIMENSIONS } from '../../domain/reports/funnel.js';
import { NAMED_PERIODS, parsePeriod } from '../../domain/reports/periods.js';
import type { ServiceContext } from '../../services/context.js';
import type { Compared } from '../../domain/reports/stats.js';
import {
  funnelReport,
  paceReport,
  velocityReport,
  type FunnelReport,
  type PaceReport,
  type VelocityReport,
} from '../../services/reports.js';
import { requireBearer } from '../auth.js';
import type { HttpResult, Route } from '../server.js';
import { HttpError } from '../errors.js';
import { validationDetails } from '../validation.js';

/*
 * GET /api/reports/funnel, /velocity and /pace (README.md, "Reports"; formulas in docs/reports.md): the same report objects the Slack
 * replies render, as JSON, or as CSV (Accept: text/csv) in long form — one figure per row with
 * its group, the previous period's value and the change (percent for a count, points for a rate) — which spreadsheets pivot and BI tools load as is.
 */

const period = z
  .string()
  .default('week')
  .transform((s, ctx) => {
    const p = parsePeriod(s);
    if (!p)
      ctx.addIssue({
        code: 'custom',
        message: `must be one of ${NAMED_PERIODS.join(', ')} or YYYY-MM-DD..YYYY-MM-DD (inclusive, at most two years)`,
      });
    return p ?? { kind: 'week' as const };
  });
const funnelQuery = z.strictObject({ period, by: z.enum(DIMENSIONS).optional() });
const velocityQuery = z.strictObject({ period, by: z.enum(['rep', 'team']).optional() });

/** A figure alone, or compared with the previous period (then with its change and the change's unit). */
type Figure = number | undefined | Compared;
type CsvRow = [group: string, metric: string, figure: Figure];

/** Rows of one group (the whole report: ''), one per metric, in the order given. */
const groupRows = (group: string, figures: Record<string, Figure>): CsvRow[] =>
  Object.entries(figures).map(([metric, figure]) => [group, metric, figure]);

function funnelRows(r: FunnelReport): CsvRow[] {
  const rows: CsvRow[] = r.steps.map((s) => ['', s.stage, s.count]);
  for (const s of r.steps) if (s.conversion !== undefined) rows.push(['', `${s.stage}_of_mqls`, s.conversion]);
  rows.push(
    ['', 'rejected', r.rejectedInPeriod],
    ['', 'lost', r.lostInPeriod],
    ['', 'cohort_started', r.cohort.started],
    ['', 'cohort_pending', r.cohort.pending],
    ['', 'cohort_accepted', r.cohort.accepted],
    ['', 'cohort_rejected', r.cohort.rejected],
    ['', 'cohort_reached_sql', r.cohort.reachedSql],
    ['', 'cohort_reached_opportunity', r.cohort.reachedOpportunity],
    ['', 'cohort_reached_customer', r.cohort.reachedCustomer],
    ['', 'acceptance_rate', r.acceptanceRate],
    ['', 'mql_to_sql_rate', r.mqlToSql],
    ['', 'lead_to_customer_rate', r.leadToCustomer],
    ['', 'marketing_sourced_share', r.marketingSourcedShare],
  );
  for (const x of r.rejectionReasons) rows.push([`reason:${x.reason}`, 'rejections', x.count]);
  for (const g of r.breakdown ?? []) {
    const key = `${r.by ?? ''}:${g.key}`;
    rows.push(
      [key, 'handoffs', g.handoffs],
      [key, 'accepted', g.accepted],
      [key, 'rejected', g.rejected],
      [key, 'acceptance_rate', g.acceptanceRate],
      [key, 'mql_to_sql_rate', g.mqlToSql],
    );
  }
  return rows;
}

function velocityRows(r: VelocityReport): CsvRow[] {
  const c = r.changes;
  const rows = groupRows('', {
    decisions: c.decisions,
    median_business_hours: c.medianBusinessHours,
    p90_business_hours: c.p90BusinessHours,
    median_wall_hours: c.medianWallHours,
    p90_wall_hours: c.p90WallHours,
    sla_compliance: c.slaCompliance,
    overdue_now: r.overall.overdueNow,
  });
  for (const g of r.groups ?? []) {
    rows.push(
      ...groupRows(`${r.by ?? ''}:${g.key}`, {
        decisions: g.decisions,
        taken_for_breach: g.takenForBreach,
        median_business_hours: g.medianBusinessHours,
        p90_business_hours: g.p90BusinessHours,
        median_wall_hours: g.medianWallHours,
        p90_wall_hours: g.p90WallHours,
        sla_compliance: g.slaCompliance,
        overdue_now: g.overdueNow,
      }),
    );
  }
  return rows;
}

function paceRows(r: PaceReport): CsvRow[] {
  return groupRows('', {
    mqls: r.mqls,
    business_days_elapsed: r.businessDaysElapsed,
    business_days_in_month: r.businessDaysInMonth,
    leads_per_business_day: r.leadsPerBusinessDay,
    monthly_goal: r.goal,
    expected_by_now: r.expectedByNow,
    pace: r.pace,
  });
}

function parseQuery<S extends z.ZodType>(schema: S, url: URL): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries(url.searchParams));
  if (parsed.success) return parsed.data;
  const details = validationDetails(parsed.error.issues);
  throw new HttpError(
    400,
    'validation_failed',
    `The query has ${details.length} problem${details.length === 1 ? '' : 's'}: ?period=week|last-week|month|last-month|quarter|last-quarter|YYYY-MM-DD..YYYY-MM-DD and &by=….`,
    details,
  );
}

const wantsCsv = (req: IncomingMessage): boolean => /\btext\/csv\b/i.test(req.headers.accept ?? '');

type Report = FunnelReport | VelocityReport | PaceReport;

function answer(req: IncomingMessage, report: Report, rows: CsvRow[]): HttpResult {
  // A figure with nothing to divide by is null in JSON, so every key is always there for a BI tool.
  if (!wantsCsv(req))
    return {
      status: 200,
      json: JSON.parse(JSON.stringify(report, (_k, v: unknown) => (v === undefined ? null : v))) as unknown,
    };
  const { current, previous } = report.period;
  const csv = stringify(
    rows.map(([group, metric, figure]) => {
      const c = typeof figure === 'object' ? figure : undefined;
      const value = c === undefined ? figure : c.value;
      return [
        report.report,
        current.start.toISOString(),
        current.end.toISOString(),
        previous.start.toISOString(),
        previous.end.toISOString(),
        group,
        metric,
        value ?? '',
        c?.previous ?? '',
        c?.change ?? '',
        c === undefined ? '' : c.changeUnit,
      ];
    }),
    {
      header: true,
      columns: [
        'report',
        'period_start',
        'period_end',
        'previous_start',
        'previous_end',
        'group',
        'metric',
        'value',
        'previous_value',
        'change',
        'change_unit',
      ],
    },
  );
  return {
    status: 200,
    text: csv,
    contentType: 'text/csv; charset=utf-8',
    headers: {
      'content-disposition': `attachment; filename="${report.report}-${report.period.spec.replace(/[^a-z0-9.-]/gi, '_')}.csv"`,
    },
  };
}

/** One report over HTTP: bearer, query, the same report object the Slack reply renders, JSON or CSV. */
function reportRoute<Q, R extends Report>(
  path: string,
  query: z.ZodType<Q>,
  reportsToken: string | undefined,
  compute: (q: Q) => Promise<R>,
  rows: (report: R) => CsvRow[],
): Route {
  return {
    method: 'GET',
    path,
    async handle(req, url) {
      requireBearer(req, reportsToken, 'REPORTS_TOKEN');
      const report = await compute(parseQuery(query, url));
      return answer(req, report, rows(report));
    },
  };
}

export function reportRoutes(ctx: ServiceContext, reportsToken: string | undefined): Route[] {
  return [
    reportRoute('/api/reports/funnel', funnelQuery, reportsToken, (q) => funnelReport(ctx, q.period, q.by), funnelRows),
    reportRoute(
      '/api/reports/velocity',
      velocityQuery,
      reportsToken,
      (q) => velocityReport(ctx, q.period, q.by),
      velocityRows,
    ),
    reportRoute('/api/reports/pace', z.strictObject({}), reportsToken, () => paceReport(ctx), paceRows),
  ];
}
