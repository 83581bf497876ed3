import { nearestRank, ratio } from './stats.js';

/*
 * Velocity (docs/reports.md) for decisions made in a period: time to decision = decision − the
 * handoff's first assignment (reassignments do not restart it), in business hours on the
 * handoff team's calendar and in wall-clock hours; median and p90 by nearest rank; compliance
 * against the SLA target frozen on the handoff, measured on the handoff's own clock.
 * By rep, each holding is charged to its holder instead: the deciding rep's time runs from their
 * own assignment, and a rep the handoff was taken from for breaching the SLA has a miss (a
 * holding that ended in no decision, so it weighs on compliance but not on the medians).
 */

export interface Decision {
  readonly businessMinutes: number;
  readonly wallMinutes: number;
  readonly slaClock: 'business' | 'wall';
  readonly slaTargetMinutes: number;
  /** Taken from the holder for breaching the SLA: a miss, not a decision. */
  readonly taken?: boolean;
}

export interface VelocityFigures {
  readonly decisions: number;
  readonly medianBusinessHours: number | undefined;
  readonly p90BusinessHours: number | undefined;
  readonly medianWallHours: number | undefined;
  readonly p90WallHours: number | undefined;
  readonly withinSla: number;
  /** Holdings taken away for breaching the SLA (by rep only); they count as outside the SLA. */
  readonly takenForBreach: number;
  readonly slaCompliance: number | undefined;
}

export interface VelocityGroup extends VelocityFigures {
  readonly key: string;
  readonly overdueNow: number;
}

const hours = (m: number | undefined): number | undefined => (m === undefined ? undefined : m / 60);

export function velocityFigures(holdings: readonly Decision[]): VelocityFigures {
  const decisions = holdings.filter((d) => d.taken !== true);
  // Typed arrays sort numerically and natively: a quarter holds tens of thousands of decisions.
  const business = Float64Array.from(decisions, (d) => d.businessMinutes).sort();
  const wall = Float64Array.from(decisions, (d) => d.wallMinutes).sort();
  let withinSla = 0;
  for (const d of decisions)
    if ((d.slaClock === 'wall' ? d.wallMinutes : d.businessMinutes) <= d.slaTargetMinutes) withinSla++;
  return {
    decisions: decisions.length,
    medianBusinessHours: hours(nearestRank(business, 0.5)),
    p90BusinessHours: hours(nearestRank(business, 0.9)),
    medianWallHours: hours(nearestRank(wall, 0.5)),
    p90WallHours: hours(nearestRank(wall, 0.9)),
    withinSla,
    takenForBreach: holdings.length - decisions.length,
    slaCompliance: ratio(withinSla, holdings.length),
  };
}

/** Per group (rep or team), slowest median first; a group with only overdue handoffs is listed too. */
export function velocityGroups<D extends Decision>(
  decisions: readonly D[],
  groupOf: (d: D) => string,
  overdue: ReadonlyMap<string, number>,
): VelocityGroup[] {
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
    .sort(
      (a, b) =>
        (b.medianBusinessHours ?? -1) - (a.medianBusinessHours ?? -1) ||
        b.overdueNow - a.overdueNow ||
        a.key.localeCompare(b.key),
    );
}
