import type { HubspotEvent } from '../hubspot/events.js';
import { storeHubspotEvents } from '../db/repo/hubspot.js';
import type { ServiceContext } from './context.js';

/**
 * Receives a verified webhook batch: each event is stored (once, by its event id) before anything
 * acts on it, so HubSpot can be answered at once and a crash loses nothing it was told.
 */
export async function receiveHubspotEvents(ctx: ServiceContext, events: readonly HubspotEvent[]): Promise<{ received: number; stored: number }> {
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
