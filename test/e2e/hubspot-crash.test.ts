import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, rowsOf } from '../../src/db/client.js';
import { DEFAULT_HUBSPOT_TUNING } from '../../src/services/hubspot-sync.js';
import { DEFAULT_OUTBOX_TUNING } from '../../src/services/outbox.js';
import { encodeAction } from '../../src/slack/ids.js';
import { REJECT_BLOCKS, REJECT_CALLBACK } from '../../src/slack/views/reject-modal.js';
import { REPO_ROOT, SIGNING_SECRET } from '../helpers/app.js';
import { setClock } from '../helpers/clocked-main.js';
import { useClockedChild } from '../helpers/clocked-child.js';
import { createEnterpriseMql, HUBSPOT_SECRET, HUBSPOT_TOKEN } from '../helpers/hubspot-app.js';
import { startHubspotStandIn, type HubspotCall, type HubspotStandIn } from '../helpers/hubspot-standin.js';
import type { BatonProcess } from '../helpers/process.js';
import { blockActionsPayload, sendInteraction, viewSubmissionPayload } from '../helpers/slack-sign.js';
import { startSlackStandIn, type RecordedCall, type SlackStandIn } from '../helpers/slack-standin.js';

/*
 * README, "Connecting HubSpot": write-back goes through the outbox, so exactly once whatever
 * crashes or retries. The real app as a child process, its HubSpot the stand-in in this process:
 * six contacts become MQLs in HubSpot (signed webhooks), three are accepted and three rejected
 * with a reason and the rep's note (signed Slack interactions), while HubSpot answers 429 and 5xx;
 * Baton is SIGKILLed while an owner update hangs, and again while HubSpot has made a note but
 * its answer never comes. Each contact ends with exactly the writes its decision asks for, one
 * note per rejection, and each handoff with one card. The process runs on a clock the test sets
 * (test/helpers/clocked-main.ts): after each kill it is moved past the killed process's leases
 * on deliveries and HubSpot events, so a restart need not wait them out.
 */

const PATCH = 'PATCH /crm/v3/objects/contacts/{id}';
const NOTES = 'POST /crm/v3/objects/notes';
// Past both leases a killed process leaves behind.
const LEASES_MS = Math.max(DEFAULT_OUTBOX_TUNING.leaseMs, DEFAULT_HUBSPOT_TUNING.leaseMs) + 1000;

interface Lead {
  name: string;
  decision: { kind: 'accept' } | { kind: 'reject'; reason: string; label: string; note: string; nurture: boolean };
}
const LEADS: Lead[] = [
  { name: 'Alva', decision: { kind: 'accept' } },
  {
    name: 'Bror',
    decision: {
      kind: 'reject',
      reason: 'bad-timing',
      label: 'Bad timing – recontact later',
      note: 'Budget opens in March',
      nurture: true,
    },
  },
  { name: 'Cleo', decision: { kind: 'accept' } },
  {
    name: 'Dag',
    decision: {
      kind: 'reject',
      reason: 'not-icp',
      label: 'Not our ideal customer profile',
      note: 'A reseller',
      nurture: false,
    },
  },
  { name: 'Ebba', decision: { kind: 'accept' } },
  {
    name: 'Frej',
    decision: {
      kind: 'reject',
      reason: 'wrong-contact',
      label: 'Wrong contact / not a decision maker',
      note: 'Ask for the CFO',
      nurture: true,
    },
  },
];

const cardMeta = (c: {
  metadata?: unknown;
}): { event_type: string; event_payload: { handoff_id: string } } | undefined =>
  c.metadata as { event_type: string; event_payload: { handoff_id: string } } | undefined;
const propertiesOf = (c: HubspotCall): Record<string, unknown> =>
  (c.body as { properties: Record<string, unknown> }).properties;
/** A contact update HubSpot made and answered. */
const isWrite = (c: HubspotCall, contactId: string): boolean =>
  c.endpoint === PATCH && c.path === `/crm/v3/objects/contacts/${contactId}` && c.status === 200;
const isCardPost = (c: RecordedCall): boolean =>
  c.method === 'chat.postMessage' && cardMeta(c.body)?.event_type === 'baton_card';

describe('HubSpot write-back through SIGKILLs', () => {
  let slack: SlackStandIn;
  let hubspot: HubspotStandIn;
  let ahead = 0;

  beforeAll(async () => {
    slack = await startSlackStandIn({
      users: { U0BO: { real_name: 'Bo Berg', tz: 'Europe/Stockholm', email: 'bo@example.com' } },
    });
    // HubSpot retries a webhook ten times: a second apart outlasts a restart.
    hubspot = await startHubspotStandIn({ token: HUBSPOT_TOKEN, webhookRetryMs: 1000 });
  });
  afterAll(async () => {
    await hubspot.close();
    await slack.close();
  });
  const child = useClockedChild('baton_hubspot_crash', () => ({
    slackUrl: slack.url,
    env: {
      OUTBOX_CHANNEL_RATE: '100',
      POLICY_FILE: path.join(REPO_ROOT, 'policy.example.yml'),
      HUBSPOT_ACCESS_TOKEN: HUBSPOT_TOKEN,
      HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
      HUBSPOT_API_URL: hubspot.url,
    },
  }));
  beforeAll(() => {
    setClock(child.clockFile, new Date(), { running: true });
  });

  const start = (): Promise<BatonProcess> => child.start();
  const kill = async (p: BatonProcess): Promise<void> => {
    p.child.kill('SIGKILL');
    await p.exited;
    ahead += LEASES_MS;
    setClock(child.clockFile, new Date(Date.now() + ahead), { running: true });
  };
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${child.port}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
  };

  it('six contacts decided through 429s, 5xx and two SIGKILLs (an owner update hanging, a note made but unanswered): each write once, one note per rejection, one card per handoff', async () => {
    const owners: Record<string, string> = {
      U0ANA: hubspot.addOwner({ email: 'ana@example.com', firstName: 'Ana', lastName: 'Andersson' }),
      U0BO: hubspot.addOwner({ email: 'bo@example.com', firstName: 'Bo', lastName: 'Berg' }),
    };
    hubspot.failNext(PATCH, { status: 429, retryAfterSeconds: 1 });
    hubspot.failNext(PATCH, { status: 503 });
    hubspot.failNext(PATCH, { hang: true });
    let baton = await start();
    hubspot.subscribe({ url: `http://127.0.0.1:${child.port}/hubspot/webhooks`, clientSecret: HUBSPOT_SECRET });
    // Big Swedish companies: the enterprise team, where only the assigned rep decides.
    const contacts = LEADS.map(({ name }) => createEnterpriseMql(hubspot, name));
    let cards: { ts: string; rep: string; handoffId: string }[] = [];
    try {
      // Killed while HubSpot holds an owner update unanswered (and unmade).
      await hubspot.waitFor((c) => c.endpoint === PATCH && c.status === 0, { timeoutMs: 60_000 });
      await kill(baton);
      baton = await start();
      await slack.waitFor(isCardPost, { count: LEADS.length, timeoutMs: 60_000 });
      cards = LEADS.map(({ name }) => {
        const m = slack.messages('C0ENTERPRISE').find((s) => JSON.stringify(s.blocks).includes(`${name} Lind`));
        const rep = /Assigned to <@(U0[A-Z]+)>/.exec(JSON.stringify(m?.blocks))?.[1];
        if (m === undefined || rep === undefined) throw new Error(`no card for ${name}`);
        return { ts: m.ts, rep, handoffId: cardMeta(m)!.event_payload.handoff_id };
      });

      hubspot.failNext(PATCH, { status: 503 });
      hubspot.failNext(PATCH, { status: 429, retryAfterSeconds: 1 });
      const accepted = LEADS.flatMap((l, i) => (l.decision.kind === 'accept' ? [cards[i]!] : []));
      for (const card of accepted) {
        const click = blockActionsPayload({
          actionId: encodeAction({ kind: 'accept', handoffId: card.handoffId }),
          value: card.handoffId,
          userId: card.rep,
          teamId: 'T0BATON',
          channelId: 'C0ENTERPRISE',
          messageTs: card.ts,
          responseUrl: `${slack.responseUrl}/${card.rep}`,
        });
        expect((await sendInteraction(`http://127.0.0.1:${child.port}`, SIGNING_SECRET, click)).status).toBe(200);
      }
      // Accept is decided after Slack's acknowledgement: the card saying so shows it committed.
      for (const card of accepted)
        await slack.waitFor(
          (c) =>
            c.method === 'chat.update' &&
            c.body.ts === card.ts &&
            JSON.stringify(c.body.blocks).includes('Accepted by'),
          { timeoutMs: 30_000 },
        );

      await hubspot.waitFor(
        (c) => c.endpoint === PATCH && c.status === 200 && propertiesOf(c).hs_lead_status === 'IN_PROGRESS',
        { count: accepted.length, timeoutMs: 30_000 },
      );

      // Bror's rejection takes three updates: the second fails (registered as the first is answered).
      const midway = hubspot
        .waitFor((c) => isWrite(c, contacts[1]!) && propertiesOf(c).hs_lead_status === 'UNQUALIFIED', {
          timeoutMs: 60_000,
        })
        .then(() => {
          hubspot.failNext(PATCH, { status: 503 });
        });
      hubspot.failNext(NOTES, { status: 500 });
      hubspot.failNext(NOTES, { hang: true, acted: true });
      for (const [i, { decision }] of LEADS.entries()) {
        if (decision.kind !== 'reject') continue;
        const submit = viewSubmissionPayload({
          callbackId: REJECT_CALLBACK,
          values: {
            [REJECT_BLOCKS.reason]: { value: { type: 'static_select', selected_option: { value: decision.reason } } },
            [REJECT_BLOCKS.note]: { value: { type: 'plain_text_input', value: decision.note } },
            [REJECT_BLOCKS.outcome]: { value: { type: 'radio_buttons', selected_option: null } },
          },
          privateMetadata: JSON.stringify({ handoffId: cards[i]!.handoffId }),
          userId: cards[i]!.rep,
          teamId: 'T0BATON',
        });
        // A modal's submit is decided before the acknowledgement: an empty 200 is a committed rejection.
        const reply = await sendInteraction(`http://127.0.0.1:${child.port}`, SIGNING_SECRET, submit);
        expect([reply.status, reply.body]).toEqual([200, '']);
      }
      await midway;
      // Killed while HubSpot has made a note and its answer never comes.
      await hubspot.waitFor((c) => c.endpoint === NOTES, { count: 2, timeoutMs: 60_000 });
      await kill(baton);
      baton = await start();

      for (let i = 0; (await metric('baton_outbox_pending')) > 0; i++) {
        if (i > 600) throw new Error('the outbox did not drain');
        await new Promise((r) => setTimeout(r, 100));
      }
      await hubspot.webhooksDelivered(30_000);
      expect(await metric('baton_outbox_dead')).toBe(0);
    } finally {
      baton.child.kill('SIGTERM');
      await baton.exited;
    }

    // The failures came where they were meant to; the note made but unanswered was found, not made again.
    expect(
      hubspot
        .callsTo(PATCH)
        .map((c) => c.status)
        .filter((s) => s !== 200),
    ).toEqual([429, 503, 0, 503, 429, 503]);
    expect(hubspot.callsTo(NOTES).map((c) => c.status)).toEqual([500, 201, 201, 201]);
    const written = (contactId: string): unknown[] =>
      hubspot.calls.filter((c) => isWrite(c, contactId)).map(propertiesOf);
    const cardsPosted = slack.calls.filter(isCardPost).map((c) => cardMeta(c.body)!.event_payload.handoff_id);
    for (const [i, { name, decision }] of LEADS.entries()) {
      const contactId = contacts[i]!;
      const { rep, handoffId } = cards[i]!;
      expect({ name, writes: written(contactId) }).toEqual({
        name,
        writes: [
          { hubspot_owner_id: owners[rep] },
          ...(decision.kind === 'accept'
            ? [{ hs_lead_status: 'IN_PROGRESS' }]
            : [
                { hs_lead_status: 'UNQUALIFIED' },
                ...(decision.nurture ? [{ lifecyclestage: '' }, { lifecyclestage: 'lead' }] : []),
              ]),
        ],
      });
      const notes = hubspot.notes(contactId).map((n) => n.body);
      if (decision.kind === 'accept') expect({ name, notes }).toEqual({ name, notes: [] });
      else {
        expect({ name, notes: notes.length }).toEqual({ name, notes: 1 });
        expect(notes[0]).toContain(`${decision.label}.`);
        expect(notes[0]).toContain(`Note: ${decision.note}`);
      }
      expect({ name, cards: cardsPosted.filter((h) => h === handoffId).length }).toEqual({ name, cards: 1 });
    }
    expect(new Set(cardsPosted).size).toBe(LEADS.length);

    // What the database kept: one handoff per contact, decided as the reps said.
    const db = await openDatabase(child.target);
    try {
      const rows = rowsOf<{ contact: string; status: string; handoffs: number }>(
        await db.db.execute(
          sql`select l.external_id as contact, min(h.status) as status, count(h.id)::int as handoffs from leads l join handoffs h on h.lead_id = l.id where l.source = 'hubspot' group by l.external_id order by l.external_id`,
        ),
      );
      expect(rows).toEqual(
        contacts
          .map((contact, i) => ({
            contact,
            status: LEADS[i]!.decision.kind === 'accept' ? 'accepted' : 'rejected',
            handoffs: 1,
          }))
          .sort((a, b) => a.contact.localeCompare(b.contact)),
      );
    } finally {
      await db.close();
    }
  }, 180_000);
});
