import { count, eq } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { hubspotEvents } from '../schema.js';

export type NewHubspotEvent = Omit<typeof hubspotEvents.$inferInsert, 'id' | 'receivedAt' | 'processedAt'>;

/** Stores a webhook batch; an event already stored (a retried delivery) is skipped. Answers how many were new. */
export async function storeHubspotEvents(db: DbOrTx, rows: readonly NewHubspotEvent[]): Promise<number> {
  if (rows.length === 0) return 0;
  const stored = await db.insert(hubspotEvents).values([...rows]).onConflictDoNothing({ target: [hubspotEvents.workspaceId, hubspotEvents.eventId] }).returning({ id: hubspotEvents.id });
  return stored.length;
}

export async function countHubspotEvents(db: DbOrTx, workspaceId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(hubspotEvents).where(eq(hubspotEvents.workspaceId, workspaceId));
  return row?.n ?? 0;
}
