import { z } from 'zod';
import { ONE_MEGABYTE, readJson } from '../http/body.js';
import { HttpError } from '../http/errors.js';
import type { HttpResult, Route } from '../http/server.js';
import { parseOr400 } from '../http/validation.js';
import { nextChange } from './change-signal.js';
import { LIFECYCLE_STAGES, type HubspotStandIn } from './hubspot-standin.js';
import { sampleLead } from './samples.js';

/*
 * The sandbox page's "HubSpot" panel: a contact made in the built-in HubSpot stand-in and moved
 * along its lifecycle stages as a person in the CRM would, so the stand-in sends Baton its signed
 * webhooks and the whole loop (MQL → card → owner and status written back) shows on one page.
 */

/** A long poll waits at most this long for a change before answering with the same contacts. */
const LONG_POLL_MS = 15_000;
const stageSchema = z.object({
  contactId: z.string().regex(/^\d+$/, 'must be a contact id'),
  stage: z.enum(LIFECYCLE_STAGES),
});

function view(hubspot: HubspotStandIn): unknown {
  const ownerNames = new Map(hubspot.owners().map((o) => [o.id, `${o.firstName} ${o.lastName}`]));
  return {
    version: hubspot.version(),
    stages: LIFECYCLE_STAGES,
    contacts: hubspot
      .contacts()
      .toReversed()
      .map((c) => ({
        id: c.id,
        name: `${c.properties.firstname ?? ''} ${c.properties.lastname ?? ''}`.trim(),
        email: c.properties.email,
        lifecyclestage: c.properties.lifecyclestage ?? '',
        leadStatus: c.properties.hs_lead_status ?? '',
        owner: c.properties.hubspot_owner_id
          ? (ownerNames.get(c.properties.hubspot_owner_id) ?? c.properties.hubspot_owner_id)
          : '',
        notes: hubspot.notes(c.id).map((n) => n.body),
      })),
  };
}

export function sandboxHubspotRoutes(hubspot: HubspotStandIn, now: () => Date): Route[] {
  const json = (body: unknown): HttpResult => ({ status: 200, json: body, headers: { 'cache-control': 'no-store' } });
  return [
    {
      method: 'GET',
      path: '/sandbox/hubspot',
      async handle(_req, url) {
        const since = url.searchParams.get('since');
        if (since !== null && /^\d+$/.test(since)) await nextChange(hubspot, Number(since), LONG_POLL_MS);
        return json(view(hubspot));
      },
    },
    {
      method: 'POST',
      path: '/sandbox/hubspot/contact',
      handle() {
        // The sample lead's person, as a HubSpot contact at the "lead" stage: not handed over yet.
        const l = sampleLead(now()) as {
          email: string;
          firstName: string;
          lastName: string;
          title: string;
          company: string;
          employees: number;
        };
        const companyId = hubspot.addCompany({
          name: l.company,
          numberofemployees: String(l.employees),
          country: 'Sweden',
          industry: 'COMPUTER_SOFTWARE',
        });
        const id = hubspot.createContact(
          {
            email: l.email,
            firstname: l.firstName,
            lastname: l.lastName,
            jobtitle: l.title,
            country: 'Sweden',
            hs_analytics_source: 'ORGANIC_SEARCH',
            lifecyclestage: 'lead',
          },
          { companyId },
        );
        return Promise.resolve(json({ id }));
      },
    },
    {
      method: 'POST',
      path: '/sandbox/hubspot/stage',
      async handle(req) {
        const c = parseOr400(stageSchema, await readJson(req, ONE_MEGABYTE), 'stage');
        if (!hubspot.contact(c.contactId))
          throw new HttpError(404, 'not_found', `No contact ${c.contactId} in the HubSpot stand-in.`);
        hubspot.setProperties(c.contactId, { lifecyclestage: c.stage });
        return json({ ok: true });
      },
    },
  ];
}
