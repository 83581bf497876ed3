import type { ActionsBlock, KnownBlock } from '@slack/types';
import type { BreakdownRow, FunnelStep } from '../../domain/reports/funnel.js';
import type { Compared } from '../../domain/reports/stats.js';
import type { VelocityGroup } from '../../domain/reports/velocity.js';
import type {
  FunnelReport,
  LeadGoalReport,
  Named,
  PaceReport,
  PeriodInfo,
  VelocityReport,
} from '../../services/reports.js';
import { encodeShareReport, SHARE_REPORT_ACTION_ID, SHOW_CHART_ACTION_ID, type ShareReport } from '../ids.js';
import { context, header, LIMITS, section } from './blocks.js';
import { escapeMrkdwn, truncate } from './escape.js';

/*
 * Reports as Block Kit: figures aligned in monospace tables with bars drawn in characters, "—"
 * where a figure has no meaning (nothing to divide by). However many groups a breakdown has, a
 * table stops before Slack's 3,000-character section limit and says how many rows it left out.
 */

export interface Rendered {
  text: string;
  blocks: KnownBlock[];
}

const DASH = '—';
const int = (n: number | undefined): string => (n === undefined ? DASH : Math.round(n).toLocaleString('en-US'));
export const pct = (x: number | undefined): string => (x === undefined ? DASH : `${(x * 100).toFixed(1)} %`);
const hrs = (h: number | undefined): string =>
  h === undefined ? DASH : h < 10 ? `${h.toFixed(1)} h` : `${Math.round(h).toLocaleString('en-US')} h`;

/** Change against the previous period: a count in percent (▲ 12 %), a rate in points (▲ 3.1 pts). */
export function change(c: Compared): string {
  if (c.change === undefined)
    return c.changeUnit === 'percent' && c.previous === 0 && (c.value ?? 0) > 0 ? 'new' : DASH;
  if (c.changeUnit === 'points')
    return Math.abs(c.change) < 0.05 ? '= 0 pts' : `${c.change > 0 ? '▲' : '▼'} ${Math.abs(c.change).toFixed(1)} pts`;
  const p = Math.round(c.change);
  return p === 0 ? '= 0 %' : `${p > 0 ? '▲' : '▼'} ${Math.abs(p)} %`;
}

export function bar(value: number, max: number, width = 16): string {
  if (max <= 0 || value <= 0) return '';
  return '█'.repeat(Math.max(1, Math.round((value / max) * width)));
}

type Align = 'l' | 'r';

/**
 * A monospace table in a code block, cut to fit one section. Cells are escaped (mrkdwn still
 * reads entities inside code) and cut to `width` characters.
 */
export function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[],
  opts: { width?: number; budget?: number } = {},
): string {
  const width = opts.width ?? 22;
  const cut = (s: string): string => truncate(s, width);
  const all = [head, ...rows].map((r) => r.map(cut));
  const widths = head.map((_, i) => Math.max(...all.map((r) => Array.from(r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i]! - Array.from(c).length));
        return align[i] === 'r' ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  const budget = (opts.budget ?? LIMITS.sectionText) - 60;
  const lines = [escapeMrkdwn(line(all[0]!))];
  let used = lines[0]!.length;
  let shown = 0;
  for (const r of all.slice(1)) {
    const l = escapeMrkdwn(line(r));
    if (used + l.length + 1 > budget) break;
    lines.push(l);
    used += l.length + 1;
    shown++;
  }
  const left = rows.length - shown;
  return `\`\`\`\n${lines.join('\n')}\n\`\`\`${left > 0 ? `\n…and ${left} more (the API has every row)` : ''}`;
}

function periodLine(p: PeriodInfo): string {
  return `${escapeMrkdwn(p.current.firstDay)} – ${escapeMrkdwn(p.current.lastDay)} · compared with ${escapeMrkdwn(p.previous.label)} (${p.previous.firstDay} – ${p.previous.lastDay}) · ${escapeMrkdwn(p.timeZone)}`;
}

function shareButton(share: ShareReport | undefined): ActionsBlock[] {
  if (share === undefined) return [];
  const value = truncate(encodeShareReport(share), 2000);
  const chart =
    share.command === '/funnel' || share.command === '/velocity'
      ? [
          {
            type: 'button' as const,
            text: { type: 'plain_text' as const, text: 'Show chart', emoji: true },
            action_id: SHOW_CHART_ACTION_ID,
            value,
          },
        ]
      : [];
  return [
    {
      type: 'actions',
      block_id: 'report_share',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Share in channel', emoji: true },
          action_id: SHARE_REPORT_ACTION_ID,
          value,
        },
        ...chart,
      ],
    },
  ];
}

const STEP_NAMES: Record<FunnelStep['stage'], string> = {
  leads: 'Leads created',
  mqls: 'MQLs (handoffs)',
  accepted: 'Accepted',
  sqls: 'SQLs',
  opportunities: 'Opportunities',
  customers: 'Customers',
};

function breakdownTable(rows: readonly Named<BreakdownRow>[], by: string): string {
  const max = Math.max(0, ...rows.map((r) => r.handoffs));
  return table(
    [by, 'handoffs', '', 'accepted', 'MQL→SQL'],
    rows.map((r) => [r.name, int(r.handoffs), bar(r.handoffs, max, 10), pct(r.acceptanceRate), pct(r.mqlToSql)]),
    ['l', 'r', 'l', 'r', 'r'],
  );
}

/** `/funnel`: counts and conversion per step, change, acceptance, MQL→SQL, top rejection reasons. */
export function renderFunnel(r: FunnelReport, share?: ShareReport): Rendered {
  const max = Math.max(0, ...r.steps.map((s) => s.count.value ?? 0));
  const steps = table(
    ['step', 'count', '', 'vs prev.', 'of MQLs', 'vs prev.'],
    r.steps.map((s) => [
      STEP_NAMES[s.stage],
      int(s.count.value),
      bar(s.count.value ?? 0, max),
      change(s.count),
      s.conversion === undefined ? '' : pct(s.conversion.value),
      s.conversion === undefined ? '' : change(s.conversion),
    ]),
    ['l', 'r', 'l', 'r', 'r', 'r'],
  );
  const c = r.cohort;
  const rates = [
    `*Acceptance* ${pct(r.acceptanceRate.value)} (${change(r.acceptanceRate)})`,
    `*MQL→SQL* ${pct(r.mqlToSql.value)} (${change(r.mqlToSql)})`,
    `*Lead→customer* ${pct(r.leadToCustomer.value)} (${change(r.leadToCustomer)})`,
    `*Marketing-sourced share of customers* ${pct(r.marketingSourcedShare.value)} (${change(r.marketingSourcedShare)})`,
  ].join(' · ');
  const cohort = `Of the ${int(c.started.value)} MQLs handed over in the period (${change(c.started)}): ${int(c.accepted.value)} accepted, ${int(c.rejected.value)} rejected, ${int(c.pending.value)} still pending; ${int(c.reachedSql.value)} reached SQL. "of MQLs" beside a step is this cohort's share that reached it by now. Rejected in the period: ${int(r.rejectedInPeriod.value)} (${change(r.rejectedInPeriod)}), lost: ${int(r.lostInPeriod.value)}.`;
  const top = r.rejectionReasons.slice(0, 5);
  const topMax = Math.max(0, ...top.map((t) => t.count));
  const reasons =
    top.length === 0
      ? '_No rejections in the period._'
      : table(
          ['reason', 'count', '', 'share'],
          top.map((t) => [t.label, int(t.count), bar(t.count, topMax, 10), pct(t.share)]),
          ['l', 'r', 'l', 'r'],
          { width: 30 },
        );
  const blocks: KnownBlock[] = [
    header(`Funnel · ${r.period.current.label}`),
    context(periodLine(r.period)),
    section(steps),
    section(rates),
    section(cohort),
    section(`*Top rejection reasons*\n${reasons}`),
  ];
  if (r.breakdown !== undefined && r.by !== undefined) {
    blocks.push(
      section(
        `*By ${r.by}*${r.breakdown.length === 0 ? '\n_No handoffs in the period._' : `\n${breakdownTable(r.breakdown, r.by)}`}`,
      ),
    );
  }
  blocks.push(...shareButton(share));
  const mqls = r.steps[1]!.count;
  const text = `Funnel ${r.period.current.label}: ${int(mqls.value)} MQLs (${change(mqls)}), acceptance ${pct(r.acceptanceRate.value)}, MQL→SQL ${pct(r.mqlToSql.value)}`;
  return { text, blocks };
}

function velocityTable(groups: readonly Named<VelocityGroup>[], by: string): string {
  const max = Math.max(0, ...groups.map((g) => g.medianBusinessHours ?? 0));
  return table(
    [by, 'decided', 'median bh', '', 'p90 bh', 'in SLA', 'overdue'],
    groups.map((g) => [
      g.name,
      int(g.decisions),
      hrs(g.medianBusinessHours),
      bar(g.medianBusinessHours ?? 0, max, 10),
      hrs(g.p90BusinessHours),
      pct(g.slaCompliance),
      int(g.overdueNow),
    ]),
    ['l', 'r', 'r', 'l', 'r', 'r', 'r'],
  );
}

/** `/velocity`: time to decision against the SLA, compliance, overdue now, slowest reps. */
export function renderVelocity(r: VelocityReport, share?: ShareReport): Rendered {
  const o = r.overall;
  const p = r.previous;
  const summary = table(
    ['', 'median', 'p90', 'prev. median'],
    [
      ['business hours', hrs(o.medianBusinessHours), hrs(o.p90BusinessHours), hrs(p.medianBusinessHours)],
      ['wall-clock hours', hrs(o.medianWallHours), hrs(o.p90WallHours), hrs(p.medianWallHours)],
    ],
    ['l', 'r', 'r', 'r'],
  );
  const compliance = `*Decisions* ${int(o.decisions)} (${change(r.changes.decisions)}) · *Within SLA* ${pct(o.slaCompliance)} (${change(r.changes.slaCompliance)}) · *Overdue now* ${int(o.overdueNow)}`;
  const blocks: KnownBlock[] = [
    header(`Velocity · ${r.period.current.label}`),
    context(periodLine(r.period)),
    section(`*Time to decision*\n${summary}`),
    section(compliance),
  ];
  if (r.groups !== undefined && r.by !== undefined) {
    blocks.push(
      section(
        `*By ${r.by}*${r.groups.length === 0 ? '\n_No decisions in the period._' : `\n${velocityTable(r.groups, r.by)}`}`,
      ),
    );
  } else {
    blocks.push(
      section(
        `*Slowest reps*${r.slowestReps.length === 0 ? '\n_No decisions in the period._' : `\n${velocityTable(r.slowestReps, 'rep')}`}`,
      ),
    );
  }
  blocks.push(...shareButton(share));
  const text = `Velocity ${r.period.current.label}: median ${hrs(o.medianBusinessHours)} business, ${pct(o.slaCompliance)} within SLA, ${int(o.overdueNow)} overdue now`;
  return { text, blocks };
}

const GOAL_NAMES: Record<LeadGoalReport['steps'][number]['stage'], string> = {
  deals: 'Deals',
  sqls: 'SQLs',
  mqls: 'MQLs',
  leads: 'Leads',
  visits: 'Visits',
};

/** `/leadgoal`: the reverse funnel with per-month and per-business-day targets. */
export function renderLeadGoal(r: LeadGoalReport, share?: ShareReport): Rendered {
  const i = r.input;
  const max = Math.max(0, ...r.steps.map((s) => s.total));
  const t = table(
    ['', 'total', '', `per month`, 'per bus. day'],
    r.steps.map((s) => [
      GOAL_NAMES[s.stage],
      int(s.total),
      bar(s.total, max, 12),
      int(s.perMonth),
      int(s.perBusinessDay),
    ]),
    ['l', 'r', 'l', 'r', 'r'],
  );
  const rates = [
    `close ${pct(i.close)}`,
    `MQL→SQL ${pct(i.sql)}`,
    ...(i.mql !== undefined ? [`lead→MQL ${pct(i.mql)}`] : []),
    ...(i.visit !== undefined ? [`visit→lead ${pct(i.visit)}`] : []),
  ].join(', ');
  const blocks: KnownBlock[] = [
    header('Lead goal'),
    context(
      `Revenue ${int(i.revenue)} over ${i.months} month${i.months === 1 ? '' : 's'} at ${int(i.deal)} a deal; ${rates}; ${r.businessDaysPerMonth} business days a month. Every step rounds up.`,
    ),
    section(t),
    ...shareButton(share),
  ];
  const mqls = r.steps.find((s) => s.stage === 'mqls')!;
  return {
    text: `Lead goal: ${int(r.steps[0]!.total)} deals need ${int(mqls.total)} MQLs (${int(mqls.perMonth)} a month)`,
    blocks,
  };
}

const perDay = (x: number | undefined): string => (x === undefined ? DASH : x.toFixed(1));

/** `/baton pace`: this month's MQLs against the monthly goal. */
export function renderPace(r: PaceReport, share?: ShareReport): Rendered {
  const lines = [
    `*MQLs in ${escapeMrkdwn(r.month)}* ${int(r.mqls)} in ${r.businessDaysElapsed} of ${r.businessDaysInMonth} business days`,
    `*Per business day* ${perDay(r.leadsPerBusinessDay.value)} (last month ${perDay(r.leadsPerBusinessDay.previous)}, ${change(r.leadsPerBusinessDay)})`,
  ];
  if (r.goal === undefined) {
    lines.push('_No monthly goal: set `goals.monthlyMqls` in the policy to see the pace._');
  } else {
    const filled = r.pace === undefined ? 0 : Math.min(20, Math.round(r.pace * 20));
    lines.push(`*Goal* ${int(r.goal)} a month · expected by today ${int(r.expectedByNow)} · *pace ${pct(r.pace)}*`);
    lines.push(
      `\`${'█'.repeat(filled)}${'░'.repeat(20 - filled)}\`${r.pace !== undefined && r.pace > 1 ? ' ahead of goal' : ''}`,
    );
  }
  const blocks: KnownBlock[] = [section(lines.join('\n')), ...shareButton(share)];
  return {
    text: `Pace: ${int(r.mqls)} MQLs this month${r.pace === undefined ? '' : `, ${pct(r.pace)} of the goal's pace`}`,
    blocks,
  };
}

/** A report posted in a channel says who shared it, first. */
export function sharedBy(r: Rendered, userId: string): Rendered {
  return { text: `<@${userId}> shared: ${r.text}`, blocks: [context(`Shared by <@${userId}>`), ...r.blocks] };
}

/** Usage for a report command, with what was wrong and an example. */
export function renderReportUsage(problem: string, usage: readonly string[]): Rendered {
  const text = [escapeMrkdwn(problem), ...usage].join('\n');
  return { text, blocks: [section(text)] };
}

/** The weekly digest: last week's funnel and velocity side by side, then the steps and top rejection reasons. */
export function renderDigest(f: FunnelReport, v: VelocityReport): Rendered {
  const o = v.overall;
  const mqls = f.steps[1]!.count;
  const funnelSide = [
    `MQLs ${int(mqls.value)} (${change(mqls)})`,
    `Acceptance ${pct(f.acceptanceRate.value)} (${change(f.acceptanceRate)})`,
    `MQL→SQL ${pct(f.mqlToSql.value)} (${change(f.mqlToSql)})`,
    `Customers ${int(f.steps[5]!.count.value)}`,
  ].join('\n');
  const velocitySide = [
    `Median ${hrs(o.medianBusinessHours)} business (${hrs(o.medianWallHours)} wall)`,
    `p90 ${hrs(o.p90BusinessHours)} business`,
    `Within SLA ${pct(o.slaCompliance)} of ${int(o.decisions)}`,
    `Overdue now ${int(o.overdueNow)}`,
  ].join('\n');
  const funnel = renderFunnel(f);
  const steps = funnel.blocks.filter((b) => b.type === 'section').slice(0, 1);
  const reasons = funnel.blocks.filter(
    (b) => b.type === 'section' && b.text?.text.startsWith('*Top rejection reasons*'),
  );
  const blocks: KnownBlock[] = [
    header(`Weekly digest · ${f.period.current.label}`),
    context(periodLine(f.period)),
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Funnel*\n${funnelSide}` },
        { type: 'mrkdwn', text: `*Velocity*\n${velocitySide}` },
      ],
    },
    ...steps,
    ...reasons,
  ];
  return {
    text: `Weekly digest ${f.period.current.label}: ${int(mqls.value)} MQLs, acceptance ${pct(f.acceptanceRate.value)}, median decision ${hrs(o.medianBusinessHours)}, ${pct(o.slaCompliance)} within SLA`,
    blocks,
  };
}
