/** Small arithmetic shared by every report. An undefined figure is shown as "—", never NaN. */

/** Nearest rank (docs/reports.md, "Velocity"): the value at position ⌈p·n⌉ of the sorted list; undefined when empty. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export function ratio(numerator: number, denominator: number): number | undefined {
  return denominator > 0 ? numerator / denominator : undefined;
}

/**
 * A figure against the previous period's (docs/reports.md): a count (or an
 * average of counts, a duration) changes in percent, a rate in percentage points, so "acceptance
 * 50 % → 60 %" reads +10 points, never +20 %. `change` is in `changeUnit`, already ×100, and
 * undefined when there is nothing to compare with; Slack, JSON and CSV all carry these numbers.
 */
export type ChangeUnit = 'percent' | 'points';

export interface Compared {
  readonly value: number | undefined;
  readonly previous: number | undefined;
  readonly change: number | undefined;
  readonly changeUnit: ChangeUnit;
}

export function comparedCount(value: number | undefined, previous: number | undefined): Compared {
  const change =
    value === undefined || previous === undefined || previous === 0 ? undefined : ((value - previous) / previous) * 100;
  return { value, previous, change, changeUnit: 'percent' };
}

export function comparedRate(value: number | undefined, previous: number | undefined): Compared {
  return {
    value,
    previous,
    change: value === undefined || previous === undefined ? undefined : (value - previous) * 100,
    changeUnit: 'points',
  };
}
