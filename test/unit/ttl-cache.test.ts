import { describe, expect, it } from 'vitest';
import { ttlCache } from '../../src/ttl-cache.js';

describe('ttlCache', () => {
  it('callers side by side load once; the answer is kept for its own time to live', async () => {
    let clock = 0;
    let loads = 0;
    const cached = ttlCache<string | undefined>(
      (v) => (v === undefined ? 10 : 100),
      () => clock,
    );
    const load = (value: string | undefined) => async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return value;
    };
    expect(await Promise.all([cached('a', load('A')), cached('a', load('A')), cached('a', load('A'))])).toEqual([
      'A',
      'A',
      'A',
    ]);
    expect(loads).toBe(1);
    clock = 99;
    await cached('a', load('B'));
    expect(loads).toBe(1);
    clock = 101;
    expect(await cached('a', load('B'))).toBe('B');
    expect(loads).toBe(2);
    await cached('missing', load(undefined));
    clock = 112;
    await cached('missing', load(undefined));
    expect(loads).toBe(4);
  });

  it('a failed load is forgotten: the next caller tries again', async () => {
    const cached = ttlCache<number>(() => 1_000);
    await expect(cached('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cached('k', () => Promise.resolve(7))).toBe(7);
  });
});
