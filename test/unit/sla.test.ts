import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { LeadProfile } from '../../src/domain/lead.js';
import { deliveryTime, dueAt, elapsedOnClock, freezeTier, selectTier, stepDueAt } from '../../src/domain/sla.js';
import { examplePolicy } from '../helpers/app.js';

const policy = examplePolicy();
const cal = policy.calendar;
const at = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Stockholm' }).toJSDate();
const demo = (minutesAgo: number): LeadProfile => ({ activities: [{ type: 'demo_request', at: new Date(Date.now() - minutesAgo * 60_000) }] });

describe('SLA tiers', () => {
  it.each<[string, LeadProfile, number, string]>([
    ['hot inbound: demo request and score 80+', demo(5), 90, 'hot-inbound'],
    ['a demo request below 80 is the demo tier', demo(5), 60, 'demo'],
    ['anything else is the default tier', { activities: [] }, 95, 'standard'],
  ])('%s', (_name, lead, score, tier) => {
    expect(selectTier(policy.sla.tiers, lead, policy.regions, score).id).toBe(tier);
  });

  it('freezes targets and steps into minutes on the tier\'s clock', () => {
    expect(freezeTier(policy.sla.tiers[2]!, 8)).toEqual({
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
    expect(freezeTier(policy.sla.tiers[0]!, 8)).toMatchObject({ clock: 'wall', targetMinutes: 60, steps: [{}, { repeatEveryMinutes: 30 }, {}, {}] });
  });

  const standard = freezeTier(policy.sla.tiers[2]!, 8);
  const hot = freezeTier(policy.sla.tiers[0]!, 8);

  it.each<[string, typeof standard, string, string]>([
    // 16 business hours from Friday 15:00 (Fri closes 16:00): 1 h Fri, 8 h Mon, 7 h Tue → Tue 16:00.
    ['2 business days from Friday afternoon', standard, '2026-11-27T15:00', '2026-12-01T16:00'],
    ['a wall-clock hour runs through the night', hot, '2026-11-27T23:30', '2026-11-28T00:30'],
    // Monday to Thursday are 8-hour days: 16 hours from Monday 08:00 is Tuesday 17:00.
    ['assigned on a Sunday: the clock starts Monday 08:00', standard, '2026-11-29T20:00', '2026-12-01T17:00'],
  ])('%s', (_name, plan, start, due) => {
    expect(dueAt(plan, cal, at(start)).toISOString()).toBe(at(due).toISOString());
  });

  it('steps fall due at their share of the target, and messages wait for business hours', () => {
    // 50 % of 16 h = 8 h: 1 h on Friday, then Monday 08-12 and 13-16.
    const remind = stepDueAt(standard, standard.steps[0]!, cal, at('2026-11-27T15:00'));
    expect(remind.toISOString()).toBe(at('2026-11-30T16:00').toISOString());
    const hotRemind = stepDueAt(hot, hot.steps[0]!, cal, at('2026-11-27T23:30'));
    expect(hotRemind.toISOString()).toBe(at('2026-11-28T00:00').toISOString());
    expect(deliveryTime(hot, cal, hotRemind).toISOString()).toBe(hotRemind.toISOString());
    expect(deliveryTime(standard, cal, at('2026-11-28T10:00')).toISOString()).toBe(at('2026-11-30T08:00').toISOString());
    expect(deliveryTime(standard, cal, at('2026-11-30T14:00'), 'America/New_York').toISOString()).toBe(at('2026-11-30T14:00').toISOString());
    expect(deliveryTime(standard, cal, at('2026-11-30T07:00'), 'America/New_York').toISOString()).toBe(at('2026-11-30T14:00').toISOString());
  });

  it('elapsed time is measured on the plan\'s own clock', () => {
    expect(elapsedOnClock(standard, cal, at('2026-11-27T15:00'), at('2026-11-30T09:00'))).toBe(120);
    expect(elapsedOnClock(hot, cal, at('2026-11-27T15:00'), at('2026-11-30T09:00'))).toBe(66 * 60);
  });
});
