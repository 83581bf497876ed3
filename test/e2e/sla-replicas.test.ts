import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_SECRET } from '../helpers/app.js';
import { hasServer, scratchServerDatabase } from '../helpers/db.js';
import { freePort, spawnBaton, waitForStatus, type BatonProcess } from '../helpers/process.js';
import { seedOpenHandoffs } from '../helpers/sla-seed.js';
import { dmChannelFor, startSlackStandIn, type SlackStandIn } from '../helpers/slack-standin.js';

/*
 * docs/sla.md: every step fires exactly once across replicas. Three real processes share one
 * Postgres server while 2,000 reminders fall due together; one is SIGKILLed mid-sweep and the
 * other two finish its work.
 */
describe.runIf(hasServer)('SLA sweep across three replicas (server)', () => {
  const TOTAL = 2_000;
  let slack: SlackStandIn;
  let sql: postgres.Sql;
  let scratch: { url: string; drop(): Promise<void> };
  let url: string;

  beforeAll(async () => {
    slack = await startSlackStandIn();
    scratch = await scratchServerDatabase('baton_sla');
    url = scratch.url;
    sql = postgres(url, { max: 2, onnotice: () => undefined });
  });
  afterAll(async () => {
    await sql.end();
    await scratch.drop();
    await slack.close();
  });

  const start = async (): Promise<BatonProcess> => {
    const port = await freePort();
    const p = spawnBaton({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url, DATABASE_URL: url, PORT: String(port), LOG_LEVEL: 'warn', OUTBOX_CHANNEL_RATE: '1000' });
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000);
    return p;
  };

  it('2,000 steps due at once: each performed once, none lost, a killed replica\'s share finished by the others', async () => {
    // Migrations first (one process), then the steps, then the replicas.
    const first = await start();
    await seedOpenHandoffs(sql, { total: TOTAL, due: TOTAL, dueFrom: new Date(Date.now() + 4_000), dueSpreadMs: 1_000 });
    const replicas = [first, await start(), await start()];
    try {
      // Kill the first replica once the sweep is under way.
      for (;;) {
        const [row] = await sql<{ n: number }[]>`select count(*)::int as n from sla_steps where status = 'done'`;
        if (row!.n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      first.child.kill('SIGKILL');
      await first.exited;

      const deadline = Date.now() + 120_000;
      for (;;) {
        const [row] = await sql<{ steps: number; outbox: number }[]>`select (select count(*)::int from sla_steps where status = 'pending') as steps, (select count(*)::int from outbox where status = 'pending') as outbox`;
        if (row!.steps === 0 && row!.outbox === 0) break;
        if (Date.now() > deadline) throw new Error(`not finished in time: ${JSON.stringify(row)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      for (const r of replicas.slice(1)) {
        r.child.kill('SIGTERM');
        await r.exited;
      }
    }

    const [steps] = await sql<{ done: number; other: number }[]>`select count(*) filter (where status = 'done')::int as done, count(*) filter (where status <> 'done')::int as other from sla_steps`;
    expect(steps).toEqual({ done: TOTAL, other: 0 });
    const [events] = await sql<{ n: number; handoffs: number }[]>`select count(*)::int as n, count(distinct handoff_id)::int as handoffs from events where type = 'sla_reminder'`;
    expect(events).toEqual({ n: TOTAL, handoffs: TOTAL });
    const [dead] = await sql<{ n: number }[]>`select count(*)::int as n from outbox where status = 'dead'`;
    expect(dead!.n).toBe(0);
    // What Slack saw: one reminder per handoff, whatever was retried after the kill.
    const keys = ['U0EVA', 'U0FILIP'].flatMap((rep) => slack.messages(dmChannelFor(rep)).map((m) => (m.metadata as { event_payload: { key: string } }).event_payload.key));
    expect(keys).toHaveLength(TOTAL);
    expect(new Set(keys).size).toBe(TOTAL);
  }, 300_000);
});
