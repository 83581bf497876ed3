import { and, asc, desc, eq, or, sql } from 'drizzle-orm';
import type { Activity } from '../../domain/lead.js';
import type { Stage } from '../../domain/lifecycle.js';
import { rowsOf, type DbOrTx } from '../client.js';
import { rowsInsert, writeTogether, type Write } from './bulk.js';
import { activities, leads } from '../schema.js';

export type LeadRow = typeof leads.$inferSelect;
export type NewLead = typeof leads.$inferInsert;

/**
 * The lead an intake belongs to, in one query: the (source, externalId) match when there is one,
 * else the most recent lead with this email.
 */
export async function findLeadForIntake(
  db: DbOrTx,
  workspaceId: string,
  key: { source: string; externalId?: string | undefined; email?: string | undefined },
): Promise<LeadRow | undefined> {
  const bySourceId =
    key.externalId !== undefined ? and(eq(leads.source, key.source), eq(leads.externalId, key.externalId)) : undefined;
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
  const rows = await db
    .select()
    .from(leads)
    .where(and(eq(leads.workspaceId, workspaceId), eq(leads.id, id)))
    .limit(1);
  return rows[0];
}

/**
 * Leads matching any of these intake keys, by (source, externalId) or by email: which of a batch
 * are known. Each key is looked up on its own through its index: `offset 0` keeps the lateral
 * subquery from being flattened into a join, which a plan made while the table was small would
 * run as a scan of every lead. The keys travel as JSON so the statement is the same for any batch.
 */
export async function knownIntakeKeys(
  db: DbOrTx,
  workspaceId: string,
  keys: readonly { source: string; externalId?: string | undefined; email?: string | undefined }[],
): Promise<{ source: string; externalId: string | null; email: string | null }[]> {
  const pairs = JSON.stringify(
    keys.flatMap((k) => (k.externalId !== undefined ? [{ source: k.source, external_id: k.externalId }] : [])),
  );
  const emails = JSON.stringify([
    ...new Set(keys.flatMap((k) => (k.email !== undefined ? [k.email.toLowerCase()] : []))),
  ]);
  const result = await db.execute(sql`
    select l.source, l.external_id as "externalId", lower(l.email) as email
      from jsonb_to_recordset(${pairs}::jsonb) as k(source text, external_id text)
      cross join lateral (select * from ${leads} where workspace_id = ${workspaceId} and source = k.source and external_id = k.external_id offset 0) as l
    union all
    select l.source, l.external_id, lower(l.email)
      from jsonb_array_elements_text(${emails}::jsonb) as k(email)
      cross join lateral (select * from ${leads} where workspace_id = ${workspaceId} and lower(email) = k.email offset 0) as l`);
  return rowsOf(result);
}

/** New leads, ids chosen by the caller; one statement however many. */
export function leadsInsert(rows: readonly NewLead[]): Write | undefined {
  return rowsInsert(leads, rows);
}

export async function insertLead(db: DbOrTx, values: NewLead): Promise<LeadRow> {
  const rows = await db.insert(leads).values(values).returning();
  return rows[0]!;
}

export async function updateLead(db: DbOrTx, id: string, patch: Partial<NewLead>): Promise<void> {
  await db
    .update(leads)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(leads.id, id));
}

/** Moves a lead only if it is still in `from`: a concurrent change makes this a no-op (false). */
export async function moveLeadStage(db: DbOrTx, id: string, from: Stage, to: Stage): Promise<boolean> {
  const rows = await db
    .update(leads)
    .set({ stage: to, updatedAt: sql`now()` })
    .where(and(eq(leads.id, id), eq(leads.stage, from)))
    .returning({ id: leads.id });
  return rows.length === 1;
}

/** Adds activities not seen before; a replayed intake adds nothing. */
export async function addActivities(
  db: DbOrTx,
  workspaceId: string,
  leadId: string,
  list: readonly Activity[],
): Promise<void> {
  await writeTogether(db, [activitiesInsert(list.map((a) => ({ workspaceId, leadId, type: a.type, at: a.at })))]);
}

/** Activities not stored before; one already stored (a replay) is skipped. */
export function activitiesInsert(rows: readonly (typeof activities.$inferInsert)[]): Write | undefined {
  return rowsInsert(activities, rows, { onConflictDoNothing: true });
}

export async function listActivities(db: DbOrTx, leadId: string): Promise<Activity[]> {
  return db
    .select({ type: activities.type, at: activities.at })
    .from(activities)
    .where(eq(activities.leadId, leadId))
    .orderBy(asc(activities.at));
}
