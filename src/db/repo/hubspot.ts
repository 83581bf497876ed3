import { and, count, desc, eq, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { handoffs, hubspotEvents, hubspotWrites, leads, outbox } from '../schema.js';

export type NewHubspotEvent = Omit<
  typeof hubspotEvents.$inferInsert,
  'id' | 'receivedAt' | 'processedAt' | 'outcome' | 'attempts' | 'notBefore' | 'lockedUntil'
>;
export type HubspotEventRow = typeof hubspotEvents.$inferSelect;

/** Stores a webhook batch; an event already stored (a retried delivery) is skipped. Answers how many were new. */
export async function storeHubspotEvents(db: DbOrTx, rows: readonly NewHubspotEvent[]): Promise<number> {
  if (rows.length === 0) return 0;
  const stored = await db
    .insert(hubspotEvents)
    .values([...rows])
    .onConflictDoNothing({ target: [hubspotEvents.workspaceId, hubspotEvents.eventId] })
    .returning({ id: hubspotEvents.id });
  return stored.length;
}

export async function countHubspotEvents(db: DbOrTx, workspaceId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(hubspotEvents).where(eq(hubspotEvents.workspaceId, workspaceId));
  return row?.n ?? 0;
}

/**
 * Claims the unprocessed events of up to `contacts` contacts, the longest waiting first, for
 * `leaseMs`: every due event of a claimed contact together, so they are handled in order. An
 * event another replica holds is skipped (the update re-checks the lease on the row it changes).
 */
export async function claimHubspotEvents(
  db: DbOrTx,
  workspaceId: string,
  now: Date,
  opts: { contacts: number; leaseMs: number },
): Promise<HubspotEventRow[]> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const free = sql`${hubspotEvents.processedAt} is null and (${hubspotEvents.notBefore} is null or ${hubspotEvents.notBefore} <= ${at}) and (${hubspotEvents.lockedUntil} is null or ${hubspotEvents.lockedUntil} < ${at})`;
  const picked = sql`select ${hubspotEvents.objectId} from ${hubspotEvents} where ${hubspotEvents.workspaceId} = ${workspaceId} and ${free} group by ${hubspotEvents.objectId} order by min(${hubspotEvents.occurredAt}) limit ${opts.contacts}`;
  const rows = await db
    .update(hubspotEvents)
    .set({ lockedUntil: new Date(now.getTime() + opts.leaseMs), attempts: sql`${hubspotEvents.attempts} + 1` })
    .where(and(eq(hubspotEvents.workspaceId, workspaceId), free, sql`${hubspotEvents.objectId} in (${picked})`))
    .returning();
  return rows.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.id - b.id);
}

/** Marks events processed with what came of them. */
export async function finishHubspotEvents(
  db: DbOrTx,
  done: readonly { id: number; outcome: string }[],
  now: Date,
): Promise<void> {
  const byOutcome = new Map<string, number[]>();
  for (const d of done) byOutcome.set(d.outcome, [...(byOutcome.get(d.outcome) ?? []), d.id]);
  for (const [outcome, ids] of byOutcome) {
    await db
      .update(hubspotEvents)
      .set({ processedAt: now, outcome, lockedUntil: null })
      .where(inArray(hubspotEvents.id, ids));
  }
}

/** Gives events back unprocessed, to be tried again from `notBefore` (HubSpot down or rate-limiting). */
export async function postponeHubspotEvents(db: DbOrTx, ids: readonly number[], notBefore: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(hubspotEvents)
    .set({ notBefore, lockedUntil: null })
    .where(and(inArray(hubspotEvents.id, [...ids]), sql`${hubspotEvents.processedAt} is null`));
}

/** Unprocessed events, and the age of the oldest: what an operator (and a benchmark) watches. */
export async function hubspotBacklog(db: DbOrTx, workspaceId: string): Promise<{ pending: number; processed: number }> {
  const [row] = await db
    .select({
      pending: sql<number>`count(*) filter (where ${hubspotEvents.processedAt} is null)::int`,
      processed: sql<number>`count(*) filter (where ${hubspotEvents.processedAt} is not null)::int`,
    })
    .from(hubspotEvents)
    .where(eq(hubspotEvents.workspaceId, workspaceId));
  return { pending: row?.pending ?? 0, processed: row?.processed ?? 0 };
}

/** When the latest handoff of the lead with this (source, externalId) started, if it has one. */
export async function latestHandoffStart(
  db: DbOrTx,
  workspaceId: string,
  source: string,
  externalId: string,
): Promise<Date | undefined> {
  const rows = await db
    .select({ startedAt: handoffs.startedAt })
    .from(handoffs)
    .innerJoin(leads, eq(leads.id, handoffs.leadId))
    .where(and(eq(leads.workspaceId, workspaceId), eq(leads.source, source), eq(leads.externalId, externalId)))
    .orderBy(desc(handoffs.startedAt))
    .limit(1);
  return rows[0]?.startedAt;
}

/** Records what Baton is about to write to a contact, before it writes it. */
export async function recordHubspotWrites(
  db: DbOrTx,
  workspaceId: string,
  contactId: string,
  properties: Readonly<Record<string, string>>,
  at: Date,
): Promise<void> {
  const rows = Object.entries(properties).map(([property, value]) => ({ workspaceId, contactId, property, value, at }));
  if (rows.length > 0) await db.insert(hubspotWrites).values(rows);
}

/**
 * Is this property change Baton's own write coming back? It is when Baton wrote this value to
 * this contact in the day before the change (or moments after: clocks differ). The write is
 * consumed, so a person setting the same value later is not mistaken for it.
 */
export async function consumeHubspotEcho(
  db: DbOrTx,
  workspaceId: string,
  change: { contactId: string; property: string; value: string; occurredAt: Date },
): Promise<boolean> {
  const from = new Date(change.occurredAt.getTime() - 24 * 60 * 60_000);
  const to = new Date(change.occurredAt.getTime() + 5 * 60_000);
  const match = db
    .select({ id: hubspotWrites.id })
    .from(hubspotWrites)
    .where(
      and(
        eq(hubspotWrites.workspaceId, workspaceId),
        eq(hubspotWrites.contactId, change.contactId),
        eq(hubspotWrites.property, change.property),
        eq(hubspotWrites.value, change.value),
        gte(hubspotWrites.at, from),
        lte(hubspotWrites.at, to),
      ),
    )
    .orderBy(hubspotWrites.at)
    .limit(1)
    .for('update', { skipLocked: true });
  return (
    (await db.delete(hubspotWrites).where(inArray(hubspotWrites.id, match)).returning({ id: hubspotWrites.id }))
      .length > 0
  );
}

/** Deletes recorded writes older than `before` (an echo comes within minutes, or never). */
export async function purgeHubspotWrites(db: DbOrTx, before: Date, limit: number): Promise<number> {
  const batch = db
    .select({ id: hubspotWrites.id })
    .from(hubspotWrites)
    .where(lt(hubspotWrites.at, before))
    .limit(limit)
    .for('update', { skipLocked: true });
  return (await db.delete(hubspotWrites).where(inArray(hubspotWrites.id, batch)).returning({ id: hubspotWrites.id }))
    .length;
}

/** Is an earlier write of this handoff still waiting in the lane? Its writes go out in the order they were queued. */
export async function earlierWritePending(
  db: DbOrTx,
  lane: string,
  rowId: number,
  handoffId: string,
): Promise<boolean> {
  const rows = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.channel, lane),
        eq(outbox.status, 'pending'),
        lt(outbox.id, rowId),
        sql`${outbox.payload}->>'handoffId' = ${handoffId}`,
      ),
    )
    .limit(1);
  return rows.length > 0;
}
