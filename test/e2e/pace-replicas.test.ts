import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTAKE_TOKEN } from '../helpers/app.js';
import { hasServer, scratchServerDatabase } from '../helpers/db.js';
import { batonEnv, freePort, spawnBaton, waitForStatus, type BatonProcess } from '../helpers/process.js';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-standin.js';
import { DEFAULT_OUTBOX_TUNING } from '../../src/services/outbox.js';

/** The most posts any window of `windowMs` (ends included) holds, from arrival times in ms. */
function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! > windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/*
 * Slack's limit is per channel, not per process: three replicas on one database, at the default
 * rate (one post a second, bursts of three), post a burst of MQLs' cards and notes. What the
 * stand-in received per channel is a token bucket's, whichever replica posted: at most
 * burst + rate posts in any second and burst + 10 × rate in any ten seconds.
 */
describe.runIf(hasServer)('Slack pace across three replicas (server)', () => {
  const LEADS = 15;
  const { channelRate: rate, channelBurst: burst } = DEFAULT_OUTBOX_TUNING;
  let slack: SlackStandIn;
  let sql: postgres.Sql;
  let scratch: { url: string; drop(): Promise<void> };
  const replicas: { process: BatonProcess; url: string }[] = [];

  const start = async (): Promise<void> => {
    const port = await freePort();
    const process = spawnBaton(batonEnv(slack.url, port, { DATABASE_URL: scratch.url }));
    replicas.push({ process, url: `http://127.0.0.1:${port}` });
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000);
  };

  beforeAll(async () => {
    slack = await startSlackStandIn();
    scratch = await scratchServerDatabase('baton_pace');
    sql = postgres(scratch.url, { max: 2, onnotice: () => undefined });
    // The first applies the migrations; the others find them applied.
    await start();
    await Promise.all([start(), start()]);
  }, 120_000);
  afterAll(async () => {
    for (const r of replicas) {
      r.process.child.kill('SIGTERM');
      await r.process.exited;
    }
    await sql.end();
    await scratch.drop();
    await slack.close();
  });

  it(`${LEADS} MQLs through three replicas: every card and note posted once, no channel over the pace`, async () => {
    const stamp = Date.now();
    await Promise.all(
      Array.from({ length: LEADS }, async (_, i) => {
        const res = await fetch(`${replicas[i % replicas.length]!.url}/api/leads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            externalId: `pace-${stamp}-${i}`,
            source: 'web',
            email: `pace${i}.${stamp}@acme.io`,
            firstName: 'Pia',
            lastName: `P${i}`,
            title: 'VP Sales',
            country: 'SE',
            employees: 40,
            channel: 'referral',
            activities: [{ type: 'demo_request', at: new Date().toISOString() }],
          }),
        });
        expect(res.status).toBe(202);
      }),
    );

    const deadline = Date.now() + 90_000;
    for (;;) {
      const [row] = await sql<
        { pending: number; handoffs: number }[]
      >`select (select count(*)::int from outbox where status <> 'done') as pending, (select count(*)::int from handoffs) as handoffs`;
      if (row!.pending === 0 && row!.handoffs === LEADS) break;
      if (Date.now() > deadline) throw new Error(`deliveries not finished in time: ${JSON.stringify(row)}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    expect(slack.messages('C0SMB')).toHaveLength(LEADS);
    expect(slack.messages('C0MARKETING')).toHaveLength(LEADS);
    const posts = new Map<string, number[]>();
    for (const c of slack.callsTo('chat.postMessage'))
      posts.set(String(c.body.channel), [...(posts.get(String(c.body.channel)) ?? []), c.at.getTime()]);
    expect([...posts.keys()].sort()).toEqual(['C0MARKETING', 'C0SMB']);
    for (const [channel, times] of posts) {
      expect({ channel, posts: times.length }).toEqual({ channel, posts: LEADS });
      expect({ channel, busiestSecond: busiestWindow(times, 1_000) }).toEqual({
        channel,
        busiestSecond: expect.toBeOneOf(range(1, burst + rate)) as number,
      });
      expect({ channel, busiestTenSeconds: busiestWindow(times, 10_000) }).toEqual({
        channel,
        busiestTenSeconds: expect.toBeOneOf(range(1, burst + 10 * rate)) as number,
      });
    }
  }, 150_000);
});
