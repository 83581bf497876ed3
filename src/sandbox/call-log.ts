import { Waiters } from './waiters.js';

/**
 * What a stand-in was asked, in the order the calls arrived, and a way to wait for calls still to
 * come. The Slack and HubSpot stand-ins each keep one.
 */
export class CallLog<T> {
  /** Handed out as the stand-in's `calls`: the same array for the stand-in's whole life. */
  readonly calls: T[] = [];
  private readonly waiters = new Waiters();

  record(call: T): void {
    this.calls.push(call);
  }

  /**
   * Tells whoever waits that the log changed. Separate from record: a call whose answer decides
   * whether it matches (HubSpot's `waitFor` counts only 2xx answers) is announced once answered.
   */
  announce(): void {
    this.waiters.wake();
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
    return this.waiters.until(
      () => {
        const found = this.calls.filter(test);
        return found.length >= count ? found : undefined;
      },
      timeoutMs,
      () => failure(this.calls.filter(test).length),
    );
  }

  clear(): void {
    this.calls.length = 0;
  }
}
