import { and, asc, desc, eq, or, sql } from 'drizzle-orm';
import type { Activity } from '../../domain/lead.js';
import type { DbOrTx } from '../client.js';
import { insertRows } from './bulk.js';
import { activities, leads } from '../schema.js';

export type LeadRow = typeof leads.$inferSelect;
export type NewLead = typeof leads.$inferInsert;

/**
 * The lead an intake belongs to, in one query: the (source, externalId) match when there is one,
 * else the most recent lead with this email.
 */
export async function findLeadForIntake(db: DbOrTx, workspaceId: string, key: { source: string; externalId?: string | undefined; email?: string | undefined }): Promise<LeadRow | undefined> {
  const bySourceId = key.externalId !== undefined ? and(eq(leads.source, key.source), eq(leads.externalId, key.externalId)) : undefined;
  const byEmail = key.email !== undefined ? sql`lower(${leads.email}) = ${key.email.toLowerCase()}` : undefined;
  const rows = await db
    .select()
    .from(leads)
    .where(and(eq(leads.workspaceId, workspaceId), or(bySourceId, byEmail)))
    .orderBy(bySourceId ? desc(sql`(${bySourceId})`) : sql`1`, desc(leads.createdAt))
    .limit(1);
  return rows[0];
}

export async function findLeadById(db: DbOrTx, workspaceId: string, id: string): Promise<LeadRow | undefined> {
  const rows = await db.select().from(leads).where(and(eq(leads.workspaceId, workspaceId), eq(leads.id, id))).limit(1);
  return rows[0];
}

/** Leads matching any of these intake keys, by (source, externalId) or by email: which of a batch are known. */
export async function knownIntakeKeys(db: DbOrTx, workspaceId: string, keys: readonly { source: string; externalId?: string | undefined; email?: string | undefined }[]): Promise<{ source: string; externalId: string | null; email: string | null }[]> {
  const bySourceId = keys.filter((k) => k.externalId !== undefined).map((k) => and(eq(leads.source, k.source), eq(leads.externalId, k.externalId!)));
  const emails = [...new Set(keys.flatMap((k) => (k.email !== undefined ? [k.email.toLowerCase()] : [])))];
  const byEmail = emails.length > 0 ? sql`lower(${leads.email}) in (${sql.join(emails.map((e) => sql`${e}`), sql`, `)})` : undefined;
  if (bySourceId.length === 0 && byEmail === undefined) return [];
  return db
    .select({ source: leads.source, externalId: leads.externalId, email: sql<string | null>`lower(${leads.email})` })
    .from(leads)
    .where(and(eq(leads.workspaceId, workspaceId), or(...bySourceId, byEmail)));
}

/** New leads, ids chosen by the caller; one statement however many. */
export async function insertLeads(db: DbOrTx, rows: readonly NewLead[]): Promise<void> {
  await insertRows(db, leads, rows);
}

export async function insertLead(db: DbOrTx, values: NewLead): Promise<LeadRow> {
  const rows = await db.insert(leads).values(values).returning();
  return rows[0]!;
}

export async function updateLead(db: DbOrTx, id: string, patch: Partial<NewLead>): Promise<void> {
  await db.update(leads).set({ ...patch, updatedAt: sql`now()` }).where(eq(leads.id, id));
}

/** Moves a lead only if it is still in `from`: a concurrent change makes this a no-op (false). */
export async function moveLeadStage(db: DbOrTx, id: string, from: string, to: string): Promise<boolean> {
  const rows = await db.update(leads).set({ stage: to, updatedAt: sql`now()` }).where(and(eq(leads.id, id), eq(leads.stage, from))).returning({ id: leads.id });
  return rows.length === 1;
}

/** Adds activities not seen before; a replayed intake adds nothing. */
export async function addActivities(db: DbOrTx, workspaceId: string, leadId: string, list: readonly Activity[]): Promise<void> {
  await insertActivities(db, list.map((a) => ({ workspaceId, leadId, type: a.type, at: a.at })));
}

export async function insertActivities(db: DbOrTx, rows: readonly (typeof activities.$inferInsert)[]): Promise<void> {
  await insertRows(db, activities, rows, { onConflictDoNothing: true });
}

export async function listActivities(db: DbOrTx, leadId: string): Promise<Activity[]> {
  return db.select({ type: activities.type, at: activities.at }).from(activities).where(eq(activities.leadId, leadId)).orderBy(asc(activities.at));
}
