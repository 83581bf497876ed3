/*
 * bench:sla — the SLA sweep at scale. Baton runs as its own process on the Postgres server with
 * 100,000 open handoffs, each with a pending step. Phase 1: 1,000 reminders fall due spread over
 * one minute (the case): lag from due to performed, p50/p99. Phase 2: 1,000 more fall
 * due at the same instant: how fast the sweep works through a backlog (steps/s). Prints the
 * figures and Baton's peak RSS as its last lines.
 */
import postgres from 'postgres';
import { scratchServerDatabase } from '../helpers/db.js';
import { batonEnv, freePort, spawnBaton, waitForStatus } from '../helpers/process.js';
import { seedOpenHandoffs } from '../helpers/sla-seed.js';
import { startSlackStandIn } from '../helpers/slack-standin.js';
import { percentile, rssOf } from './measure.js';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TOTAL = Number(process.env.BENCH_HANDOFFS ?? 100_000);
const DUE = 1_000;

async function main(): Promise<void> {
  const scratch = await scratchServerDatabase('baton_bench_sla', SERVER);
  const sql = postgres(scratch.url, { max: 2, onnotice: () => undefined });
  const slack = await startSlackStandIn();
  const port = await freePort();
  const baton = spawnBaton(batonEnv(slack.url, port, { DATABASE_URL: scratch.url, OUTBOX_CHANNEL_RATE: '1000' }));
  try {
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000);
    const seeded = Date.now();
    // The first DUE handoffs get steps due over the minute starting 20 s from now; the rest are open, not due.
    const dueFrom = new Date(Date.now() + 20_000);
    await seedOpenHandoffs(sql, { total: TOTAL, due: DUE, dueFrom, dueSpreadMs: 60_000 });
    await sql`analyze`;
    console.log(`seeded ${TOTAL} open handoffs in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

    /** Polls until `n` steps are done; returns when the first step past `from` was seen done, and when the last. */
    const waitDone = async (n: number, from = 0): Promise<{ first: number; last: number }> => {
      let first = 0;
      for (;;) {
        const [row] = await sql<{ n: number }[]>`select count(*)::int as n from sla_steps where status = 'done'`;
        if (first === 0 && row!.n > from) first = performance.now();
        if (row!.n >= n) return { first, last: performance.now() };
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await waitDone(DUE);
    const lags = (
      await sql<
        { ms: string }[]
      >`select extract(epoch from done_at - due_at) * 1000 as ms from sla_steps where status = 'done' order by 1`
    ).map((r) => Number(r.ms));

    // Phase 2: a backlog of DUE steps all due now.
    const burstAt = new Date(Date.now() + 1_000);
    await sql`update sla_steps set due_at = ${burstAt.toISOString()}::timestamptz where id in (select id from sla_steps where status = 'pending' order by id limit ${DUE})`;
    // Committed work as this process sees it, polled every 20 ms: from the first committed batch to the last.
    const burst = await waitDone(2 * DUE, DUE);
    const burstSeconds = Math.max(0.02, (burst.last - burst.first) / 1000 + 0.02);
    // Every performed step also reached Slack (one DM each).
    for (;;) {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from outbox where status = 'pending'`;
      if (row!.n === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const delivered = slack.callsTo('chat.postMessage').length;

    console.log(
      `machine: ${process.env.BENCH_MACHINE ?? 'this machine'}, node ${process.version}, ${TOTAL} open handoffs, sweep every 5 s`,
    );
    console.log(
      `phase 1: ${DUE} steps due over one minute; lag from due to performed p50 ${(percentile(lags, 0.5) / 1000).toFixed(1)} s, p99 ${(percentile(lags, 0.99) / 1000).toFixed(1)} s, max ${(lags.at(-1)! / 1000).toFixed(1)} s`,
    );
    console.log(
      `phase 2: ${DUE} steps due at once, performed (committed) within ${burstSeconds.toFixed(2)} s of the first: ${(DUE / burstSeconds).toFixed(0)} steps/s`,
    );
    console.log(`Slack messages delivered: ${delivered} (of ${2 * DUE} steps)`);
    console.log(`peak RSS (Baton): ${(rssOf(baton.child.pid!) / 1024 / 1024).toFixed(0)} MiB`);
  } finally {
    baton.child.kill('SIGTERM');
    await baton.exited;
    await slack.close();
    await sql.end();
    await scratch.drop();
  }
}

await main();
