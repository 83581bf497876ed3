/*
 * bench:ack — Accept clicks on MQL cards, signed as Slack signs them, at a steady rate
 * (BENCH_RATE, default 100/s) for BENCH_SECONDS (default 30), each on a different card, against
 * Baton as its own process on the Postgres server. The cards are created first through the
 * intake API (rate × seconds MQLs) and the bench waits until every one is posted. Prints the
 * acknowledgement latency (Slack's limit is 3 s), the rate of completed decisions (accepted
 * handoffs counted in the database) and Baton's peak RSS.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { scratchServerDatabase } from '../helpers/db.js';
import { percentile, rssOf } from './measure.js';
import { encodeAction } from '../../src/slack/ids.js';
import { INTAKE_TOKEN, SIGNING_SECRET } from '../helpers/app.js';
import { batonEnv, freePort, spawnBaton, waitForStatus } from '../helpers/process.js';
import { blockActionsPayload, sendInteraction, type SlackReply } from '../helpers/slack-sign.js';
import { startSlackStandIn } from '../helpers/slack-standin.js';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 30);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const CLICKS = Math.round(DURATION_S * RATE);
const INTAKE_CONCURRENCY = 16;

const COUNTRIES = ['SE', 'DE', 'US', 'CA', 'GB', 'FR', 'NO'];
/** An MQL spread over the teams by size and country, like bench:intake's qualifying half. */
function mql(run: string, i: number): string {
  return JSON.stringify({
    externalId: `ack-${run}-${i}`,
    source: 'bench',
    email: `ack${i}@company${i % 997}.io`,
    firstName: 'Bench',
    lastName: `Lead ${i}`,
    title: 'VP Marketing',
    company: `Company ${i % 997}`,
    employees: [20, 150, 2500][i % 3],
    country: COUNTRIES[i % COUNTRIES.length],
    channel: 'referral',
    activities: [{ type: 'demo_request', at: new Date().toISOString() }],
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function createMqls(base: string, run: string, n: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const res = await fetch(`${base}/api/leads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
        body: mql(run, i),
      });
      const body = (await res.json()) as { handoffId?: string | null };
      if (res.status !== 202 || !body.handoffId)
        throw new Error(`intake answered ${res.status} without a handoff for lead ${i}`);
    }
  };
  await Promise.all(Array.from({ length: INTAKE_CONCURRENCY }, worker));
}

async function main(): Promise<void> {
  const run = randomBytes(3).toString('hex');
  const scratch = await scratchServerDatabase('baton_bench_ack', SERVER);
  const db = postgres(scratch.url, { max: 2, onnotice: () => undefined });
  const slack = await startSlackStandIn();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Cards are paced per channel like Slack's; the bench is about clicks, so setting up is not throttled.
  const baton = spawnBaton(batonEnv(slack.url, port, { DATABASE_URL: scratch.url, OUTBOX_CHANNEL_RATE: '1000' }));
  try {
    await waitForStatus(`${base}/readyz`, 200, 30_000);
    const setupStarted = Date.now();
    await createMqls(base, run, CLICKS);
    type Card = { id: string; rep: string; channel: string; ts: string };
    let cards: Card[] = [];
    for (const deadline = Date.now() + 10 * 60_000; cards.length < CLICKS; await sleep(500)) {
      if (Date.now() > deadline) throw new Error(`only ${cards.length} of ${CLICKS} cards were posted in 10 minutes`);
      cards = await db<
        Card[]
      >`select h.id, h.rep_user_id as rep, m.channel, m.ts from handoffs h join slack_messages m on m.handoff_id = h.id and m.kind = 'card' where h.status = 'pending' order by h.started_at`;
    }
    console.log(
      `set-up: ${CLICKS} MQLs created and their cards posted in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s`,
    );

    // Open loop: a click every 1/RATE s whatever the answers do, as people click independently.
    const replies: Promise<SlackReply>[] = [];
    const started = performance.now();
    for (let i = 0; i < CLICKS; i++) {
      await sleep(started + (i * 1000) / RATE - performance.now());
      const c = cards[i]!;
      const payload = blockActionsPayload({
        actionId: encodeAction({ kind: 'accept', handoffId: c.id }),
        value: c.id,
        userId: c.rep,
        teamId: 'T0BATON',
        channelId: c.channel,
        messageTs: c.ts,
        responseUrl: `${slack.responseUrl}/${c.rep}`,
      });
      replies.push(sendInteraction(base, SIGNING_SECRET, payload));
    }
    const answered = await Promise.all(replies);
    const clickSeconds = (performance.now() - started) / 1000;
    // Decisions run after the acknowledgement: poll until all are in, or none came for 2 s.
    const countAccepted = async () =>
      (await db<{ n: number }[]>`select count(*)::int as n from handoffs where status = 'accepted'`)[0]!.n;
    const atLastClick = await countAccepted();
    let accepted = atLastClick;
    let decidedSeconds = (performance.now() - started) / 1000;
    for (let quietSince = Date.now(); accepted < CLICKS && Date.now() - quietSince < 2_000; await sleep(100)) {
      const now = await countAccepted();
      if (now !== accepted) {
        accepted = now;
        decidedSeconds = (performance.now() - started) / 1000;
        quietSince = Date.now();
      }
    }
    const rss = rssOf(baton.child.pid!);
    const latencies = answered.map((r) => r.elapsedMs).sort((a, b) => a - b);
    const failed = answered.filter((r) => r.status !== 200).length;
    console.log(
      `machine: ${process.env.BENCH_MACHINE ?? 'this machine'}, node ${process.version}, ${RATE} clicks/s for ${DURATION_S} s on ${CLICKS} cards`,
    );
    console.log(`clicks: ${answered.length} sent in ${clickSeconds.toFixed(1)} s (non-200: ${failed})`);
    console.log(
      `ack latency: p50 ${percentile(latencies, 0.5).toFixed(0)} ms, p99 ${percentile(latencies, 0.99).toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms (target p99 < 200 ms, never over 2500 ms)`,
    );
    console.log(
      `decisions: ${accepted} of ${CLICKS} accepted (${atLastClick} when the last click was answered), ${(accepted / decidedSeconds).toFixed(0)} decisions/s completed, the last ${decidedSeconds.toFixed(2)} s after the first click`,
    );
    console.log(`peak RSS (Baton): ${(rss / 1024 / 1024).toFixed(0)} MiB`);
  } finally {
    baton.child.kill('SIGTERM');
    await baton.exited;
    await db.end();
    await slack.close();
    await scratch.drop();
  }
}

await main();
