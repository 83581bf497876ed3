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

/** Relative change against the previous figure; undefined when there is nothing to compare with. */
export function change(current: number | undefined, previous: number | undefined): number | undefined {
  if (current === undefined || previous === undefined || previous === 0) return undefined;
  return (current - previous) / previous;
}

export interface Compared {
  readonly value: number | undefined;
  readonly previous: number | undefined;
  readonly change: number | undefined;
}

export function compared(value: number | undefined, previous: number | undefined): Compared {
  return { value, previous, change: change(value, previous) };
}
