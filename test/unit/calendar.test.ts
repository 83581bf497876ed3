import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { WEEKDAYS, type CalendarPolicy, type Weekday } from '../../src/config/policy.js';
import {
  addBusinessMinutes,
  businessDaysInRange,
  businessMinutesBetween,
  durationToMinutes,
  isOpen,
  nextOpening,
} from '../../src/domain/calendar.js';

type Windows = { start: number; end: number }[];

const hm = (s: string): { start: number; end: number } => {
  const [a, b] = s.split('-') as [string, string];
  const m = (t: string): number => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  return { start: m(a), end: m(b) };
};
function cal(timeZone: string, week: Partial<Record<Weekday, string[]>>, holidays: string[] = []): CalendarPolicy {
  return {
    timeZone,
    hoursPerBusinessDay: 8,
    holidays,
    week: Object.fromEntries(WEEKDAYS.map((d) => [d, (week[d] ?? []).map(hm)])) as Record<Weekday, Windows>,
  };
}
const weekdays = (windows: string[]): Partial<Record<Weekday, string[]>> => ({
  mon: windows,
  tue: windows,
  wed: windows,
  thu: windows,
  fri: windows,
});
const everyDay = (windows: string[]): Partial<Record<Weekday, string[]>> =>
  Object.fromEntries(WEEKDAYS.map((d) => [d, windows]));
/** A local wall time in the zone; DST tests use UTC instants instead, where local times repeat or are skipped. */
const local = (iso: string, zone: string): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const utc = (iso: string): Date => new Date(`${iso}Z`);

const STHLM = cal('Europe/Stockholm', weekdays(['09:00-12:00', '13:00-17:00']), ['2026-12-24', '2026-12-25']);
const NIGHT = cal('Europe/Stockholm', { sat: ['00:00-06:00'], sun: ['00:00-06:00'] });
const SMALL_HOURS = cal('Europe/Stockholm', { sun: ['01:00-04:00'] });
const SKIPPED_OPENING = cal('Europe/Stockholm', { sun: ['02:30-05:00'] });
const REPEATED_HALF_HOUR = cal('Europe/Stockholm', { sun: ['02:30-03:00'] });
const ALWAYS_STHLM = cal('Europe/Stockholm', everyDay(['00:00-24:00']));
const NY = cal('America/New_York', weekdays(['09:00-17:00']));
const ALWAYS_NY = cal('America/New_York', everyDay(['00:00-24:00']));
const NY_SMALL_HOURS = cal('America/New_York', { sun: ['01:00-03:00'] });
const SANTIAGO = cal('America/Santiago', { sat: ['22:00-24:00'], sun: ['00:00-02:00'] });
const LORD_HOWE = cal('Australia/Lord_Howe', { sun: ['01:00-03:00'] });
const SPLIT_MIDNIGHT = cal('Europe/Stockholm', weekdays(['00:00-02:00', '20:00-24:00']));

describe('business minutes between two instants', () => {
  it.each<[string, CalendarPolicy, string, string, number]>([
    ['inside one window', STHLM, '2026-11-23T09:30', '2026-11-23T11:00', 90],
    ['across a lunch break', STHLM, '2026-11-23T11:00', '2026-11-23T14:00', 120],
    ['a start inside lunch counts from 13:00', STHLM, '2026-11-23T12:15', '2026-11-23T13:45', 45],
    ['Friday evening to Monday 10:00', STHLM, '2026-11-27T18:00', '2026-11-30T10:00', 60],
    ['Friday 16:00 to Monday 10:00', STHLM, '2026-11-27T16:00', '2026-11-30T10:00', 120],
    ['a holiday in the middle (Thu 24 and Fri 25 Dec)', STHLM, '2026-12-23T16:00', '2026-12-28T10:00', 120],
    ['a whole week is five 7-hour days', STHLM, '2026-11-23T00:00', '2026-11-30T00:00', 5 * 7 * 60],
    ['four weeks, skipped whole', STHLM, '2026-11-02T00:00', '2026-11-30T00:00', 4 * 5 * 7 * 60],
    ['a closed day is zero', STHLM, '2026-11-28T00:00', '2026-11-29T23:59', 0],
    ['a holiday is zero', STHLM, '2026-12-24T00:00', '2026-12-25T23:59', 0],
    ['end before start is zero', STHLM, '2026-11-23T12:00', '2026-11-23T10:00', 0],
    ['an empty range is zero', STHLM, '2026-11-23T10:00', '2026-11-23T10:00', 0],
    [
      'a window ending at 24:00 runs into the next day’s 00:00 window',
      SPLIT_MIDNIGHT,
      '2026-11-23T23:00',
      '2026-11-24T01:30',
      150,
    ],
    ['New York DST weekend (8 March) changes nothing on weekdays', NY, '2026-03-06T16:00', '2026-03-09T10:00', 120],
    ['New York fall back (1 November)', NY, '2026-10-30T16:00', '2026-11-02T10:00', 120],
  ])('%s', (_name, c, from, to, minutes) => {
    expect(businessMinutesBetween(c, local(from, c.timeZone), local(to, c.timeZone))).toBe(minutes);
  });

  // Instants in UTC: the local hours these windows cover are skipped or repeated.
  it.each<[string, CalendarPolicy, string, string, number]>([
    [
      'Stockholm spring forward: 00:00-06:00 on 29 March holds 5 real hours',
      NIGHT,
      '2026-03-28T12:00',
      '2026-03-29T12:00',
      5 * 60,
    ],
    [
      'Stockholm fall back: 00:00-06:00 on 25 October holds 7 real hours',
      NIGHT,
      '2026-10-24T12:00',
      '2026-10-25T12:00',
      7 * 60,
    ],
    [
      'Stockholm spring forward: 01:00-04:00 holds 2 real hours',
      SMALL_HOURS,
      '2026-03-28T12:00',
      '2026-03-29T12:00',
      2 * 60,
    ],
    [
      'Stockholm fall back: 01:00-04:00 holds 4 real hours',
      SMALL_HOURS,
      '2026-10-24T12:00',
      '2026-10-25T12:00',
      4 * 60,
    ],
    [
      'a window opening at a skipped wall time opens at the jump (03:00)',
      SKIPPED_OPENING,
      '2026-03-28T12:00',
      '2026-03-29T12:00',
      2 * 60,
    ],
    ['a window inside the repeated hour is open twice', REPEATED_HALF_HOUR, '2026-10-24T12:00', '2026-10-25T12:00', 60],
    ['a 24-hour Stockholm Sunday in March has 23 hours', ALWAYS_STHLM, '2026-03-28T23:00', '2026-03-29T22:00', 23 * 60],
    [
      'a 24-hour Stockholm Sunday in October has 25 hours',
      ALWAYS_STHLM,
      '2026-10-24T22:00',
      '2026-10-25T23:00',
      25 * 60,
    ],
    ['a 24-hour New York Sunday on 8 March has 23 hours', ALWAYS_NY, '2026-03-08T05:00', '2026-03-09T04:00', 23 * 60],
    [
      'a 24-hour New York Sunday on 1 November has 25 hours',
      ALWAYS_NY,
      '2026-11-01T04:00',
      '2026-11-02T05:00',
      25 * 60,
    ],
    [
      'New York spring forward: 01:00-03:00 holds 1 real hour',
      NY_SMALL_HOURS,
      '2026-03-07T12:00',
      '2026-03-08T12:00',
      60,
    ],
    [
      'New York fall back: 01:00-03:00 holds 3 real hours',
      NY_SMALL_HOURS,
      '2026-10-31T12:00',
      '2026-11-01T12:00',
      3 * 60,
    ],
    [
      'Santiago falls back at midnight: Saturday 22:00-24:00 holds 3 hours',
      SANTIAGO,
      '2026-04-04T12:00',
      '2026-04-05T04:00',
      3 * 60,
    ],
    [
      'Santiago springs forward at midnight: Sunday 00:00-02:00 holds 1 hour',
      SANTIAGO,
      '2026-09-06T04:00',
      '2026-09-06T12:00',
      60,
    ],
    [
      'Lord Howe falls back half an hour: 01:00-03:00 holds 2.5 hours',
      LORD_HOWE,
      '2026-04-04T00:00',
      '2026-04-05T00:00',
      150,
    ],
  ])('%s', (_name, c, from, to, minutes) => {
    expect(businessMinutesBetween(c, utc(from), utc(to))).toBe(minutes);
  });

  it("reads the same weekly hours, and holidays, in a rep's own zone", () => {
    // 09:00-17:00 in New York is 15:00-23:00 in Stockholm in late November.
    const from = local('2026-11-23T14:00', 'Europe/Stockholm');
    const to = local('2026-11-23T16:00', 'Europe/Stockholm');
    expect(businessMinutesBetween(STHLM, from, to)).toBe(120);
    expect(businessMinutesBetween(STHLM, from, to, 'America/New_York')).toBe(60);
    expect(businessMinutesBetween(STHLM, utc('2026-12-23T00:00'), utc('2026-12-24T00:00'), 'America/New_York')).toBe(
      7 * 60,
    );
    expect(businessMinutesBetween(STHLM, utc('2026-12-24T00:00'), utc('2026-12-26T12:00'), 'America/New_York')).toBe(0);
  });

  it('a 24-hour calendar counts every real minute, DST or not', () => {
    const from = utc('2026-03-01T00:00');
    const to = utc('2026-11-15T00:00');
    expect(businessMinutesBetween(ALWAYS_STHLM, from, to)).toBe((to.getTime() - from.getTime()) / 60_000);
    expect(businessMinutesBetween(ALWAYS_NY, from, to)).toBe((to.getTime() - from.getTime()) / 60_000);
  });
});

describe('adding business time', () => {
  it.each<[string, CalendarPolicy, string, number, string]>([
    ['within a window', STHLM, '2026-11-23T09:00', 60, '2026-11-23T10:00'],
    ['over lunch', STHLM, '2026-11-23T11:30', 60, '2026-11-23T13:30'],
    ['reaching the last minute before lunch ends before lunch', STHLM, '2026-11-23T11:00', 60, '2026-11-23T12:00'],
    ['Friday 16:30 plus an hour is Monday 09:30', STHLM, '2026-11-27T16:30', 60, '2026-11-30T09:30'],
    ['Friday evening: the clock starts Monday 09:00', STHLM, '2026-11-27T19:00', 90, '2026-11-30T10:30'],
    ['adding zero outside hours gives the next opening', STHLM, '2026-11-28T22:00', 0, '2026-11-30T09:00'],
    ['adding zero inside hours gives the start itself', STHLM, '2026-11-23T10:17', 0, '2026-11-23T10:17'],
    ['ending exactly at closing stays at closing', STHLM, '2026-11-23T16:00', 60, '2026-11-23T17:00'],
    ['over the Christmas holidays', STHLM, '2026-12-23T16:00', 120, '2026-12-28T10:00'],
    ['16 business hours: 7 Monday, 7 Tuesday, 2 Wednesday', STHLM, '2026-11-23T09:00', 16 * 60, '2026-11-25T11:00'],
    ['three weeks and a bit, skipping whole weeks', STHLM, '2026-11-02T09:00', 3 * 35 * 60 + 30, '2026-11-23T09:30'],
    ['fractions of a minute are kept', STHLM, '2026-11-23T09:00', 22.5, '2026-11-23T09:22:30'],
    ['through midnight on windows ending at 24:00', SPLIT_MIDNIGHT, '2026-11-23T23:00', 120, '2026-11-24T01:00'],
  ])('%s', (_name, c, start, minutes, expected) => {
    expect(addBusinessMinutes(c, local(start, c.timeZone), minutes).toISOString()).toBe(
      local(expected, c.timeZone).toISOString(),
    );
  });

  it.each<[string, CalendarPolicy, string, number, string]>([
    [
      'through a Stockholm spring-forward night: 5 hours end at 06:00 CEST',
      NIGHT,
      '2026-03-28T23:00',
      5 * 60,
      '2026-03-29T04:00',
    ],
    [
      'through a Stockholm fall-back night: 7 hours end at 06:00 CET',
      NIGHT,
      '2026-10-24T22:00',
      7 * 60,
      '2026-10-25T05:00',
    ],
    [
      'the first pass of a repeated half hour, then the second',
      REPEATED_HALF_HOUR,
      '2026-10-25T00:30',
      45,
      '2026-10-25T01:45',
    ],
    [
      'New York: Friday 16:00 plus 2 hours over the spring-forward weekend',
      NY,
      '2026-03-06T21:00',
      120,
      '2026-03-09T14:00',
    ],
    ['New York: Friday 16:00 plus 2 hours over the fall-back weekend', NY, '2026-10-30T20:00', 120, '2026-11-02T15:00'],
  ])('%s', (_name, c, start, minutes, expected) => {
    expect(addBusinessMinutes(c, utc(start), minutes).toISOString()).toBe(utc(expected).toISOString());
  });

  it("can run on a rep's own zone", () => {
    // Monday 16:00 in Stockholm is 10:00 in New York: 6 hours there that day (lunch 12-13), 2 on Tuesday.
    const start = local('2026-11-23T16:00', 'Europe/Stockholm');
    expect(addBusinessMinutes(STHLM, start, 8 * 60, 'America/New_York').toISOString()).toBe(
      local('2026-11-24T11:00', 'America/New_York').toISOString(),
    );
  });

  // How long this takes is `npm run bench:calendar`'s figure, not an assertion here.
  it('10,000 business hours agree with a day-by-day sum', () => {
    const start = local('2026-01-05T09:00', 'Europe/Stockholm');
    const end = addBusinessMinutes(STHLM, start, 10_000 * 60);
    const total = businessMinutesBetween(STHLM, start, end);
    expect(total).toBe(10_000 * 60);
    let sum = 0;
    for (
      let day = DateTime.fromJSDate(start, { zone: STHLM.timeZone });
      day.toJSDate() < end;
      day = day.plus({ days: 1 })
    ) {
      const next = day.plus({ days: 1 }).toJSDate();
      sum += businessMinutesBetween(STHLM, day.toJSDate(), next < end ? next : end);
    }
    expect(sum).toBe(10_000 * 60);
  });
});

describe('opening hours', () => {
  it.each<[string, CalendarPolicy, string, string]>([
    ['open now is now', STHLM, '2026-11-23T12:30:00Z', '2026-11-23T12:30:00Z'],
    ['at lunch: 13:00', STHLM, '2026-11-23T11:30:00Z', '2026-11-23T12:00:00Z'],
    ['Friday night: Monday 09:00', STHLM, '2026-11-27T20:00:00Z', '2026-11-30T08:00:00Z'],
    ['on Christmas Eve: the 28th', STHLM, '2026-12-24T09:00:00Z', '2026-12-28T08:00:00Z'],
    ['closing time is closed', STHLM, '2026-11-23T16:00:00Z', '2026-11-24T08:00:00Z'],
    [
      'an opening at a skipped wall time (02:30) is the jump to 03:00 CEST',
      SKIPPED_OPENING,
      '2026-03-28T20:00:00Z',
      '2026-03-29T01:00:00Z',
    ],
    [
      'between the two passes of a repeated half hour',
      REPEATED_HALF_HOUR,
      '2026-10-25T01:00:00Z',
      '2026-10-25T01:30:00Z',
    ],
  ])('%s', (_name, c, at, expected) => {
    expect(nextOpening(c, new Date(at)).toISOString()).toBe(new Date(expected).toISOString());
  });

  it.each<[string, CalendarPolicy, string, string | undefined, boolean]>([
    ['in a window', STHLM, '2026-11-23T12:30:00Z', undefined, true],
    ['at lunch', STHLM, '2026-11-23T11:30:00Z', undefined, false],
    ['at opening', STHLM, '2026-11-23T12:00:00Z', undefined, true],
    ['at closing', STHLM, '2026-11-23T16:00:00Z', undefined, false],
    ['on a holiday', STHLM, '2026-12-24T09:00:00Z', undefined, false],
    ['on a Saturday', STHLM, '2026-11-28T09:00:00Z', undefined, false],
    ['in New York hours, Stockholm evening', STHLM, '2026-11-23T19:00:00Z', 'America/New_York', true],
    ['first pass of the repeated 02:30', REPEATED_HALF_HOUR, '2026-10-25T00:45:00Z', undefined, true],
    ['02:15 CET, between the passes', REPEATED_HALF_HOUR, '2026-10-25T01:15:00Z', undefined, false],
    ['second pass of the repeated 02:30', REPEATED_HALF_HOUR, '2026-10-25T01:45:00Z', undefined, true],
  ])('isOpen %s', (_name, c, at, zone, open) => {
    expect(isOpen(c, new Date(at), zone)).toBe(open);
  });

  it('nextOpening in a rep’s own zone', () => {
    expect(nextOpening(STHLM, utc('2026-11-23T12:00'), 'America/New_York').toISOString()).toBe(
      local('2026-11-23T09:00', 'America/New_York').toISOString(),
    );
  });
});

describe('broken calendars fail loudly instead of hanging', () => {
  const mondays = Array.from(
    { length: 120 },
    (_, i) => DateTime.fromISO('2026-11-23', { zone: 'utc' }).plus({ weeks: i }).toISODate() ?? '',
  );
  const neverOpen = cal('UTC', { mon: ['09:00-10:00'] }, mondays);

  it.each<[string, () => unknown, RegExp]>([
    [
      'adding time with every opening a holiday for two years',
      () => addBusinessMinutes(neverOpen, utc('2026-11-22T00:00'), 1),
      /no open hours/,
    ],
    [
      'the next opening with every opening a holiday for two years',
      () => nextOpening(neverOpen, utc('2026-11-22T00:00')),
      /no open hours/,
    ],
    [
      'a calendar with no hours at all',
      () => businessMinutesBetween(cal('UTC', {}), utc('2026-11-22T00:00'), utc('2026-11-23T00:00')),
      /no business hours/,
    ],
    ['an unknown zone', () => isOpen(STHLM, utc('2026-11-22T00:00'), 'Mars/Olympus_Mons'), /not an IANA time zone/],
    ['negative time', () => addBusinessMinutes(STHLM, utc('2026-11-22T00:00'), -5), /Cannot add/],
    ['an invalid date', () => nextOpening(STHLM, new Date(Number.NaN)), /not a valid date/],
    [
      'an impossible holiday',
      () => businessDaysInRange(cal('UTC', weekdays(['09:00-17:00']), ['2026-02-30']), '2026-02-01', '2026-02-28'),
      /not a date/,
    ],
  ])('%s', (_name, run, message) => {
    expect(run).toThrow(message);
  });

  it('a long holiday run that does end is just waited out', () => {
    const fewer = cal('UTC', { mon: ['09:00-10:00'] }, mondays.slice(0, 40));
    const opens = DateTime.fromISO(mondays[40] ?? '', { zone: 'utc' }).set({ hour: 9 });
    expect(nextOpening(fewer, utc('2026-11-22T00:00')).toISOString()).toBe(opens.toJSDate().toISOString());
  });
});

describe('business days and durations', () => {
  it.each<[string, string, number]>([
    ['2026-11-01', '2026-11-30', 21],
    ['2026-12-01', '2026-12-31', 21],
    ['2026-11-28', '2026-11-29', 0],
    ['2026-11-23', '2026-11-23', 1],
    ['2026-12-24', '2026-12-25', 0],
    ['2026-01-01', '2026-12-31', 261 - 2],
    ['2026-11-30', '2026-11-01', 0],
  ])('%s..%s has %i business days', (from, to, n) => {
    expect(businessDaysInRange(STHLM, from, to)).toBe(n);
  });

  it('holidays on closed days or listed twice are not subtracted twice', () => {
    const c = cal('Europe/Stockholm', weekdays(['09:00-17:00']), ['2026-11-28', '2026-11-27', '2026-11-27']);
    expect(businessDaysInRange(c, '2026-11-23', '2026-11-29')).toBe(4);
  });

  it.each<[{ days: number; hours: number; minutes: number }, 'business' | 'wall', number, number]>([
    [{ days: 2, hours: 0, minutes: 0 }, 'business', 8, 16 * 60],
    [{ days: 2, hours: 0, minutes: 0 }, 'wall', 8, 48 * 60],
    [{ days: 1, hours: 4, minutes: 30 }, 'business', 8, 8 * 60 + 4 * 60 + 30],
    [{ days: 1, hours: 0, minutes: 0 }, 'business', 7.5, 450],
    [{ days: 0, hours: 0, minutes: 30 }, 'wall', 8, 30],
  ])('%o on a %s clock (%d h days) is %i minutes', (d, clock, hoursPerDay, minutes) => {
    expect(durationToMinutes(d, clock, hoursPerDay)).toBe(minutes);
  });
});

/*
 * The definition itself, written independently of the code under test: a minute is business time
 * when its local wall time (from Intl, not luxon) is inside a window of its local weekday and its
 * local date is not a holiday.
 */
const formats = new Map<string, Intl.DateTimeFormat>();
const SHORT_DAYS: Record<string, Weekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};
function isOpenBrute(c: CalendarPolicy, zone: string, t: number): boolean {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formats.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, x.value]));
  if (c.holidays.includes(`${p.year}-${p.month}-${p.day}`)) return false;
  const minute = Number(p.hour) * 60 + Number(p.minute);
  const day = SHORT_DAYS[p.weekday ?? ''];
  if (day === undefined) throw new Error(`unexpected weekday ${p.weekday}`);
  return c.week[day].some((w) => w.start <= minute && minute < w.end);
}
function bruteForce(c: CalendarPolicy, zone: string, from: number, to: number): number {
  let n = 0;
  for (let t = from; t < to; t += 60_000) if (isOpenBrute(c, zone, t)) n++;
  return n;
}

// The minute-by-minute oracle is CPU-bound (seconds alone, several times that on a busy machine):
// its limit is a deadline for a hang, not a speed check.
describe('property: agrees with a minute-by-minute count', { timeout: 120_000 }, () => {
  // Each zone with its 2026 transition dates: midnight changes (Santiago) and half-hour ones (Lord Howe) included.
  const zones: [string, string[]][] = [
    ['Europe/Stockholm', ['2026-03-29', '2026-10-25']],
    ['America/New_York', ['2026-03-08', '2026-11-01']],
    ['America/Santiago', ['2026-04-05', '2026-09-06']],
    ['Australia/Lord_Howe', ['2026-04-05', '2026-10-04']],
    ['Asia/Kolkata', ['2026-06-01']],
  ];
  const GRID = 15;
  /** Sorted distinct boundaries on a 15-minute grid, paired into non-overlapping windows. */
  const dayWindows = fc.oneof(
    fc.uniqueArray(fc.integer({ min: 0, max: (24 * 60) / GRID }), { maxLength: 6 }).map((points) => {
      const sorted = [...points].sort((a, b) => a - b);
      const out: Windows = [];
      for (let i = 0; i + 1 < sorted.length; i += 2) out.push({ start: sorted[i]! * GRID, end: sorted[i + 1]! * GRID });
      return out;
    }),
    fc.constantFrom<Windows>(
      [hm('00:00-24:00')],
      [hm('01:00-04:00')],
      [hm('02:00-03:00'), hm('22:00-24:00')],
      [hm('09:00-12:00'), hm('13:00-17:00')],
    ),
  );
  const scenario = fc
    .record({
      zone: fc.constantFrom(...zones),
      anchor: fc.nat(),
      override: fc.option(fc.constantFrom(...zones.map(([z]) => z)), { freq: 3 }),
      week: fc.array(dayWindows, { minLength: 7, maxLength: 7 }),
      holidayOffsets: fc.uniqueArray(fc.integer({ min: -6, max: 16 }), { maxLength: 5 }),
      startMinute: fc.integer({ min: -5 * 1440, max: 2 * 1440 }),
      lengthMinutes: fc.integer({ min: 0, max: 10 * 1440 }),
    })
    .map((s) => {
      const [calZone, dates] = s.zone;
      const day = DateTime.fromISO(dates[s.anchor % dates.length] ?? '', { zone: 'utc' });
      const week = Object.fromEntries(WEEKDAYS.map((d, i) => [d, s.week[i] ?? []])) as Record<Weekday, Windows>;
      if (WEEKDAYS.every((d) => week[d].length === 0)) week.wed = [hm('09:00-17:00')];
      const c: CalendarPolicy = {
        timeZone: calZone,
        hoursPerBusinessDay: 8,
        week,
        holidays: s.holidayOffsets.map((o) => day.plus({ days: o }).toISODate() ?? ''),
      };
      const from = day.toMillis() + s.startMinute * 60_000;
      return { c, zone: s.override ?? undefined, from, to: from + s.lengthMinutes * 60_000 };
    });

  it('businessMinutesBetween equals the brute-force count', () => {
    fc.assert(
      fc.property(scenario, ({ c, zone, from, to }) => {
        expect(businessMinutesBetween(c, new Date(from), new Date(to), zone)).toBe(
          bruteForce(c, zone ?? c.timeZone, from, to),
        );
      }),
      { numRuns: 80 },
    );
  });

  it('addBusinessMinutes reaches exactly the business time between, at the earliest instant', () => {
    fc.assert(
      fc.property(scenario, fc.double({ min: 0, max: 1, noNaN: true }), ({ c, zone, from, to }, share) => {
        const total = businessMinutesBetween(c, new Date(from), new Date(to), zone);
        const end = addBusinessMinutes(c, new Date(from), total, zone);
        if (total > 0) {
          expect(end.getTime()).toBeLessThanOrEqual(to);
          expect(businessMinutesBetween(c, new Date(from), end, zone)).toBe(total);
          expect(businessMinutesBetween(c, new Date(from), new Date(end.getTime() - 60_000), zone)).toBeLessThan(total);
        }
        const part = Math.floor(total * share);
        const mid = addBusinessMinutes(c, new Date(from), part, zone);
        expect(businessMinutesBetween(c, new Date(from), mid, zone)).toBe(part);
        expect(
          businessMinutesBetween(c, new Date(from), mid, zone) + businessMinutesBetween(c, mid, new Date(to), zone),
        ).toBe(total);
      }),
      { numRuns: 150 },
    );
  });

  it('nextOpening is the first open minute, and isOpen agrees with the definition', () => {
    fc.assert(
      fc.property(scenario, ({ c, zone, from }) => {
        const open = nextOpening(c, new Date(from), zone);
        expect(open.getTime()).toBeGreaterThanOrEqual(from);
        expect(isOpen(c, open, zone)).toBe(true);
        expect(isOpenBrute(c, zone ?? c.timeZone, open.getTime())).toBe(true);
        expect(businessMinutesBetween(c, new Date(from), open, zone)).toBe(0);
        expect(isOpen(c, new Date(from), zone)).toBe(isOpenBrute(c, zone ?? c.timeZone, from));
      }),
      { numRuns: 200 },
    );
  });
});
