import { describe, expect, it } from 'vitest';
import { countHubspotEvents } from '../../src/db/repo/hubspot.js';
import { useBatonWithSlack } from '../helpers/app.js';
import { contactPropertyChange, sendHubspotWebhook } from '../helpers/hubspot-sign.js';

/* POST /hubspot/webhooks through the real app: only batches HubSpot signed are stored, each event once. */
const SECRET = 'hubspot-client-secret-0123';
const env = useBatonWithSlack({
  baton: {
    config: {
      hubspot: {
        accessToken: 'pat-test',
        clientSecret: SECRET,
        publicUrl: 'https://baton.example.com',
        apiUrl: 'http://127.0.0.1:9',
        rateLimit: 100,
      },
    },
  },
});
const url = () => `${env.baton.url}/hubspot/webhooks`;
const PUBLIC = 'https://baton.example.com/hubspot/webhooks';
const stored = () => countHubspotEvents(env.baton.database.db, env.baton.context.workspaceId);

describe('HubSpot webhooks', () => {
  const batch = [
    contactPropertyChange(501, 'lifecyclestage', 'marketingqualifiedlead', Date.now() - 1000),
    contactPropertyChange(502, 'hs_lead_status', 'NEW', Date.now() - 500),
  ];

  it.each([
    ['unsigned', { signature: null }],
    ['signed with another secret', { signature: 'bm90IHRoZSBzaWduYXR1cmU=' }],
    ['signed over the internal URI instead of PUBLIC_URL', {}],
    ['six minutes old', { timestampMs: Date.now() - 6 * 60_000, signedUri: PUBLIC }],
  ])('refuses a batch %s with 401 and stores nothing', async (_name, opts) => {
    const res = await sendHubspotWebhook(url(), SECRET, batch, opts);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect(await stored()).toBe(0);
  });

  it('stores a signed batch, and a replay or a retried event only once', async () => {
    const first = await sendHubspotWebhook(url(), SECRET, batch, { signedUri: PUBLIC });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: 2, stored: 2 });
    // The same batch again (a replay, or HubSpot retrying a delivery it thinks failed).
    expect(await (await sendHubspotWebhook(url(), SECRET, batch, { signedUri: PUBLIC })).json()).toEqual({
      received: 2,
      stored: 0,
    });
    // A later batch carrying one of the same events, out of order with a new one.
    const later = [contactPropertyChange(503, 'lifecyclestage', 'lead', Date.now() - 5000), batch[1]];
    expect(await (await sendHubspotWebhook(url(), SECRET, later, { signedUri: PUBLIC })).json()).toEqual({
      received: 2,
      stored: 1,
    });
    expect(await stored()).toBe(3);
  });

  it.each([
    ['not a batch', '{"eventId":1}'],
    ['not JSON', 'eventId=1'],
    [
      'an event without its id',
      JSON.stringify([{ subscriptionType: 'contact.creation', objectId: 1, portalId: 1, occurredAt: 1 }]),
    ],
  ])('answers a signed body that is %s with 400 and stores nothing', async (_name, body) => {
    const before = await stored();
    const res = await sendHubspotWebhook(url(), SECRET, body, { signedUri: PUBLIC });
    expect(res.status).toBe(400);
    expect(await stored()).toBe(before);
  });
});

describe('HubSpot webhooks with the connector off', () => {
  const off = useBatonWithSlack();
  it('answer 503 not_configured, naming the variables to set', async () => {
    const res = await sendHubspotWebhook(`${off.baton.url}/hubspot/webhooks`, SECRET, [
      contactPropertyChange(1, 'lifecyclestage', 'lead', Date.now()),
    ]);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('HUBSPOT_ACCESS_TOKEN');
  });
});
