import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { CalendarPolicy } from '../../src/config/policy.js';
import { addBusinessMinutes, businessDaysInRange, businessMinutesBetween, durationToMinutes, isOpen, nextOpening } from '../../src/domain/calendar.js';

type Week = CalendarPolicy['week'];
const hm = (s: string) => {
  const [a, b] = s.split('-') as [string, string];
  const m = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  return { start: m(a), end: m(b) };
};
function cal(timeZone: string, week: Partial<Record<keyof Week, string[]>>, holidays: string[] = []): CalendarPolicy {
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
  return { timeZone, hoursPerBusinessDay: 8, holidays, week: Object.fromEntries(days.map((d) => [d, (week[d] ?? []).map(hm)])) as Week };
}
const weekdays = (windows: string[]) => ({ mon: windows, tue: windows, wed: windows, thu: windows, fri: windows });
const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toJSDate();

const STHLM = cal('Europe/Stockholm', weekdays(['09:00-12:00', '13:00-17:00']), ['2026-12-24', '2026-12-25']);
const NIGHT = cal('Europe/Stockholm', { sun: ['00:00-06:00'], sat: ['00:00-06:00'] });
const NY = cal('America/New_York', weekdays(['09:00-17:00']));

describe('business minutes between two instants', () => {
  it.each<[string, CalendarPolicy, string, string, number]>([
    ['inside one window', STHLM, '2026-11-23T09:30', '2026-11-23T11:00', 90],
    ['across lunch', STHLM, '2026-11-23T11:00', '2026-11-23T14:00', 120],
    ['Friday evening to Monday 10:00', STHLM, '2026-11-27T18:00', '2026-11-30T10:00', 60],
    ['Friday 16:00 to Monday 10:00', STHLM, '2026-11-27T16:00', '2026-11-30T10:00', 120],
    ['a holiday in the middle (Thu 24 and Fri 25 Dec)', STHLM, '2026-12-23T16:00', '2026-12-28T10:00', 120],
    ['a whole week is five 7-hour days', STHLM, '2026-11-23T00:00', '2026-11-30T00:00', 5 * 7 * 60],
    ['spring forward: the 00:00-06:00 window on 29 March holds 5 real hours', NIGHT, '2026-03-29T00:00', '2026-03-29T12:00', 5 * 60],
    ['fall back: the 00:00-06:00 window on 25 October holds 7 real hours', NIGHT, '2026-10-25T00:00', '2026-10-25T12:00', 7 * 60],
    ['New York DST weekend (8 March) changes nothing on weekdays', NY, '2026-03-06T16:00', '2026-03-09T10:00', 120],
    ['New York fall back (1 November)', NY, '2026-10-30T16:00', '2026-11-02T10:00', 120],
    ['end before start is zero', STHLM, '2026-11-23T12:00', '2026-11-23T10:00', 0],
    ['a closed day is zero', STHLM, '2026-11-28T00:00', '2026-11-29T23:59', 0],
  ])('%s', (_name, c, from, to, minutes) => {
    expect(businessMinutesBetween(c, at(from, c.timeZone), at(to, c.timeZone))).toBe(minutes);
  });

  it("reads the same weekly hours in a rep's own zone", () => {
    // 09:00-17:00 in New York is 15:00-23:00 in Stockholm on 23 Nov 2026.
    const from = at('2026-11-23T14:00', 'Europe/Stockholm');
    const to = at('2026-11-23T16:00', 'Europe/Stockholm');
    expect(businessMinutesBetween(STHLM, from, to)).toBe(120);
    expect(businessMinutesBetween(STHLM, from, to, 'America/New_York')).toBe(60);
  });
});

describe('adding business time', () => {
  it.each<[string, CalendarPolicy, string, number, string]>([
    ['within a window', STHLM, '2026-11-23T09:00', 60, '2026-11-23T10:00'],
    ['over lunch', STHLM, '2026-11-23T11:30', 60, '2026-11-23T13:30'],
    ['Friday 16:30 plus an hour is Monday 09:30', STHLM, '2026-11-27T16:30', 60, '2026-11-30T09:30'],
    ['outside hours the clock starts at the next opening', STHLM, '2026-11-28T22:00', 0, '2026-11-30T09:00'],
    ['ending exactly at closing stays at closing', STHLM, '2026-11-23T16:00', 60, '2026-11-23T17:00'],
    ['over the Christmas holidays', STHLM, '2026-12-23T16:00', 120, '2026-12-28T10:00'],
    ['16 business hours: 7 Monday, 7 Tuesday, 2 Wednesday', STHLM, '2026-11-23T09:00', 16 * 60, '2026-11-25T11:00'],
    ['through a spring-forward night', NIGHT, '2026-03-29T00:00', 5 * 60, '2026-03-29T06:00'],
  ])('%s', (_name, c, start, minutes, expected) => {
    expect(addBusinessMinutes(c, at(start, c.timeZone), minutes).toISOString()).toBe(at(expected, c.timeZone).toISOString());
  });

  it('next opening and open/closed', () => {
    expect(nextOpening(STHLM, at('2026-11-23T12:30', STHLM.timeZone)).toISOString()).toBe(at('2026-11-23T13:00', STHLM.timeZone).toISOString());
    expect(isOpen(STHLM, at('2026-11-23T12:30', STHLM.timeZone))).toBe(false);
    expect(isOpen(STHLM, at('2026-11-23T13:00', STHLM.timeZone))).toBe(true);
    expect(isOpen(STHLM, at('2026-12-24T10:00', STHLM.timeZone))).toBe(false);
  });

  it('a calendar with no reachable hours is an error, not a hang', () => {
    const never = cal('UTC', { mon: ['09:00-10:00'] }, Array.from({ length: 200 }, (_, i) => DateTime.fromISO('2026-11-23').plus({ weeks: i }).toISODate()!));
    expect(() => addBusinessMinutes(never, at('2026-11-22T00:00', 'UTC'), 1)).toThrow(/no open hours/);
  });
});

describe('business days and durations', () => {
  it.each<[string, string, number]>([
    ['2026-11-01', '2026-11-30', 21],
    ['2026-12-01', '2026-12-31', 21],
    ['2026-11-28', '2026-11-29', 0],
  ])('%s..%s has %i business days', (from, to, n) => {
    expect(businessDaysInRange(STHLM, from, to)).toBe(n);
  });

  it.each<[{ days: number; hours: number; minutes: number }, 'business' | 'wall', number]>([
    [{ days: 2, hours: 0, minutes: 0 }, 'business', 16 * 60],
    [{ days: 2, hours: 0, minutes: 0 }, 'wall', 48 * 60],
    [{ days: 1, hours: 4, minutes: 30 }, 'business', 8 * 60 + 4 * 60 + 30],
  ])('%o on a %s clock is %i minutes', (d, clock, minutes) => {
    expect(durationToMinutes(d, clock, 8)).toBe(minutes);
  });
});

/** The definition itself: count every minute whose start falls in a window of a non-holiday. */
function bruteForce(c: CalendarPolicy, from: Date, to: Date): number {
  let n = 0;
  for (let t = from.getTime(); t < to.getTime(); t += 60_000) if (isOpenBrute(c, new Date(t))) n++;
  return n;
}
function isOpenBrute(c: CalendarPolicy, d: Date): boolean {
  const local = DateTime.fromJSDate(d, { zone: c.timeZone });
  if (c.holidays.includes(local.toISODate()!)) return false;
  const minute = local.hour * 60 + local.minute;
  const day = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const)[local.weekday - 1]!;
  return c.week[day].some((w) => w.start <= minute && minute < w.end);
}

describe('property: agrees with a minute-by-minute count', () => {
  const windowSets = fc.constantFrom(['09:00-17:00'], ['00:00-06:00'], ['01:00-04:00', '08:00-12:00'], ['00:00-24:00'], ['02:00-03:30', '22:00-24:00'], []);
  const calendars = fc
    .record({
      zone: fc.constantFrom('Europe/Stockholm', 'America/New_York', 'UTC'),
      days: fc.array(windowSets, { minLength: 7, maxLength: 7 }),
      holiday: fc.boolean(),
    })
    .filter((r) => r.days.some((d) => d.length > 0))
    .map((r) => {
      const [mon, tue, wed, thu, fri, sat, sun] = r.days;
      return cal(r.zone, { mon, tue, wed, thu, fri, sat, sun }, r.holiday ? ['2026-03-09', '2026-11-02'] : []);
    });
  // Ranges around both 2026 DST changes in Europe and in the US.
  const anchors = ['2026-03-07T00:00:00Z', '2026-03-28T00:00:00Z', '2026-10-24T00:00:00Z', '2026-10-31T00:00:00Z'].map((s) => new Date(s).getTime());
  const range = fc.record({ anchor: fc.constantFrom(...anchors), startMin: fc.integer({ min: 0, max: 3 * 1440 }), lengthMin: fc.integer({ min: 0, max: 3 * 1440 }) });

  it('businessMinutesBetween equals the brute-force count, and addBusinessMinutes inverts it', () => {
    fc.assert(
      fc.property(calendars, range, (c, r) => {
        const from = new Date(r.anchor + r.startMin * 60_000);
        const to = new Date(from.getTime() + r.lengthMin * 60_000);
        const minutes = businessMinutesBetween(c, from, to);
        expect(minutes).toBe(bruteForce(c, from, to));
        if (minutes > 0) {
          const end = addBusinessMinutes(c, from, minutes);
          expect(end.getTime()).toBeLessThanOrEqual(to.getTime());
          expect(businessMinutesBetween(c, from, end)).toBe(minutes);
        }
      }),
      { numRuns: 150 },
    );
  });
});
