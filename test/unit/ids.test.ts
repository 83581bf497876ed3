import { describe, expect, it } from 'vitest';
import { timeOrderedIds } from '../../src/db/ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedIds (UUID version 7)', () => {
  it('are version 7 UUIDs carrying the millisecond they were made, in the order they were made, never twice', () => {
    let clock = Date.UTC(2026, 11, 1, 9, 30);
    const newId = timeOrderedIds(() => clock);
    const ids: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      if (i % 1000 === 0) clock += 1;
      ids.push(newId());
    }
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // Byte order is Postgres' uuid order: sorting must not move any.
    expect([...ids].sort()).toEqual(ids);
    expect(parseInt(ids[0]!.replaceAll('-', '').slice(0, 12), 16)).toBe(Date.UTC(2026, 11, 1, 9, 30) + 1);
  });

  it('stay in order when the clock stands still or goes back', () => {
    const times = [1_000, 1_000, 999, 500, 1_001];
    const newId = timeOrderedIds(() => times.shift()!);
    const ids = [newId(), newId(), newId(), newId(), newId()];
    expect([...ids].sort()).toEqual(ids);
  });

  it('two sources made in the same millisecond do not meet', () => {
    const a = timeOrderedIds(() => 5_000);
    const b = timeOrderedIds(() => 5_000);
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(a()).add(b());
    expect(ids.size).toBe(20_000);
  });
});
