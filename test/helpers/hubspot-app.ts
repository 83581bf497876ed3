import { afterAll, beforeAll } from 'vitest';
import type { Policy } from '../../src/config/policy.js';
import { startTestBaton, type TestBaton } from './app.js';
import { startHubspotStandIn, type HubspotStandIn, type HubspotStandInOptions } from './hubspot-standin.js';
import { startSlackStandIn, type SlackStandIn, type StandInOptions } from './slack-standin.js';

export const HUBSPOT_SECRET = 'hubspot-client-secret-0123';
export const HUBSPOT_TOKEN = 'pat-na1-test';

export interface BatonWithHubspot {
  slack: SlackStandIn;
  hubspot: HubspotStandIn;
  baton: TestBaton;
}

/**
 * The real app with the HubSpot connector on, talking to the Slack and HubSpot stand-ins; the
 * HubSpot stand-in sends its webhooks to the app, signed, as HubSpot would.
 */
export function useBatonWithHubspot(
  opts: { policy?: Policy; slack?: StandInOptions; hubspot?: HubspotStandInOptions } = {},
): BatonWithHubspot {
  const ctx = {} as BatonWithHubspot;
  beforeAll(async () => {
    ctx.slack = await startSlackStandIn(opts.slack);
    ctx.hubspot = await startHubspotStandIn({ token: HUBSPOT_TOKEN, webhookRetryMs: 200, ...opts.hubspot });
    ctx.baton = await startTestBaton({
      slackApiUrl: ctx.slack.url,
      ...(opts.policy ? { policy: opts.policy } : {}),
      config: {
        hubspot: {
          accessToken: HUBSPOT_TOKEN,
          clientSecret: HUBSPOT_SECRET,
          publicUrl: undefined,
          apiUrl: ctx.hubspot.url,
          rateLimit: 100,
        },
      },
    });
    ctx.hubspot.subscribe({ url: `${ctx.baton.url}/hubspot/webhooks`, clientSecret: HUBSPOT_SECRET });
  });
  afterAll(async () => {
    await ctx.baton.close();
    await ctx.hubspot.close();
    await ctx.slack.close();
  });
  return ctx;
}

/** A contact of a big Swedish company (the enterprise team) made an MQL in HubSpot, as a person there would; its id. */
export function createEnterpriseMql(hubspot: HubspotStandIn, name: string): string {
  const company = hubspot.addCompany({ name: `${name} AB`, numberofemployees: '4000', country: 'Sweden' });
  return hubspot.createContact(
    {
      email: `${name.toLowerCase()}@${name.toLowerCase()}.se`,
      firstname: name,
      lastname: 'Lind',
      jobtitle: 'CTO',
      lifecyclestage: 'marketingqualifiedlead',
    },
    { companyId: company },
  );
}
