/*
 * bench:hubspot — a burst of HubSpot contact events against Baton running as its own process on the
 * Postgres server, with the HubSpot stand-in enforcing HubSpot's ten-second limit (100 requests by
 * default, as HubSpot's private apps have) and the Slack stand-in taking the cards.
 *
 * 4,500 contacts exist in the stand-in; every ninth is already a marketing-qualified lead and its
 * owner is unset. In BENCH_SECONDS (60) this process sends, signed and in batches of
 * BENCH_BATCH (50) as HubSpot does, one contact.creation event per contact and, right behind it, a
 * lifecyclestage change for each MQL: 5,000 events. Baton reads the contacts (batch read), hands the
 * 500 MQLs over (one card each) and writes each one's owner back (one PATCH each), paced by HubSpot's
 * shared bucket. Prints the webhook answers (events/s absorbed, answer time), time from the first
 * webhook about a contact to its card p50/p99, HubSpot writes/s, the busiest ten seconds the stand-in
 * saw against its limit and any 429 it answered, and Baton's peak RSS.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { scratchServerDatabase } from '../helpers/db.js';
import { batonEnv, freePort, spawnBaton, waitForStatus } from '../helpers/process.js';
import { percentile, rssOf } from './measure.js';
import { startSlackStandIn, type RecordedCall } from '../helpers/slack-standin.js';
import { startHubspotStandIn } from '../helpers/hubspot-standin.js';
import { sendHubspotWebhook } from '../helpers/hubspot-sign.js';
import { HUBSPOT_SECRET, HUBSPOT_TOKEN } from '../helpers/hubspot-app.js';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 60);
const BATCH = Number(process.env.BENCH_BATCH ?? 50);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 4500);
const MQL_EVERY = 9;
const LIMIT_PER_10S = 100;
const SETTLE_TIMEOUT_MS = 300_000;

/** The reps of policy.example.yml, known to Slack by e-mail, each a HubSpot owner too. */
const REPS = ['U0ANA', 'U0BO', 'U0CARL', 'U0DANA', 'U0EVA', 'U0FILIP', 'U0GUS'];
const emailOf = (user: string): string => `${user.slice(2).toLowerCase()}@example.com`;
const COUNTRIES = ['Sweden', 'Germany', 'United States', 'Canada', 'United Kingdom', 'France', 'Norway'];

const isCard = (c: RecordedCall): boolean =>
  c.method === 'chat.postMessage' &&
  (c.body.metadata as { event_type?: string } | undefined)?.event_type === 'baton_card';

async function main(): Promise<void> {
  const scratch = await scratchServerDatabase('baton_bench_hubspot', SERVER);
  const slack = await startSlackStandIn({
    users: Object.fromEntries(REPS.map((u) => [u, { real_name: u, tz: 'Europe/Stockholm', email: emailOf(u) }])),
  });
  const hubspot = await startHubspotStandIn({ token: HUBSPOT_TOKEN, perTenSeconds: LIMIT_PER_10S });
  for (const u of REPS) hubspot.addOwner({ email: emailOf(u), firstName: u, lastName: 'Rep' });
  const contactIds: string[] = [];
  for (let i = 0; i < CONTACTS; i++) {
    const mql = i % MQL_EVERY === 0;
    const company = hubspot.addCompany({
      name: `Company ${i % 997}`,
      domain: `company${i % 997}.io`,
      numberofemployees: String([20, 150, 2500][i % 3]),
      country: COUNTRIES[i % COUNTRIES.length]!,
    });
    contactIds.push(
      hubspot.createContact(
        {
          email: `hsbench${i}@company${i % 997}.io`,
          firstname: 'Bench',
          lastname: `Contact ${i}`,
          jobtitle: mql ? 'VP Marketing' : 'Engineer',
          lifecyclestage: mql ? 'marketingqualifiedlead' : 'lead',
        },
        { companyId: company },
      ),
    );
  }
  // Nobody is subscribed: the stand-in's own events stay queued; this process sends the burst.
  const port = await freePort();
  const baton = spawnBaton(
    batonEnv(slack.url, port, {
      DATABASE_URL: scratch.url,
      HUBSPOT_ACCESS_TOKEN: HUBSPOT_TOKEN,
      HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
      HUBSPOT_API_URL: hubspot.url,
      HUBSPOT_RATE_LIMIT: String(LIMIT_PER_10S),
    }),
  );
  try {
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 30_000);
    const url = `http://127.0.0.1:${port}/hubspot/webhooks`;
    const events: (Record<string, unknown> & { objectId: number })[] = [];
    let eventId = 5_000_000;
    const base = {
      subscriptionId: 2001,
      portalId: 62515,
      appId: 54321,
      attemptNumber: 0,
      changeSource: 'CRM_UI',
      sourceId: 'userId:1',
    };
    contactIds.forEach((id, i) => {
      const objectId = Number(id);
      events.push({ ...base, eventId: eventId++, subscriptionType: 'contact.creation', changeFlag: 'NEW', objectId });
      if (i % MQL_EVERY === 0)
        events.push({
          ...base,
          eventId: eventId++,
          subscriptionType: 'contact.propertyChange',
          objectId,
          propertyName: 'lifecyclestage',
          propertyValue: 'marketingqualifiedlead',
        });
    });
    const batches = Math.ceil(events.length / BATCH);
    const gapMs = (DURATION_S * 1000) / batches;
    const firstSeen = new Map<number, number>();
    const answerMs: number[] = [];
    let stored = 0;
    let refused = 0;
    const started = Date.now();
    const inFlight: Promise<void>[] = [];
    for (let b = 0; b < batches; b++) {
      await sleep(Math.max(0, started + b * gapMs - Date.now()));
      const sentAt = Date.now();
      const batch = events.slice(b * BATCH, (b + 1) * BATCH).map((e) => ({ ...e, occurredAt: sentAt - 50 }));
      for (const e of batch) if (!firstSeen.has(e.objectId)) firstSeen.set(e.objectId, sentAt);
      // HubSpot does not wait for one batch's answer before sending the next.
      inFlight.push(
        sendHubspotWebhook(url, HUBSPOT_SECRET, batch).then(async (res) => {
          answerMs.push(Date.now() - sentAt);
          if (res.status !== 200) refused += 1;
          stored += ((await res.json()) as { stored: number }).stored;
        }),
      );
    }
    await Promise.all(inFlight);
    const burstMs = Date.now() - started;

    const mqls = contactIds.filter((_, i) => i % MQL_EVERY === 0).length;
    const ownerWrites = () => hubspot.callsTo('PATCH /crm/v3/objects/contacts/{id}').filter((c) => c.status === 200);
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    while ((slack.calls.filter(isCard).length < mqls || ownerWrites().length < mqls) && Date.now() < deadline)
      await sleep(250);
    // Anything more (a second card, a second write) would show up now.
    await sleep(3000);

    const cards = slack.calls.filter(isCard);
    const toCard = cards
      .map((c) => {
        const i = /hsbench(\d+)@/.exec(JSON.stringify(c.body))?.[1];
        const seen = i === undefined ? undefined : firstSeen.get(Number(contactIds[Number(i)]));
        if (seen === undefined) throw new Error('a card for no contact of the burst');
        return c.at.getTime() - seen;
      })
      .sort((a, b) => a - b);
    answerMs.sort((a, b) => a - b);
    const writes = ownerWrites();
    const writeSpan = (writes.at(-1)!.at.getTime() - writes[0]!.at.getTime()) / 1000;
    const all = hubspot.calls;
    const throttled = all.filter((c) => c.status === 429).length;
    const reads = all.length - hubspot.callsTo('PATCH /crm/v3/objects/contacts/{id}').length;
    const peak = hubspot.peakPerTenSeconds();
    const rss = rssOf(baton.child.pid!);
    console.log(
      `machine: ${process.env.BENCH_MACHINE ?? 'this machine'}, node ${process.version}, ${events.length} events in ${batches} signed batches of ${BATCH} over ${DURATION_S} s, HubSpot limit ${LIMIT_PER_10S} per 10 s`,
    );
    console.log(
      `webhooks: ${batches} answered in ${(burstMs / 1000).toFixed(1)} s (refused: ${refused}), ${stored} of ${events.length} events stored; answer p50 ${percentile(answerMs, 0.5)} ms, p99 ${percentile(answerMs, 0.99)} ms`,
    );
    console.log(
      `absorbed: ${(stored / (burstMs / 1000)).toFixed(0)} events/s (offered ${(events.length / DURATION_S).toFixed(0)}/s); at the p50 answer one connection takes ${((BATCH * 1000) / Math.max(1, percentile(answerMs, 0.5))).toFixed(0)} events/s`,
    );
    console.log(
      `cards: ${cards.length} for ${mqls} MQLs; webhook to card p50 ${(percentile(toCard, 0.5) / 1000).toFixed(1)} s, p99 ${(percentile(toCard, 0.99) / 1000).toFixed(1)} s`,
    );
    console.log(
      `HubSpot writes: ${writes.length} owner updates for ${mqls} MQLs over ${writeSpan.toFixed(1)} s = ${(writes.length / Math.max(1, writeSpan)).toFixed(1)} writes/s; ${reads} other calls (reads)`,
    );
    console.log(
      `rate limit: busiest 10 s ${peak} requests of ${LIMIT_PER_10S} allowed, ${throttled} answered 429: ${peak <= LIMIT_PER_10S && throttled === 0 ? 'within the limit' : 'OVER the limit'}`,
    );
    console.log(`peak RSS (Baton): ${(rss / 1024 / 1024).toFixed(0)} MiB`);
    if (stored !== events.length || cards.length !== mqls || writes.length !== mqls || throttled > 0)
      process.exitCode = 1;
  } finally {
    baton.child.kill('SIGTERM');
    await baton.exited;
    await hubspot.close();
    await slack.close();
    await scratch.drop();
  }
}

await main();
