import { describe, expect, it } from 'vitest';
import { takeBatch } from '../../src/services/intake.js';

const lead = (name: string, ...keys: string[]) => ({ name, keys });
const names = (batch: readonly { name: string }[]) => batch.map((l) => l.name);

describe('group commit: which waiting leads go in the next batch', () => {
  it('takes leads in arrival order, up to the batch size, and leaves the rest waiting', () => {
    const waiting = [lead('a', 'k1'), lead('b', 'k2'), lead('c', 'k3')];
    expect(names(takeBatch(waiting, new Set(), 2))).toEqual(['a', 'b']);
    expect(names(waiting)).toEqual(['c']);
  });

  it('never puts two leads sharing a key (a replay, the same email) in one batch', () => {
    const waiting = [
      lead('a', 'src:1', 'ana@x.io'),
      lead('replay', 'src:1'),
      lead('b', 'src:2', 'bo@x.io'),
      lead('same-email', 'src:3', 'ana@x.io'),
    ];
    expect(names(takeBatch(waiting, new Set(), 10))).toEqual(['a', 'b']);
    // Neither shares a key with the other: they go together.
    expect(names(takeBatch(waiting, new Set(), 10))).toEqual(['replay', 'same-email']);
  });

  it('holds a lead whose key a batch in flight has, and every later lead sharing a key with it', () => {
    // c shares nothing with the batch in flight, only with b, which waits: c must not overtake b.
    const waiting = [lead('b', 'k1', 'k2'), lead('c', 'k2'), lead('d', 'k9')];
    expect(names(takeBatch(waiting, new Set(['k1']), 10))).toEqual(['d']);
    expect(names(waiting)).toEqual(['b', 'c']);
    expect(names(takeBatch(waiting, new Set(), 10))).toEqual(['b']);
  });

  it('takes nothing when every waiting lead is held', () => {
    const waiting = [lead('a', 'k1')];
    expect(takeBatch(waiting, new Set(['k1']), 10)).toEqual([]);
    expect(names(waiting)).toEqual(['a']);
  });
});
