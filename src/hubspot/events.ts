import { z } from 'zod';

/*
 * A HubSpot webhook delivery: a JSON array of up to 100 events (docs/hubspot.md). Only the fields
 * Baton uses are read; HubSpot adds others, which are ignored. Ids arrive as numbers.
 */

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]).transform(String);

export const hubspotEventSchema = z.object({
  eventId: id,
  portalId: id,
  subscriptionType: z.string().min(1).max(100),
  objectId: id,
  occurredAt: z.number().int().min(0).max(253_402_300_799_999),
  propertyName: z.string().max(200).optional(),
  propertyValue: z.string().max(10_000).optional(),
  changeSource: z.string().max(100).optional(),
  sourceId: z.string().max(200).optional(),
});

export const hubspotBatchSchema = z.array(hubspotEventSchema).min(1).max(100);

export type HubspotEvent = z.output<typeof hubspotEventSchema>;
