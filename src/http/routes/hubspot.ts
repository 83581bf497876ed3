import type { IncomingMessage } from 'node:http';
import { hubspotBatchSchema } from '../../hubspot/events.js';
import { checkSignatureV3 } from '../../hubspot/signature.js';
import type { ServiceContext } from '../../services/context.js';
import { receiveHubspotEvents } from '../../services/hubspot.js';
import { ONE_MEGABYTE, readBody, requireJson } from '../body.js';
import { HttpError } from '../errors.js';
import type { Route } from '../server.js';
import { validationDetails } from '../validation.js';

export interface HubspotSettings {
  readonly clientSecret: string;
  /** Where HubSpot reaches Baton (scheme and host), when a proxy stands in front of it. */
  readonly publicUrl: string | undefined;
}

/** The URI HubSpot signed: the public URL's origin when one is set, else the request's own scheme and Host. */
function calledUri(req: IncomingMessage, url: URL, publicUrl: string | undefined): string {
  const pathAndQuery = req.url ?? url.pathname;
  if (publicUrl !== undefined) return `${publicUrl.replace(/\/+$/, '')}${pathAndQuery}`;
  const proto = (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
  return `${proto}://${req.headers.host ?? 'localhost'}${pathAndQuery}`;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** POST /hubspot/webhooks: HubSpot's signed event batches, stored before any work (docs/hubspot.md). */
export function hubspotRoutes(
  ctx: ServiceContext,
  settings: HubspotSettings | undefined,
  onStored: () => void,
): Route[] {
  return [
    {
      method: 'POST',
      path: '/hubspot/webhooks',
      async handle(req, url) {
        if (settings === undefined)
          throw new HttpError(
            503,
            'not_configured',
            'The HubSpot connector is off: set HUBSPOT_ACCESS_TOKEN and HUBSPOT_CLIENT_SECRET to enable it.',
          );
        requireJson(req);
        const body = await readBody(req, ONE_MEGABYTE);
        const check = checkSignatureV3(
          {
            method: req.method ?? 'POST',
            uri: calledUri(req, url, settings.publicUrl),
            body,
            timestamp: header(req, 'x-hubspot-request-timestamp') ?? '',
          },
          header(req, 'x-hubspot-signature-v3'),
          settings.clientSecret,
          Date.now(),
        );
        if (!check.ok) {
          ctx.logger.warn({ reason: check.reason }, 'HubSpot webhook refused: signature not valid');
          throw new HttpError(
            401,
            'unauthorized',
            check.reason === 'stale'
              ? 'X-HubSpot-Request-Timestamp is more than 5 minutes away from now.'
              : 'X-HubSpot-Signature-v3 does not match: check HUBSPOT_CLIENT_SECRET and PUBLIC_URL.',
          );
        }
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8')) as unknown;
        } catch {
          throw new HttpError(400, 'validation_failed', 'The body is not valid JSON.');
        }
        const parsed = hubspotBatchSchema.safeParse(json);
        if (!parsed.success)
          throw new HttpError(
            400,
            'validation_failed',
            'The body is not a batch of HubSpot webhook events.',
            validationDetails(parsed.error.issues),
          );
        const result = await receiveHubspotEvents(ctx, parsed.data);
        ctx.logger.info({ received: result.received, stored: result.stored }, 'HubSpot webhook batch stored');
        if (result.stored > 0) onStored();
        return { status: 200, json: result };
      },
    },
  ];
}
