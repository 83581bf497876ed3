import { describe, expect, it } from 'vitest';
import { CallLog } from '../../src/sandbox/call-log.js';

/* The stand-ins' call log: the calls in order of arrival, and waiting for ones still to come. */

interface Call {
  method: string;
  status: number;
}

describe('CallLog', () => {
  it('keeps calls in order and filters them, in the same array it hands out', () => {
    const log = new CallLog<Call>();
    const calls = log.calls;
    log.record({ method: 'a', status: 200 });
    log.record({ method: 'b', status: 200 });
    log.record({ method: 'a', status: 429 });
    expect(log.matching((c) => c.method === 'a').map((c) => c.status)).toEqual([200, 429]);
    log.clear();
    expect(calls).toBe(log.calls);
    expect(calls).toEqual([]);
  });

  it('waitFor counts calls already there and resolves, in order, once enough have been announced', async () => {
    const log = new CallLog<Call>();
    log.record({ method: 'a', status: 1 });
    const waiting = log.waitFor((c) => c.method === 'a', { count: 3, timeoutMs: 5_000, failure: () => 'late' });
    log.record({ method: 'b', status: 2 });
    log.announce();
    log.record({ method: 'a', status: 3 });
    log.announce();
    log.record({ method: 'a', status: 4 });
    log.announce();
    expect((await waiting).map((c) => c.status)).toEqual([1, 3, 4]);
  });

  it('a call matches only once announced: a test on its answer sees the answer, not the call half-recorded', async () => {
    const log = new CallLog<Call>();
    const waiting = log.waitFor((c) => c.status === 200, { count: 1, timeoutMs: 5_000, failure: () => 'late' });
    const call: Call = { method: 'a', status: 0 };
    log.record(call);
    let settled = false;
    void waiting.then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    call.status = 200;
    log.announce();
    expect(await waiting).toEqual([call]);
  });

  it('fails after its time with how many matching calls it saw, and forgets the waiter', async () => {
    const log = new CallLog<Call>();
    log.record({ method: 'a', status: 1 });
    await expect(
      log.waitFor((c) => c.method === 'a', { count: 2, timeoutMs: 20, failure: (seen) => `saw ${seen}` }),
    ).rejects.toThrow('saw 1');
    // The waiter is gone: announcing later finds no one to call.
    log.record({ method: 'a', status: 2 });
    expect(() => {
      log.announce();
    }).not.toThrow();
  });
});
