import { IANAZone } from 'luxon';
import { WEEKDAYS, type CalendarPolicy, type DurationPolicy } from '../config/policy.js';

/*
 * Business-calendar arithmetic. An instant is business time when its local wall time, in the
 * calendar's zone, falls inside one of that local date's windows and the date is not a holiday.
 * Read that way, DST needs no special case: a 01:00-04:00 window holds 2 real hours on a
 * spring-forward night and 4 on a fall-back night, and a window opening at a wall time the
 * clocks skip opens at the jump.
 *
 * The zone's UTC offset is constant between transitions, and within such a stretch local time is
 * instant + offset: so the instant line is cut into constant-offset segments and each is
 * walked in "local milliseconds" (wall time counted as if it were UTC), day by day, jumping
 * whole weeks at a time when no holiday lies in the way.
 *
 * `zoneOverride` reads the same weekly hours and holiday dates in another zone: a rep's own.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
/**
 * How far apart offsets are sampled when looking for a transition. Every tzdata zone keeps at
 * least 7 days between transitions from 1970 to 2080 (Asia/Gaza in 2040 and Brazil in 2000 come
 * closest), so a 3-day stride cannot step over a change and back.
 */
const PROBE = 3 * DAY;
/**
 * Open-ended searches look ahead a week, then twice as far each time, up to a year: most answers
 * are days away, and a zone without DST would otherwise be probed to the end of time.
 */
const FIRST_HORIZON = 8 * DAY;
const MAX_HORIZON = 366 * DAY;
/** A calendar a whole year without one business minute is a broken policy, not a long holiday. */
const MAX_IDLE = 366 * DAY;

type Window = readonly [start: number, end: number];

interface Rules {
  /** Monday first; ms after local midnight, sorted. */
  days: readonly (readonly Window[])[];
  weekMs: number;
  /** Local dates as days since 1970-01-01, sorted. */
  holidays: readonly number[];
  holidaySet: ReadonlySet<number>;
}

interface Compiled {
  rules: Rules;
  zone: IANAZone;
  zoneName: string;
}

/** Days since 1970-01-01. Plain arithmetic: a policy's holidays are read on every call. */
function dayNumber(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || new Date(ms).toISOString().slice(0, 10) !== iso)
    throw new RangeError(`"${iso}" is not a date like 2026-12-24`);
  return ms / DAY;
}

/** 1970-01-01 (day 0) was a Thursday; Monday is 0. */
const weekdayIndex = (day: number): number => (((day + 3) % 7) + 7) % 7;

/*
 * A policy's calendars are read on every handoff and every report row: compiled once per calendar
 * and zone. Keyed by the calendar object, so a reloaded policy compiles afresh.
 */
const compiledCache = new WeakMap<CalendarPolicy, Map<string, Compiled>>();

function compile(cal: CalendarPolicy, zoneOverride: string | undefined): Compiled {
  const byZone = compiledCache.get(cal) ?? new Map<string, Compiled>();
  compiledCache.set(cal, byZone);
  const key = zoneOverride ?? cal.timeZone;
  const hit = byZone.get(key);
  if (hit) return hit;
  const compiled = compileUncached(cal, zoneOverride);
  byZone.set(key, compiled);
  return compiled;
}

function compileUncached(cal: CalendarPolicy, zoneOverride: string | undefined): Compiled {
  const zoneName = zoneOverride ?? cal.timeZone;
  const zone = IANAZone.create(zoneName);
  if (!zone.isValid) throw new RangeError(`"${zoneName}" is not an IANA time zone`);
  const days = WEEKDAYS.map((d) =>
    cal.week[d].map((w): Window => [w.start * MINUTE, w.end * MINUTE]).sort((a, b) => a[0] - b[0]),
  );
  const weekMs = days.flat().reduce((sum, [s, e]) => sum + e - s, 0);
  // The schema refuses such a calendar; one built by hand would make every search endless.
  if (weekMs === 0) throw new RangeError(`The calendar in ${zoneName} has no business hours on any weekday`);
  const holidays = [...new Set(cal.holidays.map(dayNumber))].sort((a, b) => a - b);
  return { rules: { days, weekMs, holidays, holidaySet: new Set(holidays) }, zone, zoneName };
}

const NO_WINDOWS: readonly Window[] = [];

function windowsOn(r: Rules, day: number): readonly Window[] {
  return r.holidaySet.has(day) ? NO_WINDOWS : r.days[weekdayIndex(day)]!;
}

/** The first holiday on or after `day`, or Infinity. */
function nextHoliday(r: Rules, day: number): number {
  let lo = 0;
  let hi = r.holidays.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (r.holidays[mid]! < day) lo = mid + 1;
    else hi = mid;
  }
  return r.holidays[lo] ?? Infinity;
}

type Advance = { reached: number } | { held: number };

/**
 * Walks local time from `from` towards `limit` until `amount` business ms have passed. Returns
 * the earliest local time at which they have (so a stretch ending at 12:00 before lunch ends at
 * 12:00, not 13:00), or, if `limit` comes first, how much business time the stretch held.
 */
function localAdvance(r: Rules, from: number, limit: number, amount: number): Advance {
  let held = 0;
  let day = Math.floor(from / DAY);
  const firstPartialDay = Math.floor(limit / DAY);
  while (day * DAY < limit) {
    const start = day * DAY;
    if (start >= from) {
      // Whole weeks are skipped only while they cannot contain the answer or a holiday.
      const clearDays = Math.min(firstPartialDay, nextHoliday(r, day)) - day;
      const weeks = Math.min(Math.floor(clearDays / 7), Math.ceil((amount - held) / r.weekMs) - 1);
      if (weeks > 0) {
        held += weeks * r.weekMs;
        day += weeks * 7;
        continue;
      }
    }
    for (const [s, e] of windowsOn(r, day)) {
      const a = Math.max(from, start + s);
      const b = Math.min(limit, start + e);
      if (b <= a) continue;
      if (amount - held <= b - a) return { reached: a + amount - held };
      held += b - a;
    }
    day++;
  }
  return { held };
}

/** The earliest local time in [from, limit) that is business time. */
function localNextOpen(r: Rules, from: number, limit: number): number | undefined {
  for (let day = Math.floor(from / DAY); day * DAY < limit; day++) {
    for (const [s, e] of windowsOn(r, day)) {
      if (day * DAY + e > from) {
        const at = Math.max(from, day * DAY + s);
        return at < limit ? at : undefined;
      }
    }
  }
  return undefined;
}

/*
 * Asking a zone its offset goes through Intl and is slow; the transitions of a year are found
 * once per zone (probed every PROBE, then bisected to the millisecond) and kept, so the hot path
 * (an SLA plan per handoff, business hours per report row) is a lookup.
 */
interface YearOffsets {
  from: number;
  to: number;
  /** Offset in minutes at `from`. */
  first: number;
  /** Where the offset changes within the year, in order. */
  changes: readonly { at: number; offset: number }[];
}

const offsetCache = new Map<string, Map<number, YearOffsets>>();

function yearOffsets(zone: IANAZone, year: number): YearOffsets {
  const byYear = offsetCache.get(zone.name) ?? new Map<number, YearOffsets>();
  offsetCache.set(zone.name, byYear);
  const hit = byYear.get(year);
  if (hit) return hit;
  const from = Date.UTC(year, 0, 1);
  const to = Date.UTC(year + 1, 0, 1);
  const changes: { at: number; offset: number }[] = [];
  const first = zone.offset(from);
  let offset = first;
  for (let lo = from; lo < to;) {
    const hi = Math.min(lo + PROBE, to);
    const next = zone.offset(hi);
    if (next === offset) {
      lo = hi;
      continue;
    }
    const at = firstChange(zone, offset, lo, hi);
    offset = zone.offset(at);
    if (at < to) changes.push({ at, offset });
    lo = at;
  }
  const table = { from, to, first, changes };
  byYear.set(year, table);
  return table;
}

const yearOf = (t: number): number => new Date(t).getUTCFullYear();

function offsetAt(zone: IANAZone, t: number): number {
  const table = yearOffsets(zone, yearOf(t));
  let offset = table.first;
  for (const c of table.changes) {
    if (c.at > t) break;
    offset = c.offset;
  }
  return offset;
}

/** The zone's offset at `t` (ms), and the first instant after `t`, at most `limit`, at which it differs. */
function segment(zone: IANAZone, t: number, limit: number): { offset: number; end: number } {
  const offset = offsetAt(zone, t);
  return { offset: offset * MINUTE, end: segmentEnd(zone, t, offset, limit) };
}

function segmentEnd(zone: IANAZone, t: number, offset: number, limit: number): number {
  for (let year = yearOf(t); ; year++) {
    const table = yearOffsets(zone, year);
    if (table.from > t && table.first !== offset) return Math.min(table.from, limit);
    const change = table.changes.find((c) => c.at > t && c.offset !== offset);
    if (change) return Math.min(change.at, limit);
    if (table.to >= limit) return limit;
  }
}

function firstChange(zone: IANAZone, offset: number, lo: number, hi: number): number {
  let a = lo;
  let b = hi;
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (zone.offset(mid) === offset) a = mid;
    else b = mid;
  }
  return b;
}

function instant(d: Date, what: string): number {
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new RangeError(`${what} is not a valid date`);
  return t;
}

function tooIdle(c: Compiled, from: number): Error {
  return new Error(
    `The calendar in ${c.zoneName} has no open hours in the year after ${new Date(from).toISOString()}; check its holidays`,
  );
}

/** Business minutes in [from, to): 0 when `to` is not after `from`. */
export function businessMinutesBetween(cal: CalendarPolicy, from: Date, to: Date, zoneOverride?: string): number {
  const c = compile(cal, zoneOverride);
  const end = instant(to, 'to');
  let t = instant(from, 'from');
  let total = 0;
  while (t < end) {
    const seg = segment(c.zone, t, end);
    const step = localAdvance(c.rules, t + seg.offset, seg.end + seg.offset, Infinity);
    if ('held' in step) total += step.held;
    t = seg.end;
  }
  return total / MINUTE;
}

/**
 * The instant at which `minutes` business minutes have passed since `start`: the clock waits for
 * the next opening when `start` is outside hours. Adding 0 gives `nextOpening(start)`.
 */
export function addBusinessMinutes(cal: CalendarPolicy, start: Date, minutes: number, zoneOverride?: string): Date {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`Cannot add ${minutes} business minutes`);
  const amount = Math.round(minutes * MINUTE);
  if (amount === 0) return nextOpening(cal, start, zoneOverride);
  const c = compile(cal, zoneOverride);
  const from = instant(start, 'start');
  let left = amount;
  let t = from;
  let idle = 0;
  for (let horizon = FIRST_HORIZON; ; horizon = Math.min(2 * horizon, MAX_HORIZON)) {
    const seg = segment(c.zone, t, t + horizon);
    const step = localAdvance(c.rules, t + seg.offset, seg.end + seg.offset, left);
    if ('reached' in step) return new Date(step.reached - seg.offset);
    left -= step.held;
    idle = step.held > 0 ? 0 : idle + seg.end - t;
    if (idle > MAX_IDLE) throw tooIdle(c, from);
    t = seg.end;
  }
}

/** `at` itself when it is business time, else the instant the next window opens. */
export function nextOpening(cal: CalendarPolicy, at: Date, zoneOverride?: string): Date {
  const c = compile(cal, zoneOverride);
  const from = instant(at, 'at');
  let t = from;
  for (let horizon = FIRST_HORIZON; t - from <= MAX_IDLE; horizon = Math.min(2 * horizon, MAX_HORIZON)) {
    const seg = segment(c.zone, t, t + horizon);
    const open = localNextOpen(c.rules, t + seg.offset, seg.end + seg.offset);
    if (open !== undefined) return new Date(open - seg.offset);
    t = seg.end;
  }
  throw tooIdle(c, from);
}

export function isOpen(cal: CalendarPolicy, at: Date, zoneOverride?: string): boolean {
  const c = compile(cal, zoneOverride);
  const t = instant(at, 'at');
  const local = t + offsetAt(c.zone, t) * MINUTE;
  const day = Math.floor(local / DAY);
  return windowsOn(c.rules, day).some(([s, e]) => local - day * DAY >= s && local - day * DAY < e);
}

/** Dates from `fromDay` to `toDay` inclusive that have business hours and are not holidays. */
export function businessDaysInRange(cal: CalendarPolicy, fromDay: string, toDay: string): number {
  const first = dayNumber(fromDay);
  const last = dayNumber(toDay);
  if (last < first) return 0;
  const working = WEEKDAYS.map((d) => cal.week[d].length > 0);
  const isWorking = (day: number): boolean => working[weekdayIndex(day)]!;
  const span = last - first + 1;
  const fullWeeks = Math.floor(span / 7);
  let count = fullWeeks * working.filter(Boolean).length;
  for (let day = first + fullWeeks * 7; day <= last; day++) if (isWorking(day)) count++;
  for (const h of new Set(cal.holidays.map(dayNumber))) if (h >= first && h <= last && isWorking(h)) count--;
  return count;
}

/** `d` is `hoursPerBusinessDay` hours on a business clock and 24 hours on a wall clock. */
export function durationToMinutes(d: DurationPolicy, clock: 'business' | 'wall', hoursPerBusinessDay: number): number {
  const hoursPerDay = clock === 'business' ? hoursPerBusinessDay : 24;
  return (d.days * hoursPerDay + d.hours) * 60 + d.minutes;
}
