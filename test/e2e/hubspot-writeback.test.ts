import { inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { pendingHandoffForLead } from '../../src/db/repo/handoffs.js';
import { findLeadForIntake } from '../../src/db/repo/leads.js';
import { hubspotEvents } from '../../src/db/schema.js';
import { decide, progress } from '../../src/services/decisions.js';
import { examplePolicy } from '../helpers/app.js';
import { createEnterpriseMql, useBatonWithHubspot } from '../helpers/hubspot-app.js';
import type { HubspotCall } from '../helpers/hubspot-standin.js';
import type { RecordedCall } from '../helpers/slack-standin.js';

/* Write-back: what sales decides in Slack lands on the HubSpot contact, exactly once, and its echo starts nothing. */
const policy = examplePolicy();
// A contact the policy calls an MQL when its lead status is BAD_TIMING — the very status a lead
// sent back to marketing gets: Baton's own write coming back must not hand it over again.
policy.hubspot.mqlWhen = [{ property: 'hs_lead_status', in: ['BAD_TIMING'] }];
const env = useBatonWithHubspot({
  policy,
  slack: { users: { U0BO: { real_name: 'Bo Berg', tz: 'Europe/Stockholm', email: 'bo@example.com' } } },
});

const isCard = (c: RecordedCall): boolean =>
  c.method === 'chat.postMessage' &&
  (c.body.metadata as { event_type?: string } | undefined)?.event_type === 'baton_card';
const owners: Record<string, string> = {};

async function settled(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await env.hubspot.webhooksDelivered();
    await env.baton.hubspot!.worker!.idle();
    await env.baton.outbox.idle();
  }
}

/** A contact of a big Swedish company (the enterprise team) made an MQL; its handoff once the card is out. */
async function mql(name: string): Promise<{ contactId: string; handoffId: string; rep: string }> {
  const cards = env.slack.calls.filter(isCard).length;
  const contactId = createEnterpriseMql(env.hubspot, name);
  await env.slack.waitFor(isCard, { count: cards + 1 });
  const lead = (await findLeadForIntake(env.baton.database.db, env.baton.context.workspaceId, {
    source: 'hubspot',
    externalId: contactId,
  }))!;
  const h = (await pendingHandoffForLead(env.baton.database.db, lead.id))!;
  return { contactId, handoffId: h.id, rep: h.repUserId };
}

const patches = (contactId: string): Record<string, unknown>[] =>
  env.hubspot
    .callsTo('PATCH /crm/v3/objects/contacts/{id}')
    .filter((c: HubspotCall) => c.path.startsWith(`/crm/v3/objects/contacts/${contactId}`) && c.status === 200)
    .map((c) => (c.body as { properties: Record<string, unknown> }).properties);

describe('HubSpot write-back', () => {
  it('sets the owner on routing and IN_PROGRESS on Accept, once each, through 429 and 503', async () => {
    owners.U0ANA = env.hubspot.addOwner({ email: 'ana@example.com', firstName: 'Ana', lastName: 'Andersson' });
    owners.U0BO = env.hubspot.addOwner({ email: 'bo@example.com', firstName: 'Bo', lastName: 'Berg' });
    env.hubspot.failNext('PATCH /crm/v3/objects/contacts/{id}', { status: 429, retryAfterSeconds: 1 });
    env.hubspot.failNext('PATCH /crm/v3/objects/contacts/{id}', { status: 503 });
    const { contactId, handoffId, rep } = await mql('Vera');
    await env.hubspot.waitFor((c) => c.endpoint === 'PATCH /crm/v3/objects/contacts/{id}' && c.status === 200, {
      timeoutMs: 15_000,
    });
    expect(await decide(env.baton.context, handoffId, rep, { kind: 'accept' })).toEqual({ kind: 'decided' });
    env.baton.outbox.nudge();
    await env.hubspot.waitFor((c) => c.endpoint === 'PATCH /crm/v3/objects/contacts/{id}' && c.status === 200, {
      count: 2,
      timeoutMs: 15_000,
    });
    await settled();
    expect(patches(contactId)).toEqual([{ hubspot_owner_id: owners[rep] }, { hs_lead_status: 'IN_PROGRESS' }]);
    expect(env.hubspot.contact(contactId)?.properties).toMatchObject({
      hubspot_owner_id: owners[rep],
      hs_lead_status: 'IN_PROGRESS',
    });
    expect(
      env.hubspot
        .callsTo('PATCH /crm/v3/objects/contacts/{id}')
        .map((c) => c.status)
        .slice(0, 2),
    ).toEqual([429, 503]);
  }, 40_000);

  it("on Reject writes UNQUALIFIED, sends the lead back to nurture and leaves one note with the reason and the rep's note, even when the note's answer was lost", async () => {
    const { contactId, handoffId, rep } = await mql('Wilma');
    await settled();
    env.hubspot.failNext('POST /crm/v3/objects/notes', { lostAnswer: true });
    await decide(env.baton.context, handoffId, rep, {
      kind: 'reject',
      reasonId: 'bad-timing',
      note: 'Budget opens in March',
      outcome: 'nurture',
    });
    env.baton.outbox.nudge();
    await env.hubspot.waitFor('POST /crm/v3/objects/notes', { timeoutMs: 15_000 }).catch(() => undefined);
    await settled();
    await new Promise((r) => setTimeout(r, 2500));
    await settled();
    expect(patches(contactId).slice(1)).toEqual([
      { hs_lead_status: 'UNQUALIFIED' },
      { lifecyclestage: '' },
      { lifecyclestage: 'lead' },
    ]);
    const notes = env.hubspot.notes(contactId);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain('Bad timing – recontact later');
    expect(notes[0]!.body).toContain('Budget opens in March');
    expect(env.hubspot.contact(contactId)?.properties).toMatchObject({
      lifecyclestage: 'lead',
      hs_lead_status: 'UNQUALIFIED',
    });
  }, 40_000);

  it('on SQL, Won and Return to marketing writes the lifecycle stage; its echo, though the policy calls it an MQL, starts nothing', async () => {
    const { contactId, handoffId, rep } = await mql('Xena');
    await decide(env.baton.context, handoffId, rep, { kind: 'accept' });
    await progress(env.baton.context, handoffId, rep, { kind: 'return' });
    env.baton.outbox.nudge();
    await settled();
    await new Promise((r) => setTimeout(r, 1000));
    await settled();
    const cards = env.slack.calls.filter(isCard).length;
    expect(patches(contactId).slice(1)).toEqual([
      { hs_lead_status: 'IN_PROGRESS' },
      { lifecyclestage: '' },
      { lifecyclestage: 'lead', hs_lead_status: 'BAD_TIMING' },
    ]);
    const echoed = await env.baton.database.db
      .select({
        property: hubspotEvents.propertyName,
        value: hubspotEvents.propertyValue,
        outcome: hubspotEvents.outcome,
      })
      .from(hubspotEvents)
      .where(inArray(hubspotEvents.objectId, [contactId]));
    expect(echoed.filter((e) => e.property === 'hs_lead_status' && e.value === 'BAD_TIMING')).toEqual([
      { property: 'hs_lead_status', value: 'BAD_TIMING', outcome: 'echo' },
    ]);
    expect(env.slack.calls.filter(isCard)).toHaveLength(cards);

    // A person in HubSpot making the same contact an MQL again is not an echo: a new handoff starts.
    const second = await mql('Yrsa');
    await decide(env.baton.context, second.handoffId, second.rep, { kind: 'accept' });
    await progress(env.baton.context, second.handoffId, second.rep, {
      kind: 'qualify',
      checklist: ['buying-cycle', 'influencer', 'next-steps'],
    });
    await progress(env.baton.context, second.handoffId, second.rep, { kind: 'opportunity' });
    await progress(env.baton.context, second.handoffId, second.rep, { kind: 'won' });
    env.baton.outbox.nudge();
    await settled();
    await new Promise((r) => setTimeout(r, 1000));
    await settled();
    expect(patches(second.contactId).slice(2)).toEqual([
      { lifecyclestage: 'salesqualifiedlead' },
      { lifecyclestage: 'customer' },
    ]);
  }, 60_000);
});
