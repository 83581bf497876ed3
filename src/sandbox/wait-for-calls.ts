/**
 * A stand-in's `waitFor`: resolves with the recorded calls `test` matches once there are `count`
 * of them, or fails after `timeoutMs` with `failure(seen)`. `waiters` are called by the stand-in
 * after each call it records.
 */
export function waitForCalls<T>(
  calls: readonly T[],
  waiters: Set<() => void>,
  test: (call: T) => boolean,
  { count, timeoutMs, failure }: { count: number; timeoutMs: number; failure: (seen: number) => string },
): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const found = calls.filter(test);
      if (found.length < count) return false;
      waiters.delete(check);
      clearTimeout(timer);
      resolve(found);
      return true;
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(failure(calls.filter(test).length)));
    }, timeoutMs);
    if (!check()) waiters.add(check);
  });
}
