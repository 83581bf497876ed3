import { describe, expect, it } from 'vitest';
import { businessDaysInRange, businessMinutesBetween } from '../../src/domain/calendar.js';
import { DIMENSIONS, funnelFigures, type FunnelInputs } from '../../src/domain/reports/funnel.js';
import { reverseFunnel } from '../../src/domain/reports/leadgoal.js';
import { paceFigures } from '../../src/domain/reports/pace.js';
import { parsePeriod, resolvePeriod, type PeriodSpec } from '../../src/domain/reports/periods.js';
import { nearestRank } from '../../src/domain/reports/stats.js';
import { businessTimeline, timelineMinutes } from '../../src/domain/reports/timeline.js';
import { velocityFigures, velocityGroups, type Decision } from '../../src/domain/reports/velocity.js';
import { parseLeadGoal, parsePeriodAndGroup } from '../../src/slack/commands/report-command.js';
import { examplePolicy } from '../helpers/app.js';
import { funnelInputs } from '../helpers/funnel.js';

const policy = examplePolicy();
const ZONE = 'Europe/Stockholm';
const iso = (d: Date) => d.toISOString();

describe('periods in the reporting zone, each with the previous period of the same length', () => {
  // Wednesday 25 Nov 2026, 14:00 in Stockholm (UTC+1).
  const WED = new Date('2026-11-25T13:00:00Z');
  // Wednesday 28 Oct 2026, 13:00 in Stockholm: summer time ended on Sunday 25 Oct (UTC+2 → UTC+1).
  const AFTER_DST = new Date('2026-10-28T12:00:00Z');
  it.each<[string, Date, string, string, string, string]>([
    [
      'week',
      WED,
      '2026-11-22T23:00:00.000Z',
      '2026-11-25T13:00:00.000Z',
      '2026-11-15T23:00:00.000Z',
      '2026-11-18T13:00:00.000Z',
    ],
    // Monday 00:00 was UTC+1 this week and UTC+2 the week before; "same moment last week" is Wednesday 13:00 UTC+2.
    [
      'week',
      AFTER_DST,
      '2026-10-25T23:00:00.000Z',
      '2026-10-28T12:00:00.000Z',
      '2026-10-18T22:00:00.000Z',
      '2026-10-21T11:00:00.000Z',
    ],
    // The week of the change holds 169 real hours.
    [
      'last-week',
      AFTER_DST,
      '2026-10-18T22:00:00.000Z',
      '2026-10-25T23:00:00.000Z',
      '2026-10-11T22:00:00.000Z',
      '2026-10-18T22:00:00.000Z',
    ],
    [
      'month',
      WED,
      '2026-10-31T23:00:00.000Z',
      '2026-11-25T13:00:00.000Z',
      '2026-09-30T22:00:00.000Z',
      '2026-10-25T13:00:00.000Z',
    ],
    [
      'last-month',
      WED,
      '2026-09-30T22:00:00.000Z',
      '2026-10-31T23:00:00.000Z',
      '2026-08-31T22:00:00.000Z',
      '2026-09-30T22:00:00.000Z',
    ],
    [
      'quarter',
      WED,
      '2026-09-30T22:00:00.000Z',
      '2026-11-25T13:00:00.000Z',
      '2026-06-30T22:00:00.000Z',
      '2026-08-25T12:00:00.000Z',
    ],
    [
      'last-quarter',
      WED,
      '2026-06-30T22:00:00.000Z',
      '2026-09-30T22:00:00.000Z',
      '2026-03-31T22:00:00.000Z',
      '2026-06-30T22:00:00.000Z',
    ],
    // Seven inclusive days; the seven before them start at local midnight in summer time.
    [
      '2026-11-01..2026-11-07',
      WED,
      '2026-10-31T23:00:00.000Z',
      '2026-11-07T23:00:00.000Z',
      '2026-10-24T22:00:00.000Z',
      '2026-10-31T23:00:00.000Z',
    ],
  ])('%s at %s', (text, now, start, end, prevStart, prevEnd) => {
    const spec = parsePeriod(text)!;
    const p = resolvePeriod(spec, now, ZONE);
    expect([iso(p.current.start), iso(p.current.end), iso(p.previous.start), iso(p.previous.end)]).toEqual([
      start,
      end,
      prevStart,
      prevEnd,
    ]);
  });

  it('local dates and labels', () => {
    const p = resolvePeriod({ kind: 'week' }, WED, ZONE);
    expect([p.current.firstDay, p.current.lastDay, p.current.label, p.previous.label]).toEqual([
      '2026-11-23',
      '2026-11-25',
      'week 48 2026 to date',
      'week 47 2026, same days',
    ]);
  });

  it.each<[string, PeriodSpec | undefined]>([
    ['WEEK', { kind: 'week' }],
    ['2026-01-01..2026-03-31', { kind: 'range', from: '2026-01-01', to: '2026-03-31' }],
    ['2026-03-31..2026-01-01', undefined],
    ['2026-02-30..2026-03-01', undefined],
    ['2020-01-01..2026-01-01', undefined],
    ['fortnight', undefined],
    ['2026-01-01', undefined],
  ])('parsePeriod(%j)', (text, expected) => {
    expect(parsePeriod(text)).toEqual(expected);
  });
});

describe('nearest rank', () => {
  it.each<[number[], number, number | undefined]>([
    [[], 0.5, undefined],
    [[7], 0.9, 7],
    [[1, 2, 3, 4], 0.5, 2], // ⌈0.5·4⌉ = 2
    [[1, 2, 3, 4, 5], 0.5, 3], // ⌈2.5⌉ = 3
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9], // ⌈9⌉ = 9
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9, 10], // ⌈9.9⌉ = 10
  ])('%j p%d', (sorted, p, expected) => {
    expect(nearestRank(sorted, p)).toBe(expected);
  });
});

describe('business timeline (what velocity measures thousands of decisions with)', () => {
  const cal = policy.calendar;
  const us = policy.calendars['us-east']!;
  it('Friday 15:00 to Monday 09:00 across the end of summer time: 2 business hours, 67 wall-clock hours', () => {
    const from = new Date('2026-10-23T13:00:00Z');
    const to = new Date('2026-10-26T08:00:00Z');
    const tl = businessTimeline(cal, from, to);
    expect(timelineMinutes(tl, from.getTime(), to.getTime())).toBe(120);
    expect((to.getTime() - from.getTime()) / 3_600_000).toBe(67);
  });
  it('Christmas: Wednesday 23 Dec 16:00 to Monday 28 Dec 09:00 holds 2 business hours', () => {
    const from = new Date('2026-12-23T15:00:00Z');
    const to = new Date('2026-12-28T08:00:00Z');
    expect(timelineMinutes(businessTimeline(cal, from, to), from.getTime(), to.getTime())).toBe(120);
  });
  it('agrees with businessMinutesBetween on both calendars across DST changes and holidays', () => {
    const start = Date.parse('2026-10-20T00:00:00Z');
    const end = Date.parse('2027-01-10T00:00:00Z');
    for (const c of [cal, us]) {
      const tl = businessTimeline(c, new Date(start), new Date(end));
      // A deterministic spread of pairs: minutes apart from 1 to several weeks.
      for (let i = 0; i < 300; i++) {
        const a = start + ((i * 7_919_993_111) % (end - start - 1));
        const b = Math.min(end, a + ((i * 48_271) % 3_000) * 60_000 * (1 + (i % 17)));
        expect(timelineMinutes(tl, a, b)).toBeCloseTo(businessMinutesBetween(c, new Date(a), new Date(b)), 6);
      }
    }
  });
});

describe('velocity figures', () => {
  const d = (
    group: string,
    businessMinutes: number,
    wallMinutes: number,
    slaTargetMinutes = 240,
    slaClock: 'business' | 'wall' = 'business',
  ): Decision & { group: string } => ({ group, businessMinutes, wallMinutes, slaClock, slaTargetMinutes });
  it("median and p90 by nearest rank, compliance on each handoff's own clock", () => {
    const list = [
      d('ana', 60, 60),
      d('ana', 120, 1_000),
      d('bo', 30, 30),
      d('bo', 600, 2_000),
      d('bo', 240, 240),
      d('bo', 0, 90, 60, 'wall'),
    ];
    // business sorted: 0 30 60 120 240 600 → median rank ⌈3⌉ = 60 min, p90 rank ⌈5.4⌉ = 6 → 600 min.
    // wall sorted: 30 60 90 240 1000 2000 → median 90 min, p90 2000 min.
    // Within SLA: 60, 120, 30, 240 (≤ 240 business); 600 is late; the wall tier took 90 > 60 real minutes: 4 / 6.
    expect(velocityFigures(list)).toEqual({
      decisions: 6,
      medianBusinessHours: 1,
      p90BusinessHours: 10,
      medianWallHours: 1.5,
      p90WallHours: 2000 / 60,
      withinSla: 4,
      takenForBreach: 0,
      slaCompliance: 4 / 6,
    });
  });
  it('no decisions: no figures, no NaN', () => {
    const f = velocityFigures([]);
    expect(f).toEqual({
      decisions: 0,
      medianBusinessHours: undefined,
      p90BusinessHours: undefined,
      medianWallHours: undefined,
      p90WallHours: undefined,
      withinSla: 0,
      takenForBreach: 0,
      slaCompliance: undefined,
    });
  });
  it('groups: slowest median first; a rep with only overdue handoffs is listed', () => {
    const groups = velocityGroups(
      [d('ana', 60, 60), d('bo', 600, 600), d('bo', 30, 30)],
      (x) => x.group,
      new Map([
        ['cy', 2],
        ['ana', 1],
      ]),
    );
    expect(groups.map((g) => [g.key, g.decisions, g.medianBusinessHours, g.overdueNow])).toEqual([
      ['ana', 1, 1, 1],
      ['bo', 2, 0.5, 0],
      ['cy', 0, undefined, 2],
    ]);
  });
  it.each<
    [
      string,
      Decision[],
      {
        decisions: number;
        takenForBreach: number;
        medianBusinessHours: number | undefined;
        slaCompliance: number | undefined;
      },
    ]
  >([
    [
      'a holding taken for breach is a miss, not a decision',
      [{ ...d('ana', 60, 60), taken: true }],
      { decisions: 0, takenForBreach: 1, medianBusinessHours: undefined, slaCompliance: 0 },
    ],
    [
      'a miss weighs on compliance, not on the median',
      [d('ana', 60, 60), { ...d('ana', 600, 600), taken: true }],
      { decisions: 1, takenForBreach: 1, medianBusinessHours: 1, slaCompliance: 0.5 },
    ],
    [
      'decisions alone',
      [d('ana', 60, 60), d('ana', 120, 120)],
      { decisions: 2, takenForBreach: 0, medianBusinessHours: 1, slaCompliance: 1 },
    ],
  ])('holdings: %s', (_name, holdings, expected) => {
    expect(velocityFigures(holdings)).toMatchObject(expected);
  });
});

describe('reverse funnel', () => {
  it('the docs/reports.md example: 10,000,000 revenue, 50,000 deals, 25 % close, 20 % MQL→SQL', () => {
    const steps = reverseFunnel({ revenue: 10_000_000, deal: 50_000, close: 0.25, sql: 0.2, months: 12 }, 21);
    // 200 deals; 800 SQLs; 4,000 MQLs. Per month ⌈200/12⌉ = 17, ⌈66.7⌉ = 67, ⌈333.3⌉ = 334; per business day ⌈4000/12/21 = 15.9⌉ = 16.
    expect(steps).toEqual([
      { stage: 'deals', total: 200, perMonth: 17, perBusinessDay: 1 },
      { stage: 'sqls', total: 800, perMonth: 67, perBusinessDay: 4 },
      { stage: 'mqls', total: 4000, perMonth: 334, perBusinessDay: 16 },
    ]);
  });
  it('leads and visits from their rates, rounding up at every step', () => {
    const steps = reverseFunnel(
      { revenue: 1_000_001, deal: 50_000, close: 0.3, sql: 0.15, mql: 0.1, visit: 0.02, months: 1 },
      20,
    );
    // ⌈20.00002⌉ = 21 deals; ⌈70⌉ = 70 SQLs; ⌈466.7⌉ = 467 MQLs; 4,670 leads; 233,500 visits.
    expect(steps.map((s) => [s.stage, s.total])).toEqual([
      ['deals', 21],
      ['sqls', 70],
      ['mqls', 467],
      ['leads', 4670],
      ['visits', 233_500],
    ]);
  });
});

describe('leads per business day and pace', () => {
  const cal = policy.calendar;
  it("December 2026 with Christmas and New Year's Eve holidays", () => {
    // 23 weekdays, less 24, 25 and 31 Dec (26 Dec is a Saturday) = 20; by Tuesday 15 Dec, 11 have begun.
    const inMonth = businessDaysInRange(cal, '2026-12-01', '2026-12-31');
    const elapsed = businessDaysInRange(cal, '2026-12-01', '2026-12-15');
    const november = businessDaysInRange(cal, '2026-11-01', '2026-11-30');
    expect([inMonth, elapsed, november]).toEqual([20, 11, 21]);
    const p = paceFigures({ mqls: 200, businessDays: elapsed }, inMonth, { mqls: 420, businessDays: november }, 400);
    // Expected by now 400 × 11 / 20 = 220; pace 200 / 220. Per day 200 / 11 against 420 / 21 = 20.
    expect(p.expectedByNow).toBe(220);
    expect(p.pace).toBeCloseTo(200 / 220, 12);
    expect(p.leadsPerBusinessDay.value).toBeCloseTo(200 / 11, 12);
    expect(p.leadsPerBusinessDay.previous).toBe(20);
    // A count per day: its change is in percent.
    expect(p.leadsPerBusinessDay.change).toBeCloseTo((200 / 11 / 20 - 1) * 100, 10);
    expect(p.leadsPerBusinessDay.changeUnit).toBe('percent');
  });
  it('a month that has not had a business day yet, and no goal: no figures, no NaN', () => {
    const p = paceFigures({ mqls: 0, businessDays: 0 }, 22, { mqls: 0, businessDays: 21 }, undefined);
    expect([
      p.leadsPerBusinessDay.value,
      p.leadsPerBusinessDay.previous,
      p.leadsPerBusinessDay.change,
      p.expectedByNow,
      p.pace,
    ]).toEqual([undefined, 0, undefined, undefined, undefined]);
    expect(paceFigures({ mqls: 0, businessDays: 0 }, 22, { mqls: 0, businessDays: 21 }, 400).pace).toBeUndefined();
  });
});

describe('funnel figures', () => {
  const empty = funnelInputs({ groups: [] });
  it('an empty period divides by nothing', () => {
    const f = funnelFigures(empty, empty, (id) => id);
    expect(f.steps.map((s) => [s.count.value, s.count.change, s.conversion?.value])).toEqual([
      [0, undefined, undefined],
      [0, undefined, undefined],
      [0, undefined, undefined],
      [0, undefined, undefined],
      [0, undefined, undefined],
      [0, undefined, undefined],
    ]);
    expect([f.acceptanceRate.value, f.mqlToSql.value, f.leadToCustomer.value, f.marketingSourcedShare.value]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(JSON.stringify(f)).not.toMatch(/NaN|null/);
  });
  it.each<[string, Partial<FunnelInputs['cohort']>, Partial<FunnelInputs['flow']>, (number | undefined)[]]>([
    // 6 SQLs entered this week from 1 handoff started in it: the flow count stays 6, the conversion is 1 of 1.
    [
      'SQLs from earlier handoffs',
      { started: 1, accepted: 1, reachedSql: 1 },
      { handoffsStarted: 1, accepted: 9, sql: 6, opportunity: 9 },
      [undefined, undefined, 1, 1, 0, 0],
    ],
    [
      'a cohort half way',
      { started: 4, accepted: 2, rejected: 1, pending: 1, reachedSql: 1, reachedOpportunity: 1 },
      { handoffsStarted: 4, sql: 2 },
      [undefined, undefined, 0.5, 0.25, 0.25, 0],
    ],
    ['no handoffs started', {}, { sql: 3 }, [undefined, undefined, undefined, undefined, undefined, undefined]],
  ])("conversion beside a step is the cohort's, never over 100 %%: %s", (_name, cohort, flow, expected) => {
    const cur = funnelInputs({ groups: [], flow, cohort });
    const f = funnelFigures(cur, empty, (id) => id);
    expect(f.steps.map((s) => s.conversion?.value)).toEqual(expected);
    expect(f.steps[3]!.count.value).toBe(flow.sql);
  });
  it('rates, changes and reasons', () => {
    const cur: FunnelInputs = {
      flow: {
        leadsCreated: 40,
        handoffsStarted: 10,
        accepted: 6,
        rejected: 3,
        sql: 3,
        opportunity: 2,
        customer: 2,
        lost: 1,
        customersFromMarketing: 1,
      },
      cohort: {
        started: 10,
        pending: 2,
        accepted: 6,
        rejected: 2,
        reachedSql: 3,
        reachedOpportunity: 2,
        reachedCustomer: 1,
      },
      leadCohort: { created: 40, customers: 1 },
      rejections: [
        { reason: 'no-budget', count: 1 },
        { reason: 'not-icp', count: 2 },
      ],
      groups: [
        {
          key: 'webinar',
          started: 4,
          pending: 0,
          accepted: 3,
          rejected: 1,
          reachedSql: 1,
          reachedOpportunity: 1,
          reachedCustomer: 0,
        },
        {
          key: null,
          started: 6,
          pending: 2,
          accepted: 3,
          rejected: 1,
          reachedSql: 2,
          reachedOpportunity: 1,
          reachedCustomer: 1,
        },
      ],
    };
    const prev = funnelInputs({
      groups: [],
      flow: { handoffsStarted: 8 },
      cohort: { started: 8, accepted: 4, rejected: 4, reachedSql: 2 },
    });
    const f = funnelFigures(cur, prev, (id) => `label ${id}`);
    // A count changes in percent; MQLs are the cohort itself, so no conversion stands beside them.
    expect(f.steps[1]).toEqual({
      stage: 'mqls',
      count: { value: 10, previous: 8, change: 25, changeUnit: 'percent' },
      conversion: undefined,
    });
    // 6 / (6 + 2) now against 4 / 8: a rate changes in points (+25), not in percent (+50 %); MQL→SQL 3 / 10 against 2 / 8.
    expect(f.acceptanceRate).toEqual({ value: 0.75, previous: 0.5, change: 25, changeUnit: 'points' });
    expect(f.mqlToSql).toEqual({
      value: 0.3,
      previous: 0.25,
      change: expect.closeTo(5, 10) as unknown,
      changeUnit: 'points',
    });
    // The cohort carries its previous values: 10 started against 8.
    expect(f.cohort.started).toEqual({ value: 10, previous: 8, change: 25, changeUnit: 'percent' });
    expect(f.cohort.reachedSql).toMatchObject({ value: 3, previous: 2 });
    expect(f.leadToCustomer.value).toBe(1 / 40);
    expect(f.marketingSourcedShare.value).toBe(0.5);
    expect(f.rejectionReasons).toEqual([
      { reason: 'not-icp', label: 'label not-icp', count: 2, share: 2 / 3 },
      { reason: 'no-budget', label: 'label no-budget', count: 1, share: 1 / 3 },
    ]);
    expect(f.breakdown?.map((b) => [b.key, b.handoffs, b.acceptanceRate, b.mqlToSql])).toEqual([
      ['(none)', 6, 0.75, 2 / 6],
      ['webinar', 4, 0.75, 0.25],
    ]);
  });
});

describe('business timeline on DST nights', () => {
  // Windows across the changes themselves: 01:00-04:00 holds 2 real hours on the spring-forward
  // night and 4 on the fall-back night; a window opening at 02:30, a time the clocks skip, opens at 03:00.
  const night = (windows: string[]) => ({
    ...policy.calendar,
    holidays: [],
    week: {
      ...policy.calendar.week,
      sun: windows.map((w) => ({
        start: Number(w.slice(0, 2)) * 60 + Number(w.slice(3, 5)),
        end: Number(w.slice(6, 8)) * 60 + Number(w.slice(9, 11)),
      })),
    },
  });
  it.each<[string, string[], number]>([
    ['2026-03-29', ['01:00-04:00'], 120],
    ['2026-10-25', ['01:00-04:00'], 240],
    ['2026-03-29', ['02:30-05:00'], 120],
    ['2026-03-29', ['00:30-02:30'], 90],
  ])('%s %j', (date, windows, minutes) => {
    const cal = night(windows);
    const from = new Date(`${date}T00:00:00Z`);
    const to = new Date(from.getTime() + 86_400_000 - 1);
    const from2 = new Date(from.getTime() - 3 * 3_600_000);
    expect(timelineMinutes(businessTimeline(cal, from2, to), from2.getTime(), to.getTime())).toBe(minutes);
    expect(businessMinutesBetween(cal, from2, to)).toBe(minutes);
  });
});

describe('report command arguments', () => {
  it.each<[string, unknown]>([
    ['', { ok: true, value: { period: { kind: 'week' }, by: undefined, chart: false } }],
    ['month by Channel', { ok: true, value: { period: { kind: 'month' }, by: 'channel', chart: false } }],
    ['by rep', { ok: true, value: { period: { kind: 'week' }, by: 'rep', chart: false } }],
    [
      '2026-01-01..2026-03-31 by team',
      {
        ok: true,
        value: { period: { kind: 'range', from: '2026-01-01', to: '2026-03-31' }, by: 'team', chart: false },
      },
    ],
    ['month chart', { ok: true, value: { period: { kind: 'month' }, by: undefined, chart: true } }],
    ['chart quarter by rep', { ok: true, value: { period: { kind: 'quarter' }, by: 'rep', chart: true } }],
    ['month by', { ok: false, problem: '"by" takes one of channel, persona, source, team, rep.' }],
    ['month please', { ok: false, problem: 'Baton does not understand "please".' }],
    ['weak', { ok: false, problem: '"weak" is not a period. Did you mean "week"?' }],
    ['lastweek by rep', { ok: false, problem: '"lastweek" is not a period. Did you mean "last-week"?' }],
    ['quater', { ok: false, problem: '"quater" is not a period. Did you mean "quarter"?' }],
    [
      'fortnight',
      {
        ok: false,
        problem: '"fortnight" is not a period (a range is two real dates in order, at most two years apart).',
      },
    ],
  ])('/funnel %j', (text, expected) => {
    expect(parsePeriodAndGroup(text, DIMENSIONS)).toEqual(expected);
  });

  it.each<[string, unknown]>([
    [
      'revenue=10,000,000 deal=50k close=25% sql=20%',
      { ok: true, value: { revenue: 10_000_000, deal: 50_000, close: 0.25, sql: 0.2, months: 12 } },
    ],
    [
      'revenue=1.5m deal=50000 close=25 sql=20% mql=10% visit=2.5% months=6',
      {
        ok: true,
        value: { revenue: 1_500_000, deal: 50_000, close: 0.25, sql: 0.2, mql: 0.1, visit: 0.025, months: 6 },
      },
    ],
    [
      'revenue=1m deal=0 close=0% sql=20% months=0',
      {
        ok: false,
        problem:
          'Check the arguments: deal must be more than 0; close must be more than 0 %; months must be at least 1.',
      },
    ],
    ['revenue 1m', { ok: false, problem: '"revenue" is not a key=value pair.' }],
    [
      'revenue=-5 deal=50k close=-25% sql=20%',
      { ok: false, problem: 'Check the arguments: revenue must be more than 0; close must be more than 0 %.' },
    ],
  ])('/leadgoal %j', (text, expected) => {
    expect(parseLeadGoal(text)).toEqual(expected);
  });
});
