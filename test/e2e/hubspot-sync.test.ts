import { inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { hubspotEvents } from '../../src/db/schema.js';
import { pendingHandoffForLead } from '../../src/db/repo/handoffs.js';
import { findLeadForIntake } from '../../src/db/repo/leads.js';
import { examplePolicy } from '../helpers/app.js';
import { HUBSPOT_SECRET, useBatonWithHubspot } from '../helpers/hubspot-app.js';
import { contactPropertyChange, sendHubspotWebhook } from '../helpers/hubspot-sign.js';
import type { RecordedCall } from '../helpers/slack-standin.js';

/* MQLs from HubSpot: a contact that becomes an MQL in the stand-in goes through the intake, routed to its owner's rep. */
const policy = examplePolicy();
// Ana's e-mail is in the policy; Carl's only Slack knows.
policy.teams.find((t) => t.id === 'enterprise')!.reps.find((r) => r.user === 'U0ANA')!.email = 'ana@example.com';
const env = useBatonWithHubspot({
  policy,
  slack: { users: { U0CARL: { real_name: 'Carl Carter', tz: 'America/New_York', email: 'carl@example.com' } } },
});

const isCard = (c: RecordedCall): boolean =>
  c.method === 'chat.postMessage' &&
  (c.body.metadata as { event_type?: string } | undefined)?.event_type === 'baton_card';
const cards = (): RecordedCall[] => env.slack.calls.filter(isCard);
const leadOf = (contactId: string) =>
  findLeadForIntake(env.baton.database.db, env.baton.context.workspaceId, { source: 'hubspot', externalId: contactId });

/** Every webhook delivered and every stored event processed. */
async function settled(): Promise<void> {
  await env.hubspot.webhooksDelivered();
  await env.baton.hubspot!.worker!.idle();
  await env.baton.outbox.idle();
}

function contact(owner: string | undefined, stage: string, name: string): string {
  const company = env.hubspot.addCompany({
    name: `${name} AB`,
    domain: `${name.toLowerCase()}.se`,
    numberofemployees: '4000',
    industry: 'COMPUTER_SOFTWARE',
    country: 'Sweden',
  });
  return env.hubspot.createContact(
    {
      email: `${name.toLowerCase()}@${name.toLowerCase()}.se`,
      firstname: name,
      lastname: 'Lind',
      jobtitle: 'Head of Sales',
      country: 'Sweden',
      hs_analytics_source: 'PAID_SEARCH',
      lifecyclestage: stage,
      ...(owner !== undefined ? { hubspot_owner_id: owner } : {}),
    },
    { companyId: company },
  );
}

describe('HubSpot contacts becoming MQLs', () => {
  it("reads the contact, its company and its owner, and routes its one card to the rep with the owner's e-mail from the policy", async () => {
    const ana = env.hubspot.addOwner({ email: 'ana@example.com', firstName: 'Ana', lastName: 'Andersson' });
    const id = contact(ana, 'lead', 'Lena');
    await settled();
    expect(cards()).toHaveLength(0);
    expect(await leadOf(id)).toBeUndefined();

    env.hubspot.setProperties(id, { lifecyclestage: 'marketingqualifiedlead' });
    await settled();
    await env.slack.waitFor(isCard);
    expect(cards()).toHaveLength(1);
    const lead = (await leadOf(id))!;
    expect(lead).toMatchObject({
      source: 'hubspot',
      externalId: id,
      email: 'lena@lena.se',
      firstName: 'Lena',
      title: 'Head of Sales',
      company: 'Lena AB',
      employees: 4000,
      industry: 'computer_software',
      country: 'SE',
      channel: 'paid_search',
      ownerHint: 'U0ANA',
      stage: 'mql',
    });
    expect(await pendingHandoffForLead(env.baton.database.db, lead.id)).toMatchObject({
      repUserId: 'U0ANA',
      assignedVia: 'owner_hint',
      teamId: 'enterprise',
    });
    expect(cards()[0]!.body.channel).toBe('C0ENTERPRISE');
    // The policy named Ana's e-mail: Slack was not asked.
    expect(env.slack.callsTo('users.lookupByEmail')).toHaveLength(0);
  });

  it('asks Slack for an owner the policy has no e-mail for, once for several contacts', async () => {
    const before = cards().length;
    const carl = env.hubspot.addOwner({ email: 'carl@example.com', firstName: 'Carl', lastName: 'Carter' });
    const ids = [contact(carl, 'marketingqualifiedlead', 'Mona'), contact(carl, 'marketingqualifiedlead', 'Nils')];
    await settled();
    await env.slack.waitFor(isCard, { count: before + 2 });
    for (const id of ids) expect(await leadOf(id)).toMatchObject({ ownerHint: 'U0CARL', stage: 'mql' });
    expect(env.slack.callsTo('users.lookupByEmail')).toHaveLength(1);
    expect(cards()).toHaveLength(before + 2);
  });

  it('changes nothing twice: the same event again, an old event late, a stage that is not MQL', async () => {
    const before = cards().length;
    const id = contact(undefined, 'lead', 'Olof');
    const mqlAt = Date.now();
    env.hubspot.setProperties(id, { lifecyclestage: 'marketingqualifiedlead' }, new Date(mqlAt));
    await settled();
    await env.slack.waitFor(isCard, { count: before + 1 });
    const url = `${env.baton.url}/hubspot/webhooks`;
    // HubSpot retrying an event we already have, and an older MQL event arriving a day late.
    const replay = contactPropertyChange(Number(id), 'lifecyclestage', 'marketingqualifiedlead', mqlAt, 77_001);
    expect(await (await sendHubspotWebhook(url, HUBSPOT_SECRET, [replay])).json()).toEqual({ received: 1, stored: 1 });
    expect(await (await sendHubspotWebhook(url, HUBSPOT_SECRET, [replay])).json()).toEqual({ received: 1, stored: 0 });
    const late = contactPropertyChange(Number(id), 'lifecyclestage', 'marketingqualifiedlead', mqlAt - 60_000);
    await sendHubspotWebhook(url, HUBSPOT_SECRET, [late]);
    // A contact moved elsewhere than MQL starts nothing.
    const other = contact(undefined, 'lead', 'Pia');
    env.hubspot.setProperties(other, { lifecyclestage: 'customer' });
    await settled();
    expect(cards()).toHaveLength(before + 1);
    expect(await leadOf(other)).toBeUndefined();
    const outcomes = await env.baton.database.db
      .select({ eventId: hubspotEvents.eventId, outcome: hubspotEvents.outcome })
      .from(hubspotEvents)
      .where(inArray(hubspotEvents.eventId, [String(replay.eventId), String(late.eventId)]));
    expect(outcomes.map((o) => o.outcome)).toEqual(['already_handed_off', 'already_handed_off']);
  });

  it('waits out HubSpot answering 503 and 429, and loses no event', async () => {
    const before = cards().length;
    env.hubspot.failNext('POST /crm/v3/objects/contacts/batch/read', { status: 503 }, 2);
    env.hubspot.failNext('POST /crm/v3/objects/contacts/batch/read', { status: 429, retryAfterSeconds: 1 });
    const id = contact(undefined, 'marketingqualifiedlead', 'Rut');
    await env.slack.waitFor(isCard, { count: before + 1, timeoutMs: 20_000 });
    expect(
      env.hubspot
        .callsTo('POST /crm/v3/objects/contacts/batch/read')
        .slice(-4)
        .map((c) => c.status),
    ).toEqual([503, 503, 429, 200]);
    expect(await leadOf(id)).toMatchObject({ stage: 'mql' });
    await settled();
    expect(cards()).toHaveLength(before + 1);
  }, 30_000);
});
