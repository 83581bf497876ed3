import { DateTime } from 'luxon';

/*
 * Report periods (docs/reports.md), read in the policy's reporting zone. Each period comes with the one
 * it is compared against: the previous period of the same length. A period "to date" (this week,
 * this month, this quarter) is compared with the same elapsed stretch of the previous one (Monday
 * 00:00 to Wednesday 14:00 last week), so half a week is never set against a whole one.
 */

export const NAMED_PERIODS = ['week', 'last-week', 'month', 'last-month', 'quarter', 'last-quarter'] as const;
export type NamedPeriod = (typeof NAMED_PERIODS)[number];
export type PeriodSpec = { kind: NamedPeriod } | { kind: 'range'; from: string; to: string };

/** [start, end): instants; `label` names it for people, `days` its first and last local dates. */
export interface Period {
  readonly start: Date;
  readonly end: Date;
  readonly label: string;
  readonly firstDay: string;
  readonly lastDay: string;
}

export interface PeriodPair {
  readonly spec: string;
  readonly current: Period;
  readonly previous: Period;
}

const RANGE = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/;
/** Two years is plenty for a report and keeps one request from scanning a decade. */
export const MAX_RANGE_DAYS = 732;

/** `undefined` when the text is not a period; a range must be real dates, in order, at most two years. */
export function parsePeriod(text: string): PeriodSpec | undefined {
  const t = text.trim().toLowerCase();
  if ((NAMED_PERIODS as readonly string[]).includes(t)) return { kind: t as NamedPeriod };
  const m = RANGE.exec(t);
  if (!m) return undefined;
  const from = DateTime.fromISO(m[1]!, { zone: 'UTC' });
  const to = DateTime.fromISO(m[2]!, { zone: 'UTC' });
  if (!from.isValid || !to.isValid || to < from || to.diff(from, 'days').days >= MAX_RANGE_DAYS) return undefined;
  return { kind: 'range', from: m[1]!, to: m[2]! };
}

/** Edits (insert, delete, substitute) from a to b. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The named period a mistyped word most likely meant (`weak` → `week`), if one is within two edits. */
export function closestPeriod(text: string): NamedPeriod | undefined {
  const t = text.trim().toLowerCase();
  let best: { name: NamedPeriod; d: number } | undefined;
  for (const name of NAMED_PERIODS) {
    const d = distance(t, name);
    if (d <= 2 && (best === undefined || d < best.d)) best = { name, d };
  }
  return best?.name;
}

export function periodText(spec: PeriodSpec): string {
  return spec.kind === 'range' ? `${spec.from}..${spec.to}` : spec.kind;
}

type Unit = 'week' | 'month' | 'quarter';

function period(start: DateTime, end: DateTime, label: string): Period {
  // The last day is the local date of the last instant inside [start, end).
  const lastDay = end.minus({ milliseconds: 1 }).toISODate() ?? '';
  return {
    start: start.toJSDate(),
    end: end.toJSDate(),
    label,
    firstDay: start.toISODate() ?? '',
    lastDay: end > start ? lastDay : (start.toISODate() ?? ''),
  };
}

function unitLabel(unit: Unit, start: DateTime): string {
  switch (unit) {
    case 'week':
      return `week ${start.weekNumber} ${start.weekYear}`;
    case 'month':
      return start.toFormat('LLLL yyyy');
    case 'quarter':
      return `Q${start.quarter} ${start.year}`;
  }
}

function named(kind: NamedPeriod, now: DateTime): PeriodPair {
  const unit: Unit =
    kind === 'week' || kind === 'last-week' ? 'week' : kind === 'month' || kind === 'last-month' ? 'month' : 'quarter';
  const step = unit === 'week' ? { weeks: 1 } : unit === 'month' ? { months: 1 } : { quarters: 1 };
  const thisStart = now.startOf(unit);
  if (kind.startsWith('last-')) {
    const start = thisStart.minus(step);
    const before = start.minus(step);
    return {
      spec: kind,
      current: period(start, thisStart, unitLabel(unit, start)),
      previous: period(before, start, unitLabel(unit, before)),
    };
  }
  const prevStart = thisStart.minus(step);
  // Wall-clock arithmetic in the zone: "the same moment last week" across a DST change too.
  const prevEnd = DateTime.min(now.minus(step), thisStart);
  return {
    spec: kind,
    current: period(thisStart, now, `${unitLabel(unit, thisStart)} to date`),
    previous: period(prevStart, prevEnd, `${unitLabel(unit, prevStart)}, same days`),
  };
}

/** The period and its comparison, at `now`, in `zone`. */
export function resolvePeriod(spec: PeriodSpec, now: Date, zone: string): PeriodPair {
  const at = DateTime.fromJSDate(now, { zone });
  if (spec.kind !== 'range') return named(spec.kind, at);
  const start = DateTime.fromISO(spec.from, { zone });
  const end = DateTime.fromISO(spec.to, { zone }).plus({ days: 1 });
  const days = Math.round(end.diff(start, 'days').days);
  const prevStart = start.minus({ days });
  return {
    spec: periodText(spec),
    current: period(start, end, `${spec.from} – ${spec.to}`),
    previous: period(
      prevStart,
      start,
      `${prevStart.toISODate() ?? ''} – ${start.minus({ days: 1 }).toISODate() ?? ''}`,
    ),
  };
}

/** This month to date and the whole previous month, as local dates: for leads per business day and pace. */
export function monthsAround(now: Date, zone: string): { current: Period; previous: Period; monthLastDay: string } {
  const at = DateTime.fromJSDate(now, { zone });
  const start = at.startOf('month');
  const prev = start.minus({ months: 1 });
  return {
    current: period(start, at, start.toFormat('LLLL yyyy')),
    previous: period(prev, start, prev.toFormat('LLLL yyyy')),
    monthLastDay: at.endOf('month').toISODate() ?? '',
  };
}

/** This month and the eleven after it, as local dates: what a yearly goal is spread over. */
export function nextTwelveMonths(now: Date, zone: string): { firstDay: string; lastDay: string } {
  const start = DateTime.fromJSDate(now, { zone }).startOf('month');
  return {
    firstDay: start.toISODate() ?? '',
    lastDay: start.plus({ months: 12 }).minus({ days: 1 }).toISODate() ?? '',
  };
}
