import { nearestRank, ratio } from './stats.js';

/*
 * Velocity (docs/reports.md) for decisions made in a period: time to decision = decision − the
 * handoff's first assignment (reassignments do not restart it), in business hours on the
 * handoff team's calendar and in wall-clock hours; median and p90 by nearest rank; compliance
 * against the SLA target frozen on the handoff, measured on the handoff's own clock.
 */

export interface Decision {
  readonly businessMinutes: number;
  readonly wallMinutes: number;
  readonly slaClock: 'business' | 'wall';
  readonly slaTargetMinutes: number;
}

export interface VelocityFigures {
  readonly decisions: number;
  readonly medianBusinessHours: number | undefined;
  readonly p90BusinessHours: number | undefined;
  readonly medianWallHours: number | undefined;
  readonly p90WallHours: number | undefined;
  readonly withinSla: number;
  readonly slaCompliance: number | undefined;
}

export interface VelocityGroup extends VelocityFigures {
  readonly key: string;
  readonly overdueNow: number;
}

const hours = (m: number | undefined): number | undefined => (m === undefined ? undefined : m / 60);

export function velocityFigures(decisions: readonly Decision[]): VelocityFigures {
  // Typed arrays sort numerically and natively: a quarter holds tens of thousands of decisions.
  const business = Float64Array.from(decisions, (d) => d.businessMinutes).sort();
  const wall = Float64Array.from(decisions, (d) => d.wallMinutes).sort();
  let withinSla = 0;
  for (const d of decisions) if ((d.slaClock === 'wall' ? d.wallMinutes : d.businessMinutes) <= d.slaTargetMinutes) withinSla++;
  return {
    decisions: decisions.length,
    medianBusinessHours: hours(nearestRank(business, 0.5)),
    p90BusinessHours: hours(nearestRank(business, 0.9)),
    medianWallHours: hours(nearestRank(wall, 0.5)),
    p90WallHours: hours(nearestRank(wall, 0.9)),
    withinSla,
    slaCompliance: ratio(withinSla, decisions.length),
  };
}

/** Per group (rep or team), slowest median first; a group with only overdue handoffs is listed too. */
export function velocityGroups<D extends Decision>(decisions: readonly D[], groupOf: (d: D) => string, overdue: ReadonlyMap<string, number>): VelocityGroup[] {
  const by = new Map<string, D[]>();
  for (const d of decisions) {
    const key = groupOf(d);
    const list = by.get(key);
    if (list) list.push(d);
    else by.set(key, [d]);
  }
  for (const key of overdue.keys()) if (!by.has(key)) by.set(key, []);
  return [...by.entries()]
    .map(([key, list]) => ({ key, overdueNow: overdue.get(key) ?? 0, ...velocityFigures(list) }))
    .sort((a, b) => (b.medianBusinessHours ?? -1) - (a.medianBusinessHours ?? -1) || b.overdueNow - a.overdueNow || a.key.localeCompare(b.key));
}
