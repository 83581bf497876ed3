/**
 * Answers kept for a while, keyed by string. The pending answer is what is kept, so callers asking
 * side by side load once; a failed load is forgotten, so the next caller tries again. `ttlOf` may
 * keep some answers (e.g. "not found") for less long.
 */
export function ttlCache<T>(
  ttlOf: (value: T) => number,
  now: () => number = Date.now,
): (key: string, load: () => Promise<T>) => Promise<T> {
  const entries = new Map<string, { value: Promise<T>; until: number }>();
  return (key, load) => {
    const hit = entries.get(key);
    if (hit && hit.until > now()) return hit.value;
    const entry = { value: load(), until: Number.POSITIVE_INFINITY };
    entries.set(key, entry);
    entry.value.then(
      (value) => {
        entry.until = now() + ttlOf(value);
      },
      () => {
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
    return entry.value;
  };
}
