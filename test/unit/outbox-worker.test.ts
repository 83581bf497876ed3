import { describe, expect, it, vi } from 'vitest';
import { IdleWatch, Pause } from '../../src/services/outbox.js';

describe('the worker knows when it is idle', () => {
  it('a claim that found nothing is quiet only if no channel finished while it was in flight', () => {
    const idle = new IdleWatch();
    const before = idle.mark();
    expect(idle.quiet(before, 0)).toBe(true);
    expect(idle.quiet(before, 2)).toBe(false);
    // A run ended mid-claim: it may have made a row due that the claim could not see.
    idle.runFinished();
    expect(idle.quiet(before, 0)).toBe(false);
    expect(idle.quiet(idle.mark(), 0)).toBe(true);
  });

  it('tells every waiter once, and later waiters at the next idle pass', async () => {
    const idle = new IdleWatch();
    const told: string[] = [];
    const first = idle.wait().then(() => told.push('first'));
    const second = idle.wait().then(() => told.push('second'));
    idle.release();
    await Promise.all([first, second]);
    const third = idle.wait().then(() => told.push('third'));
    await Promise.resolve();
    expect(told).toEqual(['first', 'second']);
    idle.release();
    await third;
    expect(told).toEqual(['first', 'second', 'third']);
  });
});

describe('the pause between claims', () => {
  it('lasts its time unless cut short', async () => {
    vi.useFakeTimers();
    try {
      const pause = new Pause();
      let over = false;
      const waited = pause.for(500).then(() => {
        over = true;
      });
      await vi.advanceTimersByTimeAsync(499);
      expect(over).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await waited;
      expect(over).toBe(true);

      const cut = pause.for(60_000);
      pause.cut();
      await cut;
      // Nothing to cut: harmless.
      pause.cut();
    } finally {
      vi.useRealTimers();
    }
  });
});
