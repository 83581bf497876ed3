/**
 * What a stand-in was asked, in the order the calls arrived, and a way to wait for calls still to
 * come. The Slack and HubSpot stand-ins each keep one.
 */
export class CallLog<T> {
  /** Handed out as the stand-in's `calls`: the same array for the stand-in's whole life. */
  readonly calls: T[] = [];
  private readonly waiters = new Set<() => void>();

  record(call: T): void {
    this.calls.push(call);
  }

  /**
   * Tells whoever waits that the log changed. Separate from record: a call whose answer decides
   * whether it matches (HubSpot's `waitFor` counts only 2xx answers) is announced once answered.
   */
  announce(): void {
    for (const w of [...this.waiters]) w();
  }

  matching(test: (call: T) => boolean): T[] {
    return this.calls.filter(test);
  }

  /**
   * Resolves with the calls `test` matches once there are `count` of them, or fails after
   * `timeoutMs` with `failure(seen)`.
   */
  waitFor(
    test: (call: T) => boolean,
    { count, timeoutMs, failure }: { count: number; timeoutMs: number; failure: (seen: number) => string },
  ): Promise<T[]> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.calls.filter(test);
        if (found.length < count) return false;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(failure(this.calls.filter(test).length)));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }

  clear(): void {
    this.calls.length = 0;
  }
}
