import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTAKE_TOKEN } from '../helpers/app.js';
import { hasServer, scratchServerDatabase } from '../helpers/db.js';
import { batonEnv, freePort, spawnBaton, waitForStatus, type BatonProcess } from '../helpers/process.js';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-standin.js';

/*
 * docs/delivery.md: a lead the intake answered 2xx for is never lost and its card is posted once, even
 * when the process is killed at any moment and Slack answers 429/5xx in bursts. The real entry
 * point runs as a child process and is SIGKILLed again and again while 300 MQLs arrive and are
 * delivered; the sender retries until it gets a 2xx, as marketing automation does.
 */
describe.runIf(hasServer)('crash safety (server)', () => {
  const TOTAL = 300;
  let slack: SlackStandIn;
  let sql: postgres.Sql;
  let scratch: { url: string; drop(): Promise<void> };
  let env: Record<string, string>;
  let port: number;

  beforeAll(async () => {
    slack = await startSlackStandIn();
    scratch = await scratchServerDatabase('baton_crash');
    sql = postgres(scratch.url, { max: 2, onnotice: () => undefined });
    port = await freePort();
    env = batonEnv(slack.url, port, { DATABASE_URL: scratch.url, OUTBOX_CHANNEL_RATE: '100' });
  });
  afterAll(async () => {
    await sql.end();
    await scratch.drop();
    await slack.close();
  });

  async function sendUntilAccepted(i: number): Promise<string> {
    const body = JSON.stringify({
      externalId: `crash-${i}`,
      source: 'crash',
      email: `c${i}@acme.io`,
      firstName: 'C',
      lastName: `L${i}`,
      title: 'VP Sales',
      employees: [20, 2500][i % 2],
      country: ['SE', 'US'][i % 3 === 0 ? 1 : 0],
      channel: 'referral',
      activities: [{ type: 'demo_request', at: '2026-11-20T10:00:00Z' }],
    });
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/leads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        if (res.status === 202) return ((await res.json()) as { handoffId: string }).handoffId;
      } catch {
        // the process is down or was killed mid-request: try again, as a sender would
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('300 MQLs through repeated SIGKILLs and Slack failures: each handoff has exactly one card and one marketing note', async () => {
    slack.failRandomly('chat.postMessage', {
      rate: 0.3,
      seed: 11,
      failures: [{ status: 429, retryAfterSeconds: 1 }, { status: 500 }, { status: 503 }, { lostAnswer: true }],
    });
    let current: BatonProcess = spawnBaton(env);
    const handoffs = new Set<string>();
    let sent = 0;
    const senders = Promise.all(
      Array.from({ length: 6 }, async () => {
        while (sent < TOTAL) {
          const i = sent++;
          handoffs.add(await sendUntilAccepted(i));
        }
      }),
    );
    let kills = 0;
    // Kill at random moments while leads arrive and deliveries run, then once more after.
    while (kills < 6 || sent < TOTAL) {
      await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 30_000);
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 1200));
      current.child.kill('SIGKILL');
      await current.exited;
      kills++;
      current = spawnBaton(env);
    }
    await senders;
    slack.stopFailing();
    try {
      // After the last restart, everything still queued is delivered.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const [row] = await sql<
          { pending: number; posted: number }[]
        >`select (select count(*)::int from outbox where status = 'pending') as pending, (select count(*)::int from slack_messages) as posted`;
        if (row!.pending === 0 && row!.posted === 2 * TOTAL) break;
        if (Date.now() > deadline) throw new Error(`not delivered in time: ${JSON.stringify(row)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      current.child.kill('SIGTERM');
      await current.exited;
    }

    expect(handoffs.size).toBe(TOTAL);
    const [dead] = await sql<{ n: number }[]>`select count(*)::int as n from outbox where status = 'dead'`;
    expect(dead!.n).toBe(0);
    const perHandoff = new Map<string, { card: number; note: number }>();
    for (const channel of ['C0SMB', 'C0ENTERPRISE', 'C0NORAM', 'C0MARKETING']) {
      for (const m of slack.messages(channel)) {
        const meta = m.metadata as { event_type: string; event_payload: { handoff_id: string } } | undefined;
        if (!meta) continue;
        const entry = perHandoff.get(meta.event_payload.handoff_id) ?? { card: 0, note: 0 };
        if (meta.event_type === 'baton_card') entry.card++;
        else entry.note++;
        perHandoff.set(meta.event_payload.handoff_id, entry);
      }
    }
    expect(perHandoff.size).toBe(TOTAL);
    const wrong = [...perHandoff].filter(([, c]) => c.card !== 1 || c.note !== 1);
    expect(wrong).toEqual([]);
    expect([...handoffs].every((h) => perHandoff.has(h))).toBe(true);
  }, 300_000);
});
