import type { IncomingMessage } from 'node:http';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { DIMENSIONS } from '../../domain/reports/funnel.js';
import { NAMED_PERIODS, parsePeriod } from '../../domain/reports/periods.js';
import type { ServiceContext } from '../../services/context.js';
import { funnelReport, velocityReport, type FunnelReport, type VelocityReport } from '../../services/reports.js';
import { requireBearer } from '../auth.js';
import type { HttpResult, Route } from '../server.js';
import { HttpError } from '../errors.js';
import { validationDetails } from '../validation.js';

/*
 * GET /api/reports/funnel and /api/reports/velocity (README.md, "Reports"; formulas in docs/reports.md): the same report objects the Slack
 * replies render, as JSON, or as CSV (Accept: text/csv) in long form — one figure per row with
 * its group and the previous period's value — which spreadsheets pivot and BI tools load as is.
 */

const period = z
  .string()
  .default('week')
  .transform((s, ctx) => {
    const p = parsePeriod(s);
    if (!p) ctx.addIssue({ code: 'custom', message: `must be one of ${NAMED_PERIODS.join(', ')} or YYYY-MM-DD..YYYY-MM-DD (inclusive, at most two years)` });
    return p ?? { kind: 'week' as const };
  });
const funnelQuery = z.strictObject({ period, by: z.enum(DIMENSIONS).optional() });
const velocityQuery = z.strictObject({ period, by: z.enum(['rep', 'team']).optional() });

type CsvRow = [group: string, metric: string, value: number | undefined, previous: number | undefined];

function funnelRows(r: FunnelReport): CsvRow[] {
  const rows: CsvRow[] = r.steps.map((s) => ['', s.stage, s.count.value, s.count.previous]);
  rows.push(
    ['', 'rejected', r.rejectedInPeriod.value, r.rejectedInPeriod.previous],
    ['', 'lost', r.lostInPeriod.value, r.lostInPeriod.previous],
    ['', 'cohort_started', r.cohort.started, undefined],
    ['', 'cohort_pending', r.cohort.pending, undefined],
    ['', 'cohort_accepted', r.cohort.accepted, undefined],
    ['', 'cohort_rejected', r.cohort.rejected, undefined],
    ['', 'cohort_reached_sql', r.cohort.reachedSql, undefined],
    ['', 'acceptance_rate', r.acceptanceRate.value, r.acceptanceRate.previous],
    ['', 'mql_to_sql_rate', r.mqlToSql.value, r.mqlToSql.previous],
    ['', 'lead_to_customer_rate', r.leadToCustomer.value, r.leadToCustomer.previous],
    ['', 'marketing_sourced_share', r.marketingSourcedShare.value, r.marketingSourcedShare.previous],
  );
  for (const x of r.rejectionReasons) rows.push([`reason:${x.reason}`, 'rejections', x.count, undefined]);
  for (const g of r.breakdown ?? []) {
    const key = `${r.by ?? ''}:${g.key}`;
    rows.push([key, 'handoffs', g.handoffs, undefined], [key, 'accepted', g.accepted, undefined], [key, 'rejected', g.rejected, undefined], [key, 'acceptance_rate', g.acceptanceRate, undefined], [key, 'mql_to_sql_rate', g.mqlToSql, undefined]);
  }
  return rows;
}

function velocityRows(r: VelocityReport): CsvRow[] {
  const o = r.overall;
  const p = r.previous;
  const rows: CsvRow[] = [
    ['', 'decisions', o.decisions, p.decisions],
    ['', 'median_business_hours', o.medianBusinessHours, p.medianBusinessHours],
    ['', 'p90_business_hours', o.p90BusinessHours, p.p90BusinessHours],
    ['', 'median_wall_hours', o.medianWallHours, p.medianWallHours],
    ['', 'p90_wall_hours', o.p90WallHours, p.p90WallHours],
    ['', 'sla_compliance', o.slaCompliance, p.slaCompliance],
    ['', 'overdue_now', o.overdueNow, undefined],
  ];
  for (const g of r.groups ?? []) {
    const key = `${r.by ?? ''}:${g.key}`;
    rows.push([key, 'decisions', g.decisions, undefined], [key, 'median_business_hours', g.medianBusinessHours, undefined], [key, 'p90_business_hours', g.p90BusinessHours, undefined], [key, 'median_wall_hours', g.medianWallHours, undefined], [key, 'p90_wall_hours', g.p90WallHours, undefined], [key, 'sla_compliance', g.slaCompliance, undefined], [key, 'overdue_now', g.overdueNow, undefined]);
  }
  return rows;
}

function parseQuery<S extends z.ZodType>(schema: S, url: URL): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries(url.searchParams));
  if (parsed.success) return parsed.data;
  const details = validationDetails(parsed.error.issues);
  throw new HttpError(400, 'validation_failed', `The query has ${details.length} problem${details.length === 1 ? '' : 's'}: ?period=week|last-week|month|last-month|quarter|last-quarter|YYYY-MM-DD..YYYY-MM-DD and &by=….`, details);
}

const wantsCsv = (req: IncomingMessage): boolean => /\btext\/csv\b/i.test(req.headers.accept ?? '');

function answer(req: IncomingMessage, report: FunnelReport | VelocityReport, rows: CsvRow[]): HttpResult {
  // A figure with nothing to divide by is null in JSON, so every key is always there for a BI tool.
  if (!wantsCsv(req)) return { status: 200, json: JSON.parse(JSON.stringify(report, (_k, v: unknown) => (v === undefined ? null : v))) as unknown };
  const { current, previous } = report.period;
  const csv = stringify(
    rows.map(([group, metric, value, prev]) => [report.report, current.start.toISOString(), current.end.toISOString(), previous.start.toISOString(), previous.end.toISOString(), group, metric, value ?? '', prev ?? '']),
    { header: true, columns: ['report', 'period_start', 'period_end', 'previous_start', 'previous_end', 'group', 'metric', 'value', 'previous_value'] },
  );
  return { status: 200, text: csv, contentType: 'text/csv; charset=utf-8', headers: { 'content-disposition': `attachment; filename="${report.report}-${report.period.spec.replace(/[^a-z0-9.-]/gi, '_')}.csv"` } };
}

/** One report over HTTP: bearer, query, the same report object the Slack reply renders, JSON or CSV. */
function reportRoute<Q, R extends FunnelReport | VelocityReport>(path: string, query: z.ZodType<Q>, reportsToken: string | undefined, compute: (q: Q) => Promise<R>, rows: (report: R) => CsvRow[]): Route {
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
    reportRoute('/api/reports/velocity', velocityQuery, reportsToken, (q) => velocityReport(ctx, q.period, q.by), velocityRows),
  ];
}
