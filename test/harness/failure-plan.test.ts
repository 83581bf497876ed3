import { describe, expect, it } from 'vitest';
import { FailurePlan } from '../../src/sandbox/failure-plan.js';

/* The stand-ins' failure plan: which failure a call gets, in which order, and when none. */

const draws = (plan: FailurePlan<string>, key: string, n: number): (string | undefined)[] =>
  Array.from({ length: n }, () => plan.next(key));

describe('FailurePlan', () => {
  it("takes a key's own failures in the order asked for, then those for any key, then none", () => {
    const plan = new FailurePlan<string>();
    plan.failNext('chat.postMessage', 'a', 2);
    plan.failNext('*', 'any');
    plan.failNext('chat.postMessage', 'b');
    expect(draws(plan, 'chat.postMessage', 5)).toEqual(['a', 'a', 'b', 'any', undefined]);
  });

  it("leaves one key's failures to that key; '*' serves every key once", () => {
    const plan = new FailurePlan<string>();
    plan.failNext('views.open', 'v');
    plan.failNext('*', 'any');
    expect(plan.next('chat.update')).toBe('any');
    expect(plan.next('chat.update')).toBeUndefined();
    expect(plan.next('views.open')).toBe('v');
  });

  it('fails at random reproducibly for one seed, only calls to its key, after scripted failures', () => {
    const run = (): (string | undefined)[] => {
      const plan = new FailurePlan<string>();
      plan.failRandomly('chat.postMessage', { rate: 0.5, failures: ['x', 'y'], seed: 7 });
      plan.failNext('chat.postMessage', 'first');
      expect(plan.next('users.info')).toBeUndefined();
      return draws(plan, 'chat.postMessage', 40);
    };
    const first = run();
    expect(first[0]).toBe('first');
    const random = first.slice(1);
    expect(random).toContain('x');
    expect(random).toContain('y');
    expect(random).toContain(undefined);
    expect(run()).toEqual(first);
  });

  it('a random plan for any key reaches every key; clear ends scripted and random failures alike', () => {
    const plan = new FailurePlan<string>();
    plan.failRandomly('*', { rate: 1, failures: ['r'] });
    plan.failNext('auth.test', 's');
    expect(draws(plan, 'auth.test', 2)).toEqual(['s', 'r']);
    expect(plan.next('users.info')).toBe('r');
    plan.failNext('auth.test', 's');
    plan.clear();
    expect(draws(plan, 'auth.test', 3)).toEqual([undefined, undefined, undefined]);
  });
});
