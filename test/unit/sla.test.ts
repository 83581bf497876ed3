import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parsePolicy, type TierPolicy } from '../../src/config/policy.js';
import type { LeadProfile } from '../../src/domain/lead.js';
import {
  deliveryTime,
  dueAt,
  elapsedOnClock,
  freezeTier,
  isWithinSla,
  nextRepeat,
  noticeWindow,
  performAt,
  scheduleSteps,
  selectTier,
  stepDueAt,
  type SlaPlan,
} from '../../src/domain/sla.js';

// The example policy: Stockholm, Mon-Thu 08-12 + 13-17 (8 h), Fri 08-12 + 13-16 (7 h), Christmas holidays.
const policy = parsePolicy(readFileSync(path.resolve(import.meta.dirname, '../../policy.example.yml'), 'utf8'));
const cal = policy.calendar;
const tier = (id: string): TierPolicy => {
  const t = policy.sla.tiers.find((x) => x.id === id);
  if (!t) throw new Error(`no tier ${id} in the example policy`);
  return t;
};
const at = (iso: string): Date => DateTime.fromISO(iso, { zone: 'Europe/Stockholm' }).toJSDate();
const demoLead: LeadProfile = { activities: [{ type: 'demo_request', at: at('2026-11-20T10:00') }] };

const hot = freezeTier(tier('hot-inbound'), 8);
const demo = freezeTier(tier('demo'), 8);
const standard = freezeTier(tier('standard'), 8);
const step = (plan: SlaPlan, action: string): SlaPlan['steps'][number] => {
  const s = plan.steps.find((x) => x.action === action);
  if (!s) throw new Error(`no ${action} step in ${plan.tierId}`);
  return s;
};

describe('choosing a tier', () => {
  it.each<[string, LeadProfile, number, string]>([
    ['hot inbound: demo request and score 80+', demoLead, 90, 'hot-inbound'],
    ['a demo request below 80 is the demo tier', demoLead, 60, 'demo'],
    ['a high score without a demo request is the default tier', { activities: [] }, 95, 'standard'],
    [
      'other activity is the default tier',
      { activities: [{ type: 'webinar', at: at('2026-11-20T10:00') }] },
      95,
      'standard',
    ],
  ])('%s', (_name, lead, score, expected) => {
    expect(selectTier(policy.sla.tiers, lead, policy.regions, score).id).toBe(expected);
  });

  it('the last tier is the default even when nothing matches', () => {
    const only = [{ ...tier('demo'), id: 'only-demo' }];
    expect(selectTier(only, { activities: [] }, {}, 0).id).toBe('only-demo');
    expect(() => selectTier([], demoLead, {}, 0)).toThrow(/no SLA tiers/);
  });
});

describe('freezing a tier onto a handoff', () => {
  it('turns targets and repeats into minutes on the tier’s clock, and steps keep their policy index', () => {
    expect(standard).toEqual({
      tierId: 'standard',
      clock: 'business',
      targetMinutes: 16 * 60,
      steps: [
        { index: 0, at: 0.5, action: 'remind_rep' },
        { index: 1, at: 1, action: 'notify_manager', repeatEveryMinutes: 8 * 60 },
        { index: 2, at: 1, action: 'notify_marketing' },
        { index: 3, at: 2, action: 'reassign' },
      ],
    });
    expect(hot).toMatchObject({ clock: 'wall', targetMinutes: 60, steps: [{}, { repeatEveryMinutes: 30 }, {}, {}] });
    expect(demo).toMatchObject({
      clock: 'business',
      targetMinutes: 240,
      steps: [{}, { repeatEveryMinutes: 120 }, {}, { at: 1.5 }],
    });
  });

  it.each<[string, number, number]>([
    ['2d with 8-hour days', 8, 16 * 60],
    ['2d with 7.5-hour days', 7.5, 15 * 60],
  ])('%s', (_name, hoursPerDay, minutes) => {
    expect(freezeTier(tier('standard'), hoursPerDay).targetMinutes).toBe(minutes);
  });

  it('a wall-clock day is 24 hours whatever the business day', () => {
    const wallDays = freezeTier({ ...tier('standard'), clock: 'wall' }, 8);
    expect(wallDays.targetMinutes).toBe(48 * 60);
    expect(step(wallDays, 'notify_manager').repeatEveryMinutes).toBe(24 * 60);
  });

  it('is plain JSON: stored and read back it is the same plan', () => {
    for (const plan of [hot, demo, standard]) expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });
});

describe('deadlines', () => {
  it.each<[string, SlaPlan, string, string]>([
    // 16 business hours from Friday 15:00 (Fri closes 16:00): 1 h Fri, 8 h Mon, 7 h Tue.
    ['2 business days from Friday afternoon', standard, '2026-11-27T15:00', '2026-12-01T16:00'],
    ['assigned on a Sunday: the clock starts Monday 08:00', standard, '2026-11-29T20:00', '2026-12-01T17:00'],
    // 3 h Wed, closed 24-27 Dec, 8 h Mon 28th, 5 h Tue 29th.
    ['over the Christmas holidays', standard, '2026-12-23T14:00', '2026-12-29T14:00'],
    [
      '4 business hours from Friday 15:30: half an hour Friday, Monday 08:00-11:30',
      demo,
      '2026-11-27T15:30',
      '2026-11-30T11:30',
    ],
    ['a wall-clock hour runs through the night', hot, '2026-11-27T23:30', '2026-11-28T00:30'],
    ['a wall-clock hour on Christmas Eve is an hour', hot, '2026-12-24T10:00', '2026-12-24T11:00'],
  ])('%s', (_name, plan, start, due) => {
    expect(dueAt(plan, cal, at(start)).toISOString()).toBe(at(due).toISOString());
  });

  it('a wall-clock hour is a real hour on a fall-back night (02:30 CEST to 02:30 CET)', () => {
    expect(dueAt(hot, cal, new Date('2026-10-25T00:30:00Z')).toISOString()).toBe('2026-10-25T01:30:00.000Z');
  });

  it.each<[string, SlaPlan, string, string, string]>([
    [
      'remind the rep at 50 %: 1 h Friday, then Monday 08-12 and 13-16',
      standard,
      'remind_rep',
      '2026-11-27T15:00',
      '2026-11-30T16:00',
    ],
    ['reassign at 200 %: four 8-hour days', standard, 'reassign', '2026-11-23T08:00', '2026-11-26T17:00'],
    [
      'manager at 100 % on the demo tier: due before lunch, not after',
      demo,
      'notify_manager',
      '2026-11-23T08:00',
      '2026-11-23T12:00',
    ],
    ['reassign at 150 % of 4 h', demo, 'reassign', '2026-11-23T08:00', '2026-11-23T15:00'],
    ['remind at 50 % of a wall hour, overnight', hot, 'remind_rep', '2026-11-27T23:30', '2026-11-28T00:00'],
    ['reassign at 150 % of a wall hour', hot, 'reassign', '2026-11-27T23:30', '2026-11-28T01:00'],
  ])('%s', (_name, plan, action, start, due) => {
    expect(stepDueAt(plan, step(plan, action), cal, at(start)).toISOString()).toBe(at(due).toISOString());
  });

  it('a share of an odd target keeps its seconds', () => {
    const short: SlaPlan = {
      tierId: 'short',
      clock: 'business',
      targetMinutes: 45,
      steps: [{ index: 0, at: 0.5, action: 'remind_rep' }],
    };
    expect(stepDueAt(short, step(short, 'remind_rep'), cal, at('2026-11-23T08:00')).toISOString()).toBe(
      at('2026-11-23T08:22:30').toISOString(),
    );
  });
});

describe('when messages reach people', () => {
  it.each<[string, SlaPlan, string, string | undefined, string]>([
    ['business tier, due on a Saturday: Monday 08:00', standard, '2026-11-28T10:00', undefined, '2026-11-30T08:00'],
    ['business tier, due at lunch: 13:00', standard, '2026-11-30T12:10', undefined, '2026-11-30T13:00'],
    ['business tier, due in hours: at once', standard, '2026-11-30T09:00', undefined, '2026-11-30T09:00'],
    ['business tier, due on Christmas Day: the 28th', demo, '2026-12-25T09:00', undefined, '2026-12-28T08:00'],
    [
      'a New York rep at 08:00 their time (14:00 Stockholm): at once',
      standard,
      '2026-11-30T14:00',
      'America/New_York',
      '2026-11-30T14:00',
    ],
    [
      'a New York rep at 01:00 their time: their 08:00',
      standard,
      '2026-11-30T07:00',
      'America/New_York',
      '2026-11-30T14:00',
    ],
    ['wall tier, Sunday 03:00: at once', hot, '2026-11-29T03:00', undefined, '2026-11-29T03:00'],
    ['wall tier ignores the rep’s zone too', hot, '2026-11-29T03:00', 'America/New_York', '2026-11-29T03:00'],
  ])('%s', (_name, plan, due, zone, expected) => {
    expect(deliveryTime(plan, cal, at(due), zone).toISOString()).toBe(at(expected).toISOString());
  });

  it.each<[string, SlaPlan, string, string, string | undefined]>([
    [
      'the standard manager notice repeats a business day later',
      standard,
      'notify_manager',
      '2026-12-01T16:00',
      '2026-12-02T16:00',
    ],
    [
      'the demo manager notice repeats 2 business hours later, over the weekend',
      demo,
      'notify_manager',
      '2026-11-27T15:30',
      '2026-11-30T09:30',
    ],
    [
      'the hot manager notice repeats 30 real minutes later, at night',
      hot,
      'notify_manager',
      '2026-11-28T00:30',
      '2026-11-28T01:00',
    ],
    ['a reminder does not repeat', standard, 'remind_rep', '2026-12-01T16:00', undefined],
  ])('%s', (_name, plan, action, after, expected) => {
    expect(nextRepeat(plan, step(plan, action), cal, at(after))?.toISOString()).toBe(
      expected === undefined ? undefined : at(expected).toISOString(),
    );
  });
});

describe('elapsed time and compliance', () => {
  it.each<[string, SlaPlan, string, string, number, boolean]>([
    ['accepted in 1 h 12 min', standard, '2026-11-23T10:00', '2026-11-23T11:12', 72, true],
    ['over a weekend only business time counts', standard, '2026-11-27T15:00', '2026-11-30T09:00', 120, true],
    ['decided exactly at the deadline', standard, '2026-11-27T15:00', '2026-12-01T16:00', 16 * 60, true],
    ['a minute after the deadline', standard, '2026-11-27T15:00', '2026-12-01T16:01', 16 * 60 + 1, false],
    ['a wall-clock tier counts the whole weekend', hot, '2026-11-27T15:00', '2026-11-30T09:00', 66 * 60, false],
    ['a wall-clock hour exactly', hot, '2026-11-27T23:30', '2026-11-28T00:30', 60, true],
    [
      'a decision stamped before the assignment is no time at all',
      hot,
      '2026-11-27T23:30',
      '2026-11-27T23:00',
      0,
      true,
    ],
  ])('%s', (_name, plan, from, to, minutes, within) => {
    expect(elapsedOnClock(plan, cal, at(from), at(to))).toBe(minutes);
    expect(isWithinSla(plan, cal, at(from), at(to))).toBe(within);
  });

  it.each([
    '2026-11-23T08:00',
    '2026-11-27T15:59',
    '2026-11-28T12:00',
    '2026-12-23T16:30',
    '2026-03-27T15:00',
    '2026-10-23T15:00',
  ])('a decision at the deadline is within the SLA, and the deadline is the target away (from %s)', (start) => {
    for (const plan of [hot, demo, standard]) {
      const due = dueAt(plan, cal, at(start));
      expect(elapsedOnClock(plan, cal, at(start), due)).toBe(plan.targetMinutes);
      expect(isWithinSla(plan, cal, at(start), due)).toBe(true);
    }
  });
});

describe("scheduling a rep's steps (scheduleSteps)", () => {
  const zones = { repZone: 'Europe/Stockholm', managerZone: 'Europe/Stockholm', marketingZone: 'Europe/Stockholm' };
  const iso = (d: Date): string =>
    DateTime.fromJSDate(d, { zone: 'Europe/Stockholm' }).toFormat('ccc yyyy-MM-dd HH:mm');

  it.each<[string, SlaPlan, string, Record<string, string>]>([
    // demo = 4 business hours: remind at 2 h, manager and marketing at 4 h, reassign at 6 h.
    [
      'demo, Tuesday 09:00',
      demo,
      '2026-11-24T09:00',
      {
        remind_rep: 'Tue 2026-11-24 11:00',
        notify_manager: 'Tue 2026-11-24 14:00',
        notify_marketing: 'Tue 2026-11-24 14:00',
        reassign: 'Tue 2026-11-24 16:00',
      },
    ],
    // Friday 15:00: one business hour left that day (Fri closes 16:00), then Monday.
    [
      'demo, Friday 15:00 → Monday',
      demo,
      '2026-11-27T15:00',
      {
        remind_rep: 'Mon 2026-11-30 09:00',
        notify_manager: 'Mon 2026-11-30 11:00',
        notify_marketing: 'Mon 2026-11-30 11:00',
        reassign: 'Mon 2026-11-30 14:00',
      },
    ],
    // Christmas Eve to Boxing Day are holidays: a 23 Dec 16:00 start resumes on the 28th.
    [
      'demo, across the Christmas holidays',
      demo,
      '2026-12-23T16:00',
      {
        remind_rep: 'Mon 2026-12-28 09:00',
        notify_manager: 'Mon 2026-12-28 11:00',
        notify_marketing: 'Mon 2026-12-28 11:00',
        reassign: 'Mon 2026-12-28 14:00',
      },
    ],
    // Wall clock: one real hour, nights included, and nobody's hours are waited for.
    [
      'hot inbound at 23:00 (wall clock)',
      hot,
      '2026-11-24T23:00',
      {
        remind_rep: 'Tue 2026-11-24 23:30',
        notify_manager: 'Wed 2026-11-25 00:00',
        notify_marketing: 'Wed 2026-11-25 00:00',
        reassign: 'Wed 2026-11-25 00:30',
      },
    ],
  ])('%s', (_name, plan, start, expected) => {
    const steps = scheduleSteps(plan, cal, at(start), 'U0REP', zones, { firstRep: true });
    expect(Object.fromEntries(steps.map((s) => [s.action, iso(s.dueAt)]))).toEqual(expected);
    expect(steps.every((s) => s.occurrence === 1 && s.repUserId === 'U0REP')).toBe(true);
  });

  it("a message waits for its reader's own hours: a rep in New York is reminded at their 08:00", () => {
    // Reminder due Tue 11:00 Stockholm = 05:00 New York: held to 08:00 New York (14:00 Stockholm).
    const steps = scheduleSteps(
      demo,
      cal,
      at('2026-11-24T09:00'),
      'U0REP',
      { ...zones, repZone: 'America/New_York' },
      { firstRep: true },
    );
    expect(iso(steps.find((s) => s.action === 'remind_rep')!.dueAt)).toBe('Tue 2026-11-24 14:00');
    // The reassignment is no message: it happens when due.
    expect(iso(steps.find((s) => s.action === 'reassign')!.dueAt)).toBe('Tue 2026-11-24 16:00');
  });

  it("a reassigned rep gets every step but the marketing note, which is the handoff's, told once", () => {
    const steps = scheduleSteps(demo, cal, at('2026-11-24T09:00'), 'U0NEW', zones, { firstRep: false });
    expect(steps.map((s) => s.action).sort()).toEqual(['notify_manager', 'reassign', 'remind_rep']);
  });

  it('performAt: a wall-clock tier never waits; a business tier waits for the next opening', () => {
    const night = at('2026-11-24T23:00');
    expect(performAt(hot, cal, 'remind_rep', night, zones)).toEqual(night);
    expect(iso(performAt(demo, cal, 'remind_rep', night, zones))).toBe('Wed 2026-11-25 08:00');
    expect(performAt(demo, cal, 'reassign', night, zones)).toEqual(night);
  });
});

describe('notice windows', () => {
  const WINDOW = 2 * 60_000;
  it.each<[string, string, string]>([
    ['2026-11-24T13:00:00.000Z', '2026-11-24T13:00:00.000Z', '2026-11-24T13:02:00.000Z'],
    ['2026-11-24T13:01:59.999Z', '2026-11-24T13:00:00.000Z', '2026-11-24T13:02:00.000Z'],
    ['2026-11-24T13:02:00.000Z', '2026-11-24T13:02:00.000Z', '2026-11-24T13:04:00.000Z'],
  ])('a notice performed at %s joins the batch of %s, sent at %s', (at, key, sendAt) => {
    const w = noticeWindow(new Date(at), WINDOW);
    expect(w.key).toBe(key);
    expect(w.sendAt.toISOString()).toBe(sendAt);
  });
});
