/**
 * Those waiting for something a stand-in will tell them of: each gives a check, run at once and
 * again at every wake, and is resolved with the check's first answer, or fails when its time is up.
 */
export class Waiters {
  private readonly waiting = new Set<() => void>();

  wake(): void {
    for (const w of [...this.waiting]) w();
  }

  /** Resolves with what `check` returns once it is not undefined; after `timeoutMs`, fails with `failure()`. */
  until<T>(check: () => T | undefined, timeoutMs: number, failure: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = (): boolean => {
        const found = check();
        if (found === undefined) return false;
        this.waiting.delete(attempt);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiting.delete(attempt);
        reject(new Error(failure()));
      }, timeoutMs);
      if (!attempt()) this.waiting.add(attempt);
    });
  }
}
