import { readdirSync, readFileSync } from 'node:fs';

/** Peak resident set size of a process (VmHWM), in bytes. */
export function rssOf(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Nearest rank: the value at position ⌈p·n⌉ of the sorted list. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;

/** CPU seconds used so far by each process whose command is `name` (e.g. every postgres backend), by pid. */
export function cpuSecondsByName(name: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name)
        out.set(Number(entry), cpuSecondsOf(Number(entry)));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** CPU seconds the processes named `name` used between two readings (processes born meanwhile count from zero). */
export function cpuSecondsSince(before: ReadonlyMap<number, number>, name: string): number {
  let total = 0;
  for (const [pid, seconds] of cpuSecondsByName(name)) total += seconds - (before.get(pid) ?? 0);
  return total;
}
