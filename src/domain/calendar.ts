import { DateTime } from 'luxon';
import { WEEKDAYS, type CalendarPolicy, type DurationPolicy } from '../config/policy.js';

/*
 * Business time is the overlap with business hours. Windows are local wall times, turned into
 * instants in the calendar's zone day by day, so a window across a DST change is as long as it
 * really is (01:00-04:00 on a spring-forward night holds two hours, on a fall-back night four).
 */

const MINUTE = 60_000;
/** No real calendar goes this long without an open hour; beyond it the policy is broken. */
const MAX_SEARCH_DAYS = 3 * 366;

interface Span {
  start: number;
  end: number;
}

function localDay(at: Date, zone: string): DateTime {
  return DateTime.fromJSDate(at, { zone }).startOf('day');
}

/** The business windows of one local day, as instants (ms). Holidays and closed days have none. */
function windowsOn(cal: CalendarPolicy, day: DateTime): Span[] {
  const iso = day.toISODate();
  if (iso === null || cal.holidays.includes(iso)) return [];
  const weekday = WEEKDAYS[day.weekday - 1]!;
  return cal.week[weekday].map((w) => ({
    start: day.set({ hour: Math.floor(w.start / 60), minute: w.start % 60 }).toMillis(),
    // 24:00 is the next midnight, which may be 23 or 25 hours after this one.
    end: w.end === 24 * 60 ? day.plus({ days: 1 }).toMillis() : day.set({ hour: Math.floor(w.end / 60), minute: w.end % 60 }).toMillis(),
  }));
}

/** Business minutes in [from, to): the overlap of the interval with business hours. */
export function businessMinutesBetween(cal: CalendarPolicy, from: Date, to: Date, zoneOverride?: string): number {
  const zone = zoneOverride ?? cal.timeZone;
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  let total = 0;
  const last = localDay(to, zone);
  for (let day = localDay(from, zone); day <= last; day = day.plus({ days: 1 })) {
    for (const w of windowsOn(cal, day)) total += Math.max(0, Math.min(b, w.end) - Math.max(a, w.start));
  }
  return total / MINUTE;
}

/**
 * The instant `minutes` business minutes after `start`. Outside hours the clock starts at the
 * next opening, so adding 0 gives the next opening (or `start` itself when open).
 */
export function addBusinessMinutes(cal: CalendarPolicy, start: Date, minutes: number, zoneOverride?: string): Date {
  const zone = zoneOverride ?? cal.timeZone;
  let remaining = minutes * MINUTE;
  const from = start.getTime();
  let day = localDay(start, zone);
  for (let i = 0; i < MAX_SEARCH_DAYS; i++, day = day.plus({ days: 1 })) {
    for (const w of windowsOn(cal, day)) {
      const begin = Math.max(from, w.start);
      if (w.end <= begin) continue;
      if (remaining <= w.end - begin) return new Date(begin + remaining);
      remaining -= w.end - begin;
    }
  }
  throw new Error(`the business calendar (${cal.timeZone}) has no open hours within ${MAX_SEARCH_DAYS} days of ${start.toISOString()}`);
}

export function nextOpening(cal: CalendarPolicy, at: Date, zoneOverride?: string): Date {
  return addBusinessMinutes(cal, at, 0, zoneOverride);
}

export function isOpen(cal: CalendarPolicy, at: Date, zoneOverride?: string): boolean {
  const t = at.getTime();
  return windowsOn(cal, localDay(at, zoneOverride ?? cal.timeZone)).some((w) => w.start <= t && t < w.end);
}

/** Days in [fromDay, toDay] (ISO dates, inclusive) with business hours and not a holiday. */
export function businessDaysInRange(cal: CalendarPolicy, fromDay: string, toDay: string): number {
  let n = 0;
  const last = DateTime.fromISO(toDay, { zone: cal.timeZone });
  for (let day = DateTime.fromISO(fromDay, { zone: cal.timeZone }); day <= last; day = day.plus({ days: 1 })) {
    if (windowsOn(cal, day).length > 0) n++;
  }
  return n;
}

/** `d` is a business day (hoursPerBusinessDay) on a business clock and 24 hours on a wall clock. */
export function durationToMinutes(d: DurationPolicy, clock: 'business' | 'wall', hoursPerBusinessDay: number): number {
  const dayHours = clock === 'business' ? hoursPerBusinessDay : 24;
  return Math.round(d.days * dayHours * 60 + d.hours * 60 + d.minutes);
}
