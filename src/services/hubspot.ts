import type { HubspotEvent } from '../hubspot/events.js';
import { holdChannel, takePaceToken, type Pace } from '../db/repo/outbox.js';
import { storeHubspotEvents } from '../db/repo/hubspot.js';
import type { ServiceContext } from './context.js';
import { HUBSPOT_LANE } from './delivery-catalogue.js';

/**
 * Receives a verified webhook batch: each event is stored (once, by its event id) before anything
 * acts on it, so HubSpot can be answered at once and a crash loses nothing it was told.
 */
export async function receiveHubspotEvents(
  ctx: ServiceContext,
  events: readonly HubspotEvent[],
): Promise<{ received: number; stored: number }> {
  const stored = await storeHubspotEvents(
    ctx.db,
    events.map((e) => ({
      workspaceId: ctx.workspaceId,
      eventId: e.eventId,
      portalId: e.portalId,
      subscriptionType: e.subscriptionType,
      objectId: e.objectId,
      propertyName: e.propertyName ?? null,
      propertyValue: e.propertyValue ?? null,
      changeSource: e.changeSource ?? null,
      sourceId: e.sourceId ?? null,
      occurredAt: new Date(e.occurredAt),
    })),
  );
  return { received: events.length, stored };
}

/**
 * HubSpot's burst limit as a bucket: 90 % of the account's requests per 10 s as the steady rate,
 * and a burst of 5 %, so any ten seconds see at most about 95 % of the limit (other apps on the
 * account share it too).
 */
export function hubspotPace(requestsPer10s: number): Pace {
  return { intervalMs: 10_000 / (requestsPer10s * 0.9), burst: Math.max(1, Math.floor(requestsPer10s * 0.05)) };
}

/** Waits for a token of the shared HubSpot bucket. */
export async function paceHubspot(ctx: ServiceContext, pace: Pace): Promise<void> {
  for (;;) {
    const wait = await takePaceToken(ctx.db, HUBSPOT_LANE, pace);
    if (wait === 0) return;
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** After a 429 from HubSpot: no call, read or write, on any replica, before its Retry-After. */
export async function holdHubspot(ctx: ServiceContext, retryAfterMs: number, pace: Pace): Promise<void> {
  await holdChannel(ctx.db, HUBSPOT_LANE, { now: ctx.now(), retryAfterMs }, pace);
}
