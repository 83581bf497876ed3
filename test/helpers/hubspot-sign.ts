import { signatureV3 } from '../../src/hubspot/signature.js';

/** Sends a webhook batch the way HubSpot does: raw JSON body, v3 signature over the URI it calls. */
export async function sendHubspotWebhook(
  url: string,
  secret: string,
  events: unknown,
  opts: { timestampMs?: number; signedUri?: string; signature?: string | null } = {},
): Promise<Response> {
  const body = typeof events === 'string' ? events : JSON.stringify(events);
  const timestamp = String(opts.timestampMs ?? Date.now());
  const signature =
    opts.signature === undefined
      ? signatureV3({ method: 'POST', uri: opts.signedUri ?? url, body: Buffer.from(body), timestamp }, secret)
      : opts.signature;
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hubspot-request-timestamp': timestamp,
      ...(signature !== null ? { 'x-hubspot-signature-v3': signature } : {}),
    },
    body,
  });
}

let nextEventId = 1000;

/** A contact property change event as HubSpot sends it. */
export function contactPropertyChange(
  objectId: number,
  propertyName: string,
  propertyValue: string,
  occurredAt: number,
  eventId = nextEventId++,
): Record<string, unknown> {
  return {
    eventId,
    subscriptionId: 2001,
    portalId: 62515,
    appId: 54321,
    occurredAt,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId,
    propertyName,
    propertyValue,
    changeSource: 'CRM_UI',
    sourceId: 'userId:1',
  };
}
