import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { scheduledJobs } from '../../src/services/jobs.js';
import { queueWeeklyDigest } from '../../src/services/reports.js';
import { SHARE_REPORT_ACTION_ID } from '../../src/slack/ids.js';
import { REPORTS_TOKEN, SIGNING_SECRET, useBatonWithSlack } from '../helpers/app.js';
import { historyLead as lead, importHistory } from '../helpers/import-lines.js';
import { typeCommand } from '../helpers/flows.js';
import { blockActionsPayload, sendInteraction } from '../helpers/slack-sign.js';

/*
 * Reports end to end on a hand-built history, imported through the import API exactly as a
 * backfill would be. "Now" is Wednesday 25 Nov 2026, 14:00 in Stockholm (UTC+1): this week runs
 * from Monday 23 Nov 00:00 (22 Nov 23:00 UTC); the previous period is Monday 16 Nov 00:00 to
 * Wednesday 18 Nov 14:00. SMB uses the default calendar (Stockholm, 08-12 and 13-17, Fri to 16);
 * North America the us-east one (New York, 09-17). Every figure below is worked out by hand.
 */
const NOW = new Date('2026-11-25T13:00:00Z');
const env = useBatonWithSlack({ baton: { now: () => NOW } });

const mql = (at: string, owner: string, team = 'smb') => ({ stage: 'mql', at, team, owner });

const HISTORY = [
  // L1: accepted after 1 business hour (09:00-10:00 local), then SQL, opportunity and customer this week.
  lead(
    'l1',
    '2026-11-23T08:00:00Z',
    [
      mql('2026-11-23T08:00:00Z', 'U0EVA'),
      { stage: 'sal', at: '2026-11-23T09:00:00Z', by: 'U0EVA' },
      { stage: 'sql', at: '2026-11-24T09:00:00Z' },
      { stage: 'opportunity', at: '2026-11-24T10:00:00Z' },
      { stage: 'customer', at: '2026-11-25T09:00:00Z' },
    ],
    { channel: 'webinar', persona: 'cfo' },
  ),
  // L2, recycled with two handoffs this week: rejected after 1 business hour (08:30-09:30 local),
  // re-qualified, accepted Tuesday 09:00 after 4 business hours (Mon 14-17, Tue 08-09; 19 wall hours), then SQL.
  // Only the second handoff reached SQL.
  lead(
    'l2',
    '2026-11-23T07:00:00Z',
    [
      mql('2026-11-23T07:30:00Z', 'U0FILIP'),
      { stage: 'rejected', at: '2026-11-23T08:30:00Z', by: 'U0FILIP', reason: 'bad-timing', note: 'Q1' },
      mql('2026-11-23T13:00:00Z', 'U0EVA'),
      { stage: 'sal', at: '2026-11-24T08:00:00Z', by: 'U0EVA' },
      { stage: 'sql', at: '2026-11-24T13:00:00Z' },
    ],
    { channel: 'webinar' },
  ),
  // L3: a demo request puts it on the 4 h "demo" tier; rejected after 5 business hours (10-12, 13-16 local): late.
  lead(
    'l3',
    '2026-11-23T09:00:00Z',
    [
      mql('2026-11-23T09:00:00Z', 'U0FILIP'),
      { stage: 'rejected', at: '2026-11-23T15:00:00Z', by: 'U0FILIP', reason: 'not-icp' },
    ],
    { channel: 'paid_search', activities: [{ type: 'demo_request', at: '2026-11-23T08:55:00Z' }] },
  ),
  // L4: pending since Wednesday 18 Nov 09:00 local (previous period); due after 16 business hours, Friday 09:00: overdue now.
  lead('l4', '2026-11-18T08:00:00Z', [mql('2026-11-18T08:00:00Z', 'U0EVA')]),
  // L5: pending since this morning, not due yet.
  lead('l5', '2026-11-25T08:00:00Z', [mql('2026-11-25T08:00:00Z', 'U0FILIP')]),
  // L6: North America, Monday 09:00 New York to Wednesday 07:00 New York: 16 business hours on its
  // team's calendar (14 it would be on Stockholm's), 46 wall-clock hours; the 2d target is 16 h: within.
  lead(
    'l6',
    '2026-11-23T14:00:00Z',
    [
      mql('2026-11-23T14:00:00Z', 'U0CARL', 'north-america'),
      { stage: 'sal', at: '2026-11-25T12:00:00Z', by: 'U0CARL' },
    ],
    { channel: 'paid_search', country: 'US' },
  ),
  // L7: sourced by sales in October, a customer this week.
  lead(
    'l7',
    '2026-10-01T08:00:00Z',
    [
      mql('2026-10-01T08:00:00Z', 'U0EVA'),
      { stage: 'sal', at: '2026-10-01T09:00:00Z', by: 'U0EVA' },
      { stage: 'sql', at: '2026-10-05T09:00:00Z' },
      { stage: 'opportunity', at: '2026-10-10T09:00:00Z' },
      { stage: 'customer', at: '2026-11-24T10:00:00Z' },
    ],
    { origin: 'sales' },
  ),
  // L8, L9: the previous period: accepted after 1 business hour and then SQL; rejected after 30 minutes.
  lead('l8', '2026-11-16T09:00:00Z', [
    mql('2026-11-16T09:00:00Z', 'U0FILIP'),
    { stage: 'sal', at: '2026-11-16T10:00:00Z', by: 'U0FILIP' },
    { stage: 'sql', at: '2026-11-17T10:00:00Z' },
  ]),
  lead('l9', '2026-11-17T09:00:00Z', [
    mql('2026-11-17T09:00:00Z', 'U0EVA'),
    { stage: 'rejected', at: '2026-11-17T09:30:00Z', by: 'U0EVA', reason: 'no-budget' },
  ]),
  // L10: a lead that never qualified.
  lead('l10', '2026-11-24T09:00:00Z', []),
];

const api = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${env.baton.url}${path}`, { headers: { authorization: `Bearer ${REPORTS_TOKEN}`, ...headers } });
const slash = (command: string, text: string) =>
  typeCommand(env, { command, text, userId: 'U0SMBMGR', reply: command.slice(1) });

interface Reply {
  text: string;
  blocks: { type: string; text?: { text: string }; elements?: { action_id: string; value: string }[] }[];
  response_type?: string;
}
/** Runs `send` and returns the next response_url post (the stand-in records them in order). */
async function nextReply(send: () => Promise<unknown>): Promise<Reply> {
  const before = env.slack.callsTo('response_url').length;
  await send();
  const calls = await env.slack.waitFor('response_url', { count: before + 1 });
  return calls[before]!.body as unknown as Reply;
}
const allText = (r: Reply) => [r.text, ...r.blocks.map((b) => b.text?.text ?? '')].join('\n');

describe('reports on an imported history', () => {
  it('imports the history', async () => {
    expect(await importHistory(env, HISTORY)).toEqual({ imported: 10, skipped: 0, failed: [] });
  });

  it('GET /api/reports/funnel: flow, cohort, rates and reasons for this week against the same days last week', async () => {
    const res = await api('/api/reports/funnel?period=week');
    expect(res.status).toBe(200);
    const r = (await res.json()) as Record<string, unknown> & {
      steps: {
        stage: string;
        count: { value: number; previous: number; change?: number };
        conversion: { value: number } | null;
      }[];
    };
    // Created this week: L1, L2, L3, L5, L6, L10 (6); handoffs: L1, L2 twice, L3, L5, L6 (6); decided this
    // week: accepted L1, L2's second, L6 (3), rejected L2's first, L3 (2); SQL: L1, L2; customers: L1, L7.
    // Previous: created L4, L8, L9; 3 handoffs; accepted L8; SQL L8.
    expect(r.steps.map((s) => [s.stage, s.count.value, s.count.previous])).toEqual([
      ['leads', 6, 3],
      ['mqls', 6, 3],
      ['accepted', 3, 1],
      ['sqls', 2, 1],
      ['opportunities', 1, 0],
      ['customers', 2, 0],
    ]);
    // A count changes in percent: 6 MQLs against 3 is +100 %.
    expect(r.steps[1]!.count).toEqual({ value: 6, previous: 3, change: 100, changeUnit: 'percent' });
    // Beside each step, the cohort's conversion: of the 6 handoffs started this week, 3 accepted, 2 (L1, L2's
    // second) reached SQL, 1 (L1) an opportunity and a customer; never the 6-to-2 flow ratio.
    expect(r.steps.map((s) => s.conversion?.value)).toEqual([undefined, undefined, 3 / 6, 2 / 6, 1 / 6, 1 / 6]);
    expect(r).toMatchObject({
      period: {
        spec: 'week',
        timeZone: 'Europe/Stockholm',
        current: { start: '2026-11-22T23:00:00.000Z', end: '2026-11-25T13:00:00.000Z' },
        previous: { start: '2026-11-15T23:00:00.000Z', end: '2026-11-18T13:00:00.000Z' },
      },
      rejectedInPeriod: { value: 2, previous: 1 },
      // Cohort: 6 started, L5 pending, 3 accepted, 2 rejected; L1 and L2's second handoff reached SQL (not L2's first).
      // The cohort with its previous values: L4, L8, L9 started the same days last week; L8 accepted and SQL, L9 rejected, L4 pending.
      cohort: {
        started: { value: 6, previous: 3 },
        pending: { value: 1, previous: 1 },
        accepted: { value: 3, previous: 1 },
        rejected: { value: 2, previous: 1 },
        reachedSql: { value: 2, previous: 1 },
        reachedOpportunity: { value: 1, previous: 0 },
        reachedCustomer: { value: 1, previous: 0 },
      },
      // 3 / (3 + 2); previous 1 / (1 + 1): a rate changes in points, +10, the same number Slack shows.
      acceptanceRate: { value: 0.6, previous: 0.5, changeUnit: 'points' },
      // 2 / 6; previous 1 / 3 (L4 pending counts as started).
      mqlToSql: { value: 2 / 6, previous: 1 / 3 },
      // L1 of the 6 created is a customer now.
      leadToCustomer: { value: 1 / 6 },
      // Customers this week: L1 (marketing) and L7 (sales).
      marketingSourcedShare: { value: 0.5, changeUnit: 'points' },
      rejectionReasons: [
        { reason: 'bad-timing', label: 'Bad timing – recontact later', count: 1, share: 0.5 },
        { reason: 'not-icp', label: 'Not our ideal customer profile', count: 1, share: 0.5 },
      ],
    });
    expect((r as unknown as { acceptanceRate: { change: number } }).acceptanceRate.change).toBeCloseTo(10, 10);
  });

  it('GET /api/reports/funnel?by=channel: handoffs, acceptance and MQL→SQL per channel', async () => {
    const r = (await (await api('/api/reports/funnel?period=week&by=channel')).json()) as {
      breakdown: { key: string; handoffs: number; acceptanceRate: number | null; mqlToSql: number | null }[];
    };
    // webinar: L1, L2 twice (2 accepted, 1 rejected, 2 to SQL); paid_search: L3 rejected, L6 accepted; none: L5 pending.
    expect(r.breakdown).toEqual([
      {
        key: 'webinar',
        name: 'webinar',
        handoffs: 3,
        accepted: 2,
        rejected: 1,
        pending: 0,
        acceptanceRate: 2 / 3,
        mqlToSql: 2 / 3,
      },
      {
        key: 'paid_search',
        name: 'paid_search',
        handoffs: 2,
        accepted: 1,
        rejected: 1,
        pending: 0,
        acceptanceRate: 0.5,
        mqlToSql: 0,
      },
      {
        key: '(none)',
        name: '(none)',
        handoffs: 1,
        accepted: 0,
        rejected: 0,
        pending: 1,
        acceptanceRate: null,
        mqlToSql: 0,
      },
    ]);
  });

  it.each([
    // SMB: L1, L2 twice, L3, L5 (2 accepted, 2 rejected, 1 pending; L1 and L2's second reached SQL); North America: L6.
    [
      'team',
      [
        ['smb', 'SMB', 5, 0.5, 0.4],
        ['north-america', 'North America', 1, 1, 0],
      ],
    ],
    // By the handoff's rep: Filip's three (two rejected, one pending), Eva's two (both to SQL), Carl's one.
    [
      'rep',
      [
        ['U0FILIP', 'Filip Falk', 3, 0, 0],
        ['U0EVA', 'Eva Ek', 2, 1, 1],
        ['U0CARL', 'Carl Carter', 1, 1, 0],
      ],
    ],
    [
      'persona',
      [
        ['(none)', '(none)', 5, 0.5, 0.2],
        ['cfo', 'cfo', 1, 1, 1],
      ],
    ],
    ['source', [['crm', 'crm', 6, 0.6, 2 / 6]]],
  ])('GET /api/reports/funnel?by=%s', async (by, expected) => {
    const r = (await (await api(`/api/reports/funnel?period=week&by=${by}`)).json()) as {
      breakdown: {
        key: string;
        name: string;
        handoffs: number;
        acceptanceRate: number | null;
        mqlToSql: number | null;
      }[];
    };
    expect(r.breakdown.map((b) => [b.key, b.name, b.handoffs, b.acceptanceRate, b.mqlToSql])).toEqual(expected);
  });

  it("GET /api/reports/velocity: business and wall-clock hours on each team's calendar, SLA compliance, overdue now", async () => {
    const r = (await (await api('/api/reports/velocity?period=week&by=rep')).json()) as {
      overall: Record<string, number>;
      previous: Record<string, number>;
      changes: Record<string, { change: number }>;
      groups: Record<string, unknown>[];
      slowestReps: Record<string, unknown>[];
    };
    // Business minutes: 60 (L1), 60 (L2 first), 240 (L2 second), 300 (L3), 960 (L6): median rank 3 → 4 h, p90 rank 5 → 16 h.
    // Wall minutes: 60, 60, 360, 1140, 2760: median 6 h, p90 46 h. L3 missed its 4 h target: 4 of 5 within.
    expect(r.overall).toEqual({
      decisions: 5,
      medianBusinessHours: 4,
      p90BusinessHours: 16,
      medianWallHours: 6,
      p90WallHours: 46,
      withinSla: 4,
      takenForBreach: 0,
      slaCompliance: 0.8,
      overdueNow: 1,
    });
    // Against the previous period: decisions in percent, compliance in points (80 % against 100 %).
    expect(r.changes).toMatchObject({
      decisions: { value: 5, previous: 2, change: 150, changeUnit: 'percent' },
      slaCompliance: { value: 0.8, previous: 1, changeUnit: 'points' },
    });
    expect(r.changes.slaCompliance!.change).toBeCloseTo(-20, 10);
    // Previous: 60 and 30 business minutes: median rank 1 → 0.5 h.
    expect(r.previous).toMatchObject({ decisions: 2, medianBusinessHours: 0.5, slaCompliance: 1 });
    // Slowest first; Eva and Filip tie at 1 h, Eva has the overdue lead (L4).
    expect(r.groups.map((g) => [g.key, g.name, g.decisions, g.medianBusinessHours, g.overdueNow])).toEqual([
      ['U0CARL', 'Carl Carter', 1, 16, 0],
      ['U0EVA', 'Eva Ek', 2, 1, 1],
      ['U0FILIP', 'Filip Falk', 2, 1, 0],
    ]);
    // The slowest reps carry their overdue handoffs too, as the header's "overdue now" does.
    expect(r.slowestReps.map((g) => [g.name, g.overdueNow])).toEqual([
      ['Carl Carter', 0],
      ['Eva Ek', 1],
      ['Filip Falk', 0],
    ]);
    const teams = (await (await api('/api/reports/velocity?period=week&by=team')).json()) as {
      groups: Record<string, unknown>[];
    };
    // SMB: 60, 60, 240, 300 → median rank 2 = 1 h, p90 rank 4 = 5 h.
    expect(
      teams.groups.map((g) => [g.key, g.name, g.medianBusinessHours, g.p90BusinessHours, g.slaCompliance]),
    ).toEqual([
      ['north-america', 'North America', 16, 16, 1],
      ['smb', 'SMB', 1, 5, 0.75],
    ]);
  });

  it('an empty period has no rates: nothing divided by zero', async () => {
    const r = (await (await api('/api/reports/funnel?period=2026-01-01..2026-01-31')).json()) as Record<
      string,
      { value?: number }
    >;
    expect(r.acceptanceRate).toEqual({ value: null, previous: null, change: null, changeUnit: 'points' });
    expect(r.mqlToSql).toEqual({ value: null, previous: null, change: null, changeUnit: 'points' });
    const v = (await (await api('/api/reports/velocity?period=2026-01-01..2026-01-31')).json()) as {
      overall: Record<string, number>;
    };
    expect(v.overall).toEqual({
      decisions: 0,
      medianBusinessHours: null,
      p90BusinessHours: null,
      medianWallHours: null,
      p90WallHours: null,
      withinSla: 0,
      takenForBreach: 0,
      slaCompliance: null,
      overdueNow: 1,
    });
  });

  it('CSV with Accept: text/csv, one figure per row', async () => {
    const res = await api('/api/reports/funnel?period=week&by=channel', { accept: 'text/csv' });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe(
      'report,period_start,period_end,previous_start,previous_end,group,metric,value,previous_value,change,change_unit',
    );
    expect(lines).toContain(
      'funnel,2026-11-22T23:00:00.000Z,2026-11-25T13:00:00.000Z,2026-11-15T23:00:00.000Z,2026-11-18T13:00:00.000Z,,mqls,6,3,100,percent',
    );
    expect(lines).toContain(
      'funnel,2026-11-22T23:00:00.000Z,2026-11-25T13:00:00.000Z,2026-11-15T23:00:00.000Z,2026-11-18T13:00:00.000Z,channel:webinar,handoffs,3,,,',
    );
    // A rate's change in points, a cohort count with its previous value, as in JSON and Slack.
    expect(lines.find((l) => l.includes(',,acceptance_rate,'))).toMatch(
      /,,acceptance_rate,0\.6,0\.5,(10|9\.9+\d*|10\.0+\d*),points$/,
    );
    expect(lines).toContain(
      'funnel,2026-11-22T23:00:00.000Z,2026-11-25T13:00:00.000Z,2026-11-15T23:00:00.000Z,2026-11-18T13:00:00.000Z,,cohort_started,6,3,100,percent',
    );
    const v = await (await api('/api/reports/velocity?period=week', { accept: 'text/csv' })).text();
    expect(v).toContain(',,median_business_hours,4,0.5');
  });

  it('GET /api/reports/pace: leads per business day and pace, JSON and CSV', async () => {
    // November to date: 9 handoffs in 18 business days of 21; October: L7 alone in 22 business days.
    const r = (await (await api('/api/reports/pace')).json()) as Record<string, unknown> & {
      pace: number;
      leadsPerBusinessDay: { change: number };
    };
    expect(r).toMatchObject({
      report: 'pace',
      month: 'November 2026',
      mqls: 9,
      businessDaysElapsed: 18,
      businessDaysInMonth: 21,
      goal: 400,
      leadsPerBusinessDay: { value: 0.5, previous: 1 / 22, changeUnit: 'percent' },
    });
    expect(r.leadsPerBusinessDay.change).toBeCloseTo(1000, 8);
    expect(r.pace).toBeCloseTo(9 / ((400 * 18) / 21), 12);
    const csv = await (await api('/api/reports/pace', { accept: 'text/csv' })).text();
    expect(csv).toContain(',,mqls,9,,,');
    expect(csv).toMatch(/,,leads_per_business_day,0\.5,0\.04545\d*,(1000|999\.9+\d*|1000\.0+\d*),percent/);
  });

  it('refuses a missing token and explains a bad period or dimension', async () => {
    expect((await fetch(`${env.baton.url}/api/reports/funnel`)).status).toBe(401);
    const bad = await api('/api/reports/velocity?period=fortnight&by=channel');
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d) => d.path).sort()).toEqual(['by', 'period']);
  });
});

describe('slash commands, signed, through the stand-in', () => {
  it('/funnel week by channel: acknowledged at once, the report follows ephemerally with a Share button that posts it in the channel', async () => {
    let ack: Awaited<ReturnType<typeof slash>> | undefined;
    const reply = await nextReply(async () => {
      ack = await slash('/funnel', 'week by channel');
    });
    // 200 is Bolt's acknowledgement: a listener that does not ack within 3 s gets a 404 from Bolt itself.
    expect(ack).toMatchObject({ status: 200, body: '' });
    expect(reply.response_type).toBe('ephemeral');
    const text = allText(reply);
    expect(text).toMatch(/MQLs \(handoffs\)\s+6\s+█+\s+▲ 100 %\n/);
    // Flow counts stay counts; beside them the cohort's share, in points against last period.
    expect(text).toMatch(/SQLs\s+2\s+█+\s+▲ 100 %\s+33\.3 %\s+= 0 pts/);
    expect(text).toMatch(/Accepted\s+3\s+█+\s+▲ 200 %\s+50\.0 %\s+▲ 16\.7 pts/);
    expect(text).not.toMatch(/\b(\d{4,}|[2-9]\d\d|1\d\d)\.\d %/);
    expect(text).toContain('*Acceptance* 60.0 % (▲ 10.0 pts)');
    expect(text).toContain('Not our ideal customer profile');
    expect(text).toMatch(/webinar\s+3\s+█+\s+66\.7 %\s+66\.7 %/);
    expect(text).toMatch(/\(none\)\s+1\s+█+\s+—\s+0\.0 %/);
    const button = reply.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === SHARE_REPORT_ACTION_ID)!;
    expect(button.value).toBe('/funnel week by channel');

    const shared = await nextReply(() =>
      sendInteraction(
        env.baton.url,
        SIGNING_SECRET,
        blockActionsPayload({
          actionId: SHARE_REPORT_ACTION_ID,
          value: button.value,
          userId: 'U0SMBMGR',
          teamId: 'T0BATON',
          channelId: 'C0SMB',
          messageTs: '1700000000.000100',
          responseUrl: `${env.slack.responseUrl}/share`,
        }),
      ),
    );
    expect(shared.response_type).toBe('in_channel');
    // Posted by Baton, so it says who shared it.
    expect(shared.text).toMatch(/^<@U0SMBMGR> shared: Funnel/);
    expect(JSON.stringify(shared.blocks[0])).toContain('Shared by <@U0SMBMGR>');
    expect(allText(shared)).toContain('*Acceptance* 60.0 %');
    expect(shared.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('/velocity week by rep', async () => {
    const text = allText(await nextReply(() => slash('/velocity', 'week by rep')));
    expect(text).toMatch(/business hours\s+4\.0 h\s+16 h\s+0\.5 h/);
    expect(text).toContain('*Within SLA* 80.0 % (▼ 20.0 pts) · *Overdue now* 1');
    expect(text).toMatch(/Carl Carter\s+1\s+16 h/);
  });

  it('/velocity week: the slowest reps show the overdue lead the header counts', async () => {
    const text = allText(await nextReply(() => slash('/velocity', 'week')));
    expect(text).toContain('*Overdue now* 1');
    expect(text).toMatch(/\*Slowest reps\*[\s\S]*Eva Ek\s+2\s+1\.0 h\s+█+\s+4\.0 h\s+100\.0 %\s+1\n/);
  });

  it('/leadgoal: the docs/reports.md example', async () => {
    const text = allText(await nextReply(() => slash('/leadgoal', 'revenue=10,000,000 deal=50k close=25% sql=20%')));
    expect(text).toMatch(/Deals\s+200 /);
    expect(text).toMatch(/SQLs\s+800 /);
    expect(text).toMatch(/MQLs\s+4,000\s+█+\s+334\s+16\n/);
  });

  it("/baton pace: November's MQLs against the goal of 400", async () => {
    // November to date: 9 handoffs in 18 business days of 21; expected 400 × 18 / 21 = 342.9, pace 9 / 342.9 = 2.6 %.
    // October: L7 alone in 22 business days.
    const text = allText(await nextReply(() => slash('/baton', 'pace')));
    expect(text).toContain('*MQLs in November 2026* 9 in 18 of 21 business days');
    expect(text).toContain('*Per business day* 0.5 (last month 0.0, ▲ 1000 %)');
    expect(text).toContain('expected by today 343 · *pace 2.6 %*');
  });

  it.each([
    ['/funnel', 'fortnight', /"fortnight" is not a period[\s\S]*Example: `\/funnel month by channel`/],
    ['/funnel', 'weak', /"weak" is not a period\. Did you mean "week"\?/],
    ['/leadgoal', 'revenue=-5 deal=50k close=25% sql=20%', /revenue must be more than 0/],
    ['/funnel', 'week by colour', /"by" takes one of channel, persona, source, team, rep, not "colour"/],
    [
      '/velocity',
      'month by channel',
      /"by" takes one of rep, team, not "channel"[\s\S]*Example: `\/velocity month by rep`/,
    ],
    [
      '/leadgoal',
      'revenue=lots deal=50000 close=125%',
      /revenue must be a number like 10000000[\s\S]*close cannot be more than 100 %[\s\S]*sql= is required[\s\S]*Example: `\/leadgoal revenue=10000000/,
    ],
    ['/leadgoal', 'revenue=1 deal=1 close=1% sql=1% colour=blue', /unknown "colour"/],
  ])('%s %s: usage with an example, in the acknowledgement', async (command, text, expected) => {
    const ack = await slash(command, text);
    expect(ack.status).toBe(200);
    expect(ack.json).toMatchObject({ response_type: 'ephemeral' });
    expect((ack.json as { text: string }).text).toMatch(expected);
  });
});

describe('weekly digest', () => {
  it("runs on the policy's schedule and posts last week's funnel, velocity and rejection reasons once, however many replicas fire", async () => {
    const job = scheduledJobs(env.baton.context, { retentionDays: 30 }).find((j) => j.name === 'reports-digest')!;
    expect([job.cron, job.timeZone]).toEqual(['0 8 * * 1', 'Europe/Stockholm']);
    const before = env.slack.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C0REPORTS').length;
    // Two replicas fire for the same week.
    await job.run(NOW);
    await queueWeeklyDigest(env.baton.context, new Date(NOW.getTime() + 1_000));
    await env.baton.outbox.idle();
    const posts = env.slack.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C0REPORTS');
    expect(posts).toHaveLength(before + 1);
    // Week 47 (16–22 Nov): L8 accepted after 1 business hour, L9 rejected after 30 minutes, L4 still pending.
    const post = posts.at(-1)!.body as unknown as Reply;
    const text = [post.text, JSON.stringify(post.blocks)].join('\n');
    expect(post.text).toBe(
      'Weekly digest 2026-11-16 – 2026-11-22: 3 MQLs, acceptance 50.0 %, median decision 0.5 h, 100.0 % within SLA',
    );
    expect(text).toContain('Overdue now 1');
    expect(text).toContain('No budget this year');
  });
});

describe('a reassigned handoff', () => {
  it('is timed from its first assignment overall; by rep, each holding is charged to its holder', async () => {
    // Monday 1 June 09:00 Stockholm (summer time) to Tuesday 09:00: 3 + 4 + 1 = 8 business hours, 24 wall-clock hours.
    const l11 = lead('l11', '2026-06-01T07:00:00Z', [
      mql('2026-06-01T07:00:00Z', 'U0FILIP'),
      { stage: 'sal', at: '2026-06-02T07:00:00Z', by: 'U0EVA' },
    ]);
    expect(await importHistory(env, [l11])).toMatchObject({ imported: 1 });
    // Taken from Filip on Monday at 15:00 for breaching, as an SLA reassignment leaves it: Eva's clock restarts, the handoff's does not.
    await env.baton.database.db.execute(
      sql`update handoffs set rep_user_id = 'U0EVA', assigned_at = '2026-06-01T13:00:00Z', assigned_via = 'reassigned_breach' where lead_id = (select id from leads where external_id = 'l11')`,
    );
    await env.baton.database.db
      .execute(sql`insert into events (workspace_id, lead_id, handoff_id, type, at, actor, reason, data)
      select workspace_id, lead_id, id, 'reassigned', '2026-06-01T13:00:00Z', 'baton', 'breach', jsonb_build_object('from', 'U0FILIP', 'to', 'U0EVA', 'team', team_id) from handoffs where lead_id = (select id from leads where external_id = 'l11')`);
    const r = (await (await api('/api/reports/velocity?period=2026-06-01..2026-06-07&by=rep')).json()) as {
      overall: Record<string, number>;
      groups: Record<string, unknown>[];
    };
    expect(r.overall).toMatchObject({ decisions: 1, medianBusinessHours: 8, medianWallHours: 24, slaCompliance: 1 });
    // Eva from her own assignment, Monday 15:00 to Tuesday 09:00: 2 + 1 business hours, 18 wall-clock; Filip has a miss.
    expect(
      r.groups.map((g) => [
        g.name,
        g.decisions,
        g.medianBusinessHours,
        g.medianWallHours,
        g.takenForBreach,
        g.slaCompliance,
      ]),
    ).toEqual([
      ['Eva Ek', 1, 3, 18, 0, 1],
      ['Filip Falk', 0, null, null, 1, 0],
    ]);
  });
});
