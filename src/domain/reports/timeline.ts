import { IANAZone } from 'luxon';
import { WEEKDAYS, type CalendarPolicy } from '../../config/policy.js';

/*
 * A calendar's business windows over a stretch of time, as instants with the business minutes
 * counted before each: business time between two instants is then two binary searches. Reports
 * measure tens of thousands of decisions at once, where calling businessMinutesBetween for each
 * would take seconds. Windows are read as local wall times in the calendar's zone, like
 * calendar.ts, so DST changes and holidays count the same (the unit tests check both agree).
 * Local dates are plain day numbers and offsets come straight from the zone: building a quarter's
 * timeline takes about a millisecond.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface BusinessTimeline {
  readonly from: number;
  readonly to: number;
  /** Window starts and ends in ms since the epoch, and business ms before each window. */
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  readonly before: Float64Array;
}

/**
 * The instant a local wall time (ms, counted as if UTC) happens in `zone`. A wall time the clocks
 * skip maps to the jump itself, as calendar.ts opens (and closes) a window at the jump; a repeated
 * one takes its first occurrence (a window edge inside a repeated hour, which no business calendar
 * has, is the only case where the two could differ).
 */
function instantOf(zone: IANAZone, local: number): number {
  const before = zone.offset(local - DAY) * MINUTE;
  const after = zone.offset(local + DAY) * MINUTE;
  const early = local - before;
  if (before === after || zone.offset(early) * MINUTE === before) return early;
  const late = local - after;
  if (zone.offset(late) * MINUTE === after) return late;
  // In the gap: the first instant on the new offset, between the two readings.
  let lo = Math.min(early, late);
  let hi = Math.max(early, late);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offset(mid) * MINUTE === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

const weekdayOf = (day: number): number => (((day + 3) % 7) + 7) % 7;

export function businessTimeline(cal: CalendarPolicy, from: Date, to: Date): BusinessTimeline {
  const zone = IANAZone.create(cal.timeZone);
  const holidays = new Set(cal.holidays.map((d) => Date.parse(`${d}T00:00:00Z`) / DAY));
  const week = WEEKDAYS.map((d) => cal.week[d]);
  const localDay = (t: number): number => Math.floor((t + zone.offset(t) * MINUTE) / DAY);
  const windows: [number, number][] = [];
  for (let day = localDay(from.getTime()) - 1, last = localDay(to.getTime()); day <= last; day++) {
    if (holidays.has(day)) continue;
    for (const w of week[weekdayOf(day)]!) {
      const s = instantOf(zone, day * DAY + w.start * MINUTE);
      const e = instantOf(zone, day * DAY + w.end * MINUTE);
      if (e > s) windows.push([s, e]);
    }
  }
  windows.sort((a, b) => a[0] - b[0]);
  const starts = new Float64Array(windows.length);
  const ends = new Float64Array(windows.length);
  const before = new Float64Array(windows.length);
  let sum = 0;
  windows.forEach(([s, e], i) => {
    starts[i] = s;
    ends[i] = e;
    before[i] = sum;
    sum += e - s;
  });
  return { from: from.getTime(), to: to.getTime(), starts, ends, before };
}

/** Business ms from the timeline's first window up to `t`. */
function cumulative(tl: BusinessTimeline, t: number): number {
  let lo = 0;
  let hi = tl.starts.length;
  // The last window starting at or before t.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tl.starts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  const i = lo - 1;
  if (i < 0) return 0;
  return tl.before[i]! + Math.min(t, tl.ends[i]!) - tl.starts[i]!;
}

/** Business minutes in [from, to); both must lie inside the timeline's stretch. */
export function timelineMinutes(tl: BusinessTimeline, from: number, to: number): number {
  if (to <= from) return 0;
  if (from < tl.from || to > tl.to) throw new RangeError('instant outside the business timeline');
  return (cumulative(tl, to) - cumulative(tl, from)) / MINUTE;
}
