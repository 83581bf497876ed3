import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { DIMENSIONS, type Dimension } from '../../domain/reports/funnel.js';
import { closestPeriod, parsePeriod, type PeriodSpec } from '../../domain/reports/periods.js';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import {
  funnelReport,
  leadGoalReport,
  paceReport,
  velocityReport,
  type VelocityDimension,
} from '../../services/reports.js';
import { sendReportChart } from '../charts.js';
import type { WebClient } from '../client.js';
import { slackErrorText } from '../errors.js';
import type { ShareReport } from '../ids.js';
import {
  renderFunnel,
  renderLeadGoal,
  renderPace,
  renderReportUsage,
  renderVelocity,
  type Rendered,
} from '../views/report-messages.js';

/*
 * The report commands' arguments, parsed totally (anything not understood becomes a problem
 * shown with the usage), and one runner used by the commands and by "Share in channel", so a
 * shared report is the same report.
 */

const PERIODS = 'week | last-week | month | last-month | quarter | last-quarter | 2026-01-01..2026-03-31';

export const USAGE: Record<ShareReport['command'], readonly string[]> = {
  '/funnel': [
    `Usage: \`/funnel [${PERIODS}] [by channel|persona|source|team|rep] [chart]\``,
    'Example: `/funnel month by channel`, or `/funnel month chart` for a picture',
  ],
  '/velocity': [
    `Usage: \`/velocity [${PERIODS}] [by rep|team] [chart]\``,
    'Example: `/velocity month by rep`, or `/velocity month chart` for a picture',
  ],
  '/leadgoal': [
    'Usage: `/leadgoal revenue=AMOUNT deal=AMOUNT close=PCT% sql=PCT% [mql=PCT%] [visit=PCT%] [months=N]`',
    'Example: `/leadgoal revenue=10000000 deal=50000 close=25% sql=20% months=12`',
  ],
  '/baton': ['Usage: `/baton pace`'],
};

/** What a command's text parses to: its arguments, or the one problem to tell the user. */
export type ParsedArgs<T> = { ok: true; value: T } | { ok: false; problem: string };

export function parsePeriodAndGroup<D extends string>(
  text: string,
  dims: readonly D[],
): ParsedArgs<{ period: PeriodSpec; by: D | undefined; chart: boolean }> {
  const all = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  // "chart" may stand anywhere: `/funnel chart`, `/funnel month chart`.
  const words = all.filter((w) => w !== 'chart');
  const chart = words.length < all.length;
  let period: PeriodSpec = { kind: 'week' };
  let by: D | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === 'by') {
      const dim = words[i + 1];
      if (dim === undefined || !(dims as readonly string[]).includes(dim))
        return {
          ok: false,
          problem: `"by" takes one of ${dims.join(', ')}${dim === undefined ? '' : `, not "${dim}"`}.`,
        };
      by = dim as D;
      i++;
    } else if (i === 0) {
      const p = parsePeriod(w);
      if (!p) {
        const meant = closestPeriod(w);
        return {
          ok: false,
          problem:
            meant !== undefined
              ? `"${w}" is not a period. Did you mean "${meant}"?`
              : `"${w}" is not a period (a range is two real dates in order, at most two years apart).`,
        };
      }
      period = p;
    } else {
      return { ok: false, problem: `Baton does not understand "${w}".` };
    }
  }
  return { ok: true, value: { period, by, chart } };
}

const amount = z
  .string()
  .transform((s) => s.replace(/[,_\s]/g, ''))
  // A sign is read, so "-5" is told it must be more than 0 rather than that it is not a number.
  .pipe(z.string().regex(/^-?\d+(\.\d+)?[km]?$/i, 'must be a number like 10000000, 10m or 50k'))
  .transform((s) => {
    const mult = /k$/i.test(s) ? 1e3 : /m$/i.test(s) ? 1e6 : 1;
    return Number(s.replace(/[km]$/i, '')) * mult;
  })
  .pipe(z.number().positive('must be more than 0').max(1e13, 'is too large'));
const rate = z
  .string()
  .regex(/^-?\d+(\.\d+)?%?$/, 'must be a percentage like 25%')
  .transform((s) => Number(s.replace('%', '')) / 100)
  .pipe(z.number().gt(0, 'must be more than 0 %').max(1, 'cannot be more than 100 %'));
const leadGoalArgs = z.strictObject({
  revenue: amount,
  deal: amount,
  close: rate,
  sql: rate,
  mql: rate.optional(),
  visit: rate.optional(),
  months: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of months')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(120, 'must be at most 120'))
    .default(12),
});
export type LeadGoalArgs = z.output<typeof leadGoalArgs>;

export function parseLeadGoal(text: string): ParsedArgs<LeadGoalArgs> {
  const pairs: Record<string, string> = {};
  for (const word of text.trim().split(/\s+/).filter(Boolean)) {
    const m = /^([a-z]+)=(.+)$/i.exec(word);
    if (!m) return { ok: false, problem: `"${word}" is not a key=value pair.` };
    pairs[m[1]!.toLowerCase()] = m[2]!;
  }
  const parsed = leadGoalArgs.safeParse(pairs);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') return `unknown ${i.keys.map((k) => `"${k}"`).join(', ')}`;
    const key = String(i.path[0] ?? '');
    return pairs[key] === undefined ? `${key}= is required` : `${key} ${i.message}`;
  });
  return { ok: false, problem: `Check the arguments: ${problems.join('; ')}.` };
}

export type ReportRequest =
  | { command: '/funnel'; period: PeriodSpec; by: Dimension | undefined; chart: boolean }
  | { command: '/velocity'; period: PeriodSpec; by: VelocityDimension | undefined; chart: boolean }
  | { command: '/leadgoal'; args: LeadGoalArgs }
  | { command: '/baton' };

/** A report command's text, understood, or what is wrong with it. */
export function parseReportCommand(share: ShareReport): ParsedArgs<ReportRequest> {
  switch (share.command) {
    case '/funnel': {
      const p = parsePeriodAndGroup<Dimension>(share.text, DIMENSIONS);
      return p.ok ? { ok: true, value: { command: '/funnel', ...p.value } } : p;
    }
    case '/velocity': {
      const p = parsePeriodAndGroup<VelocityDimension>(share.text, ['rep', 'team']);
      return p.ok ? { ok: true, value: { command: '/velocity', ...p.value } } : p;
    }
    case '/leadgoal': {
      const p = parseLeadGoal(share.text);
      return p.ok ? { ok: true, value: { command: '/leadgoal', args: p.value } } : p;
    }
    case '/baton':
      return share.text.trim().toLowerCase() === 'pace'
        ? { ok: true, value: { command: '/baton' } }
        : { ok: false, problem: `"${share.text}" is not a report.` };
  }
}

export function reportUsage(command: ShareReport['command'], problem: string): Rendered {
  return renderReportUsage(problem, USAGE[command]);
}

/** Computes and renders a report; `share` adds the "Share in channel" button that runs it again. */
export async function renderReport(ctx: ServiceContext, req: ReportRequest, share?: ShareReport): Promise<Rendered> {
  switch (req.command) {
    case '/funnel':
      return renderFunnel(await funnelReport(ctx, req.period, req.by), share);
    case '/velocity':
      return renderVelocity(await velocityReport(ctx, req.period, req.by), share);
    case '/leadgoal':
      return renderLeadGoal(leadGoalReport(ctx, req.args), share);
    case '/baton':
      return renderPace(await paceReport(ctx), share);
  }
}

/**
 * Answers a report command: bad arguments get the usage in the acknowledgement; otherwise the
 * acknowledgement goes first (Slack's 3 s) and the report follows, ephemeral, on response_url.
 */
export async function answerReportCommand(
  ctx: ServiceContext,
  logger: Logger,
  share: ShareReport,
  slack: Pick<SlackCommandMiddlewareArgs, 'ack' | 'respond'>,
  chartTo?: { client: WebClient; user: string },
): Promise<void> {
  const parsed = parseReportCommand(share);
  if (!parsed.ok) {
    await slack.ack({ response_type: 'ephemeral', ...reportUsage(share.command, parsed.problem) });
    return;
  }
  await slack.ack();
  try {
    await slack.respond({ response_type: 'ephemeral', ...(await renderReport(ctx, parsed.value, share)) });
    const req = parsed.value;
    if ((req.command === '/funnel' || req.command === '/velocity') && req.chart && chartTo) {
      await slack.respond({
        response_type: 'ephemeral',
        text: await sendReportChart(ctx, chartTo.client, chartTo.user, {
          report: req.command === '/funnel' ? 'funnel' : 'velocity',
          period: req.period,
        }),
      });
    }
  } catch (err) {
    await slack.respond({ response_type: 'ephemeral', text: slackErrorText(err, logger) });
  }
}

export function reportCommandListener(
  ctx: ServiceContext,
  logger: Logger,
  command: ShareReport['command'],
): (args: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => Promise<void> {
  return (args) =>
    answerReportCommand(ctx, logger, { command, text: args.command.text.trim() }, args, {
      client: args.client,
      user: args.command.user_id,
    });
}
