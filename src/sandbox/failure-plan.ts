import { prng } from './prng.js';

/**
 * The failures a stand-in was told to answer with, for calls named by a key (a Slack method, a
 * HubSpot endpoint; '*' is any). A call takes the first failure scripted for its key, else the
 * first scripted for '*', each in the order they were asked for; with none scripted, a random
 * plan (seeded, so a run can be repeated) may pick one.
 */
export class FailurePlan<F> {
  private readonly scripted = new Map<string, F[]>();
  private random: { key: string; rate: number; failures: readonly F[]; draw: () => number } | undefined;

  failNext(key: string, failure: F, times = 1): void {
    this.scripted.set(key, [...(this.scripted.get(key) ?? []), ...Array.from({ length: times }, () => failure)]);
  }

  /** Calls to `key` fail at `rate`, each time with one of `failures`; replaces an earlier random plan. */
  failRandomly(
    key: string,
    { rate, failures, seed = 42 }: { rate: number; failures: readonly F[]; seed?: number },
  ): void {
    this.random = { key, rate, failures, draw: prng(seed) };
  }

  /** The failure for this call to `key`, taken off the plan; undefined: answer normally. */
  next(key: string): F | undefined {
    for (const k of [key, '*']) {
      const list = this.scripted.get(k);
      if (list && list.length > 0) return list.shift();
    }
    const r = this.random;
    if (r && (r.key === key || r.key === '*') && r.draw() < r.rate)
      return r.failures[Math.floor(r.draw() * r.failures.length)];
    return undefined;
  }

  clear(): void {
    this.scripted.clear();
    this.random = undefined;
  }
}
