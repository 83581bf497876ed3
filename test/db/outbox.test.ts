import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  claimDue,
  completeDelivery,
  enqueue,
  holdChannel,
  releaseDeliveries,
  takePaceToken,
} from '../../src/db/repo/outbox.js';
import { channelPace, outbox } from '../../src/db/schema.js';
import { freshDatabase, hasServer, insertHandoff, type TestDatabase } from '../helpers/db.js';

const WS = 'T0TEST';
let db: TestDatabase;

const newHandoff = (): Promise<string> => insertHandoff(db.db, WS, new Date());

const claim = (now: Date, over: Partial<Parameters<typeof claimDue>[2]> = {}) =>
  claimDue(db.db, now, { limit: 50, leaseMs: 30_000, perChannel: 10, busyChannels: [], ...over });

beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db.dispose();
});
beforeEach(async () => {
  await db.db.execute(sql`truncate ${outbox}, ${channelPace}`);
});

describe('outbox claims', () => {
  it('a replayed key is queued once', async () => {
    const row = { workspaceId: WS, dedupeKey: 'k1', kind: 'post_card', channel: 'C1', payload: {} };
    await enqueue(db.db, [row]);
    await enqueue(db.db, [row, row]);
    expect(await claim(new Date(Date.now() + 1000))).toHaveLength(1);
  });

  it("holds a handoff's later deliveries until the earlier one is done", async () => {
    const h = await newHandoff();
    await enqueue(db.db, [
      { workspaceId: WS, dedupeKey: 'a', kind: 'post_card', handoffId: h, channel: 'C1', payload: {} },
      { workspaceId: WS, dedupeKey: 'b', kind: 'update_card', handoffId: h, channel: 'C2', payload: {} },
    ]);
    const now = new Date(Date.now() + 1000);
    const first = await claim(now);
    expect(first.map((r) => r.dedupeKey)).toEqual(['a']);
    expect(await claim(now)).toEqual([]);
    await completeDelivery(db.db, first[0]!.id, { ts: '1' });
    expect((await claim(now)).map((r) => r.dedupeKey)).toEqual(['b']);
  });

  it('caps each channel, skips busy channels, and counts attempts', async () => {
    await enqueue(
      db.db,
      Array.from({ length: 6 }, (_, i) => ({
        workspaceId: WS,
        dedupeKey: `m${i}`,
        kind: 'x',
        channel: i < 4 ? 'CMKT' : 'CTEAM',
        payload: {},
      })),
    );
    const now = new Date(Date.now() + 1000);
    const rows = await claim(now, { perChannel: 2, busyChannels: ['CTEAM'] });
    expect(rows.map((r) => [r.dedupeKey, r.channel, r.attempts])).toEqual([
      ['m0', 'CMKT', 1],
      ['m1', 'CMKT', 1],
    ]);
  });

  it('rows without a channel (card updates) are claimed too, oldest first, capped like a channel', async () => {
    await enqueue(db.db, [
      ...Array.from({ length: 3 }, (_, i) => ({
        workspaceId: WS,
        dedupeKey: `u${i}`,
        kind: 'update_card',
        channel: null,
        payload: {},
      })),
      ...Array.from({ length: 3 }, (_, i) => ({
        workspaceId: WS,
        dedupeKey: `t${i}`,
        kind: 'x',
        channel: `C${i}`,
        payload: {},
      })),
    ]);
    const rows = await claim(new Date(Date.now() + 1000), { perChannel: 2 });
    expect(rows.map((r) => r.dedupeKey)).toEqual(['u0', 'u1', 't0', 't1', 't2']);
  });

  it('a long backlog in one channel leaves every other channel its share, in queue order', async () => {
    await enqueue(
      db.db,
      Array.from({ length: 500 }, (_, i) => ({
        workspaceId: WS,
        dedupeKey: `b${i}`,
        kind: 'x',
        channel: 'CBUSY',
        payload: {},
      })),
    );
    await enqueue(db.db, [{ workspaceId: WS, dedupeKey: 'late', kind: 'x', channel: 'CQUIET', payload: {} }]);
    const rows = await claim(new Date(Date.now() + 1000), { perChannel: 3 });
    expect(rows.map((r) => r.dedupeKey)).toEqual(['b0', 'b1', 'b2', 'late']);
  });

  it('a claimed row is invisible until its lease runs out, then claimable again', async () => {
    await enqueue(db.db, [{ workspaceId: WS, dedupeKey: 'lease', kind: 'x', channel: 'C1', payload: {} }]);
    const t0 = new Date(Date.now() + 1000);
    expect(await claim(t0, { leaseMs: 10_000 })).toHaveLength(1);
    expect(await claim(new Date(t0.getTime() + 5_000))).toHaveLength(0);
    const again = await claim(new Date(t0.getTime() + 11_000));
    expect(again.map((r) => r.attempts)).toEqual([2]);
  });

  it('released rows are claimable again from the time given and their attempt is not counted', async () => {
    await enqueue(db.db, [{ workspaceId: WS, dedupeKey: 'rel', kind: 'x', channel: 'C1', payload: {} }]);
    const now = new Date(Date.now() + 1000);
    const [row] = await claim(now);
    await releaseDeliveries(db.db, [row!.id], now);
    expect((await claim(now)).map((r) => r.attempts)).toEqual([1]);
    await releaseDeliveries(db.db, [row!.id], new Date(now.getTime() + 5_000));
    expect(await claim(now)).toEqual([]);
    expect((await claim(new Date(now.getTime() + 5_000))).map((r) => r.attempts)).toEqual([1]);
  });

  it('a channel held after a 429 gives nothing before the hold ends', async () => {
    await enqueue(db.db, [
      { workspaceId: WS, dedupeKey: 'h1', kind: 'x', channel: 'CHOT', payload: {} },
      { workspaceId: WS, dedupeKey: 'h2', kind: 'x', channel: 'COK', payload: {} },
    ]);
    const now = new Date(Date.now() + 1000);
    await holdChannel(db.db, 'CHOT', { now, retryAfterMs: 30_000 }, { intervalMs: 1000, burst: 3 });
    const open = await claim(now);
    expect(open.map((r) => r.dedupeKey)).toEqual(['h2']);
    await completeDelivery(db.db, open[0]!.id, {});
    expect((await claim(new Date(now.getTime() + 31_000))).map((r) => r.dedupeKey)).toEqual(['h1']);
  });
});

describe('channel pace, shared through the database', () => {
  const pace = { intervalMs: 1000, burst: 3 };

  it('a quiet channel gives its burst at once, then one token per interval; channels are independent', async () => {
    const waits = [];
    for (let i = 0; i < 4; i++) waits.push(await takePaceToken(db.db, 'CPACE', pace));
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(0);
    expect(waits[3]).toBeLessThanOrEqual(1000);
    expect(await takePaceToken(db.db, 'COTHER', pace)).toBe(0);
    // A refused take leaves the bucket as it was: asking again does not push the next token further off.
    expect(await takePaceToken(db.db, 'CPACE', pace)).toBeLessThanOrEqual(waits[3]!);
  });

  it('after a 429 the channel gives no token before Retry-After', async () => {
    await holdChannel(db.db, 'CHELD', { now: new Date(), retryAfterMs: 20_000 }, pace);
    const wait = await takePaceToken(db.db, 'CHELD', pace);
    expect(wait).toBeGreaterThan(15_000);
    expect(wait).toBeLessThanOrEqual(20_000);
  });
});

describe.runIf(hasServer)('outbox claims with concurrent workers (server)', () => {
  it('eight workers taking tokens of one channel at once get its burst between them, no more', async () => {
    const waits = await Promise.all(
      Array.from({ length: 8 }, () => takePaceToken(db.db, 'CRACE', { intervalMs: 1000, burst: 3 })),
    );
    expect(waits.filter((w) => w === 0)).toHaveLength(3);
  });

  it('eight workers claiming at once never take the same row twice', async () => {
    await enqueue(
      db.db,
      Array.from({ length: 400 }, (_, i) => ({
        workspaceId: WS,
        dedupeKey: `c${i}`,
        kind: 'x',
        channel: `C${i % 40}`,
        payload: {},
      })),
    );
    const now = new Date(Date.now() + 1000);
    const seen: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (;;) {
          const rows = await claim(now, { limit: 7, perChannel: 3 });
          if (rows.length === 0) return;
          seen.push(...rows.map((r) => r.id));
        }
      }),
    );
    expect(seen).toHaveLength(400);
    expect(new Set(seen).size).toBe(400);
  });
});
