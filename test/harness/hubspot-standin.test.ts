import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHubspotClient, HubspotError } from '../../src/hubspot/client.js';
import { checkSignatureV3 } from '../../src/hubspot/signature.js';
import { startHubspotStandIn, type HubspotStandIn } from '../helpers/hubspot-standin.js';

/* The HubSpot stand-in, driven by Baton's own client: the documented shapes, failures on demand, webhooks signed like HubSpot's. */
let hubspot: HubspotStandIn;
beforeAll(async () => {
  hubspot = await startHubspotStandIn({ token: 'pat-test', webhookRetryMs: 50 });
});
afterAll(async () => {
  await hubspot.close();
});
beforeEach(() => {
  hubspot.reset();
});

const client = (timeoutMs = 10_000) => createHubspotClient({ accessToken: 'pat-test', apiUrl: hubspot.url, timeoutMs });
const failureOf = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof HubspotError) return err.failure;
    throw err;
  }
  throw new Error('expected a HubspotError');
};

describe('HubSpot stand-in', () => {
  it('reads a contact with its company, in batches, and its owner by id and by email', async () => {
    const owner = hubspot.addOwner({ email: 'ana@example.com', firstName: 'Ana', lastName: 'Andersson' });
    const company = hubspot.addCompany({
      name: 'Acme',
      domain: 'acme.io',
      numberofemployees: '250',
      industry: 'COMPUTER_SOFTWARE',
      country: 'Sweden',
    });
    const id = hubspot.createContact(
      { email: 'bo@acme.io', firstname: 'Bo', lifecyclestage: 'lead', hubspot_owner_id: owner },
      { companyId: company },
    );
    const c = await client().getContact(id, ['email', 'firstname', 'lifecyclestage', 'jobtitle']);
    expect(c).toMatchObject({
      id,
      companyIds: [company],
      properties: { email: 'bo@acme.io', firstname: 'Bo', lifecyclestage: 'lead', jobtitle: null },
    });
    expect(c.properties.hs_v2_date_entered_lead).toBeUndefined();
    expect(await client().batchReadContacts([id, '999999'], ['hs_v2_date_entered_lead'])).toEqual([
      {
        id,
        properties: expect.objectContaining({
          hs_v2_date_entered_lead: expect.stringMatching(/^\d{4}-/) as unknown,
        }) as unknown,
      },
    ]);
    expect(await client().contactCompanies([id])).toEqual(new Map([[id, [company]]]));
    expect(await client().batchReadCompanies([company], ['name', 'domain'])).toEqual([
      { id: company, properties: { name: 'Acme', domain: 'acme.io', hs_object_id: company } },
    ]);
    expect(await client().getOwner(owner)).toEqual({
      id: owner,
      email: 'ana@example.com',
      firstName: 'Ana',
      lastName: 'Andersson',
    });
    expect(await client().getOwner('424242')).toBeUndefined();
    expect((await client().findOwnerByEmail('ANA@example.com'))?.id).toBe(owner);
    expect(hubspot.callsTo('GET /crm/v3/owners/{id}')).toHaveLength(2);
  });

  it('searches by property with paging, sorted', async () => {
    const ids = [1, 2, 3].map((n) =>
      hubspot.createContact({ email: `p${n}@x.io`, lifecyclestage: 'lead' }, { at: new Date(Date.UTC(2026, 0, n)) }),
    );
    const req = {
      filterGroups: [
        { filters: [{ propertyName: 'createdate', operator: 'GTE' as const, value: '2026-01-02T00:00:00Z' }] },
      ],
      sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' as const }],
      properties: ['email'],
      limit: 1,
    };
    const first = await client().searchContacts(req);
    expect(first).toMatchObject({ total: 2, results: [{ id: ids[1] }] });
    const second = await client().searchContacts({ ...req, after: first.after });
    expect(second).toMatchObject({ results: [{ id: ids[2] }], after: undefined });
  });

  it('updates a contact, refuses a lifecycle stage moved backwards unless cleared first, and keeps the date each stage was entered', async () => {
    const id = hubspot.createContact({ lifecyclestage: 'marketingqualifiedlead' });
    await client().updateContact(id, { lifecyclestage: 'salesqualifiedlead', hs_lead_status: 'IN_PROGRESS' });
    expect(hubspot.contact(id)?.properties).toMatchObject({
      lifecyclestage: 'salesqualifiedlead',
      hs_lead_status: 'IN_PROGRESS',
      hs_v2_date_entered_salesqualifiedlead: expect.any(String) as unknown,
    });
    expect(await failureOf(client().updateContact(id, { lifecyclestage: 'lead' }))).toMatchObject({
      kind: 'permanent',
      error: expect.stringContaining('backwards') as unknown,
    });
    await client().updateContact(id, { lifecyclestage: '' });
    await client().updateContact(id, { lifecyclestage: 'lead' });
    expect(hubspot.contact(id)?.properties.lifecyclestage).toBe('lead');
  });

  it('creates a note on a contact and lists it back', async () => {
    const id = hubspot.createContact({ email: 'n@x.io' });
    await client().createNote({
      contactId: id,
      body: 'Rejected: no budget',
      timestamp: new Date('2026-12-01T10:00:00Z'),
    });
    expect(hubspot.notes(id)).toEqual([
      { id: expect.any(String) as unknown, body: 'Rejected: no budget', timestamp: '2026-12-01T10:00:00.000Z' },
    ]);
    expect(await client().contactNoteBodies(id)).toEqual(['Rejected: no budget']);
  });

  it('answers 429 with Retry-After, 5xx, a refused token, and a hang, as the client classifies them', async () => {
    const id = hubspot.createContact({ email: 'f@x.io' });
    hubspot.failNext('GET /crm/v3/objects/contacts/{id}', { status: 429, retryAfterSeconds: 2 });
    expect(await failureOf(client().getContact(id, []))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000 });
    hubspot.failNext('PATCH /crm/v3/objects/contacts/{id}', { status: 503 });
    expect(await failureOf(client().updateContact(id, { hs_lead_status: 'OPEN' }))).toMatchObject({
      kind: 'transient',
    });
    expect(
      await failureOf(createHubspotClient({ accessToken: 'pat-wrong', apiUrl: hubspot.url }).getContact(id, [])),
    ).toMatchObject({ kind: 'permanent', error: expect.stringContaining('HUBSPOT_ACCESS_TOKEN') as unknown });
    hubspot.failNext('*', { hang: true });
    expect(await failureOf(client(300).getContact(id, []))).toMatchObject({ kind: 'transient' });
    // Acted on, then no answer: the note is there though the caller only saw a timeout.
    hubspot.failNext('POST /crm/v3/objects/notes', { hang: true, acted: true });
    expect(
      await failureOf(client(300).createNote({ contactId: id, body: 'made once', timestamp: new Date() })),
    ).toMatchObject({ kind: 'transient' });
    expect(hubspot.notes(id).map((n) => n.body)).toEqual(['made once']);
    expect(await failureOf(client().getContact('123456789', []))).toMatchObject({ kind: 'not_found' });
  });

  it('enforces the ten-second limit when asked, and says how busy it was', async () => {
    const limited = await startHubspotStandIn({ perTenSeconds: 3 });
    try {
      const c = createHubspotClient({ accessToken: 'pat-test', apiUrl: limited.url });
      for (let i = 0; i < 3; i++) await c.getOwner('1');
      expect(await failureOf(c.getOwner('1'))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 });
      expect(limited.peakPerTenSeconds()).toBe(4);
    } finally {
      await limited.close();
    }
  });

  it('sends creation and property changes as signed webhook batches, retrying a refused delivery', async () => {
    const received: { events: Record<string, unknown>[]; valid: boolean }[] = [];
    let refuse = 1;
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hubspot/webhooks`;
        const valid = checkSignatureV3(
          { method: 'POST', uri: url, body, timestamp: String(req.headers['x-hubspot-request-timestamp']) },
          String(req.headers['x-hubspot-signature-v3']),
          'secret-1',
          Date.now(),
        ).ok;
        if (refuse-- > 0) {
          res.writeHead(500).end();
          return;
        }
        received.push({ events: JSON.parse(body.toString('utf8')) as Record<string, unknown>[], valid });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        resolve();
      }),
    );
    try {
      hubspot.subscribe({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hubspot/webhooks`,
        clientSecret: 'secret-1',
      });
      const id = hubspot.createContact({ email: 'w@x.io', lifecyclestage: 'lead' });
      hubspot.setProperties(id, { lifecyclestage: 'marketingqualifiedlead', firstname: 'not subscribed' });
      await client().updateContact(id, { hs_lead_status: 'IN_PROGRESS' });
      await hubspot.webhooksDelivered();
      // The refused first batch came again after the later one: out of order, as HubSpot's may.
      const events = received.flatMap((r) => r.events).sort((a, b) => Number(a.eventId) - Number(b.eventId));
      expect(received.every((r) => r.valid)).toBe(true);
      expect(
        events.map((e) => [e.subscriptionType, e.propertyName ?? null, e.propertyValue ?? null, e.changeSource]),
      ).toEqual([
        ['contact.creation', null, null, 'CRM_UI'],
        ['contact.propertyChange', 'lifecyclestage', 'lead', 'CRM_UI'],
        ['contact.propertyChange', 'lifecyclestage', 'marketingqualifiedlead', 'CRM_UI'],
        ['contact.propertyChange', 'hs_lead_status', 'IN_PROGRESS', 'INTEGRATION'],
      ]);
      expect(events.every((e) => e.objectId === Number(id))).toBe(true);
      // The first delivery was refused: its events came again, marked as a retry.
      expect(events[0]!.attemptNumber).toBe(1);
      expect(hubspot.webhookStats()).toMatchObject({ failed: 1, pending: 0 });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
