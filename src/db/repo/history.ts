import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { events, handoffs, leads } from '../schema.js';

/** The most recently created lead with this email (case-insensitive), with its latest handoff's id. */
export async function leadByEmail(
  db: DbOrTx,
  workspaceId: string,
  email: string,
): Promise<{ leadId: string; handoffId: string | null } | undefined> {
  const rows = await db
    .select({ leadId: leads.id })
    .from(leads)
    .where(and(eq(leads.workspaceId, workspaceId), sql`lower(${leads.email}) = ${email.toLowerCase()}`))
    .orderBy(desc(leads.createdAt))
    .limit(1);
  const lead = rows[0];
  if (!lead) return undefined;
  const latest = await db
    .select({ id: handoffs.id })
    .from(handoffs)
    .where(eq(handoffs.leadId, lead.leadId))
    .orderBy(desc(handoffs.seq))
    .limit(1);
  return { leadId: lead.leadId, handoffId: latest[0]?.id ?? null };
}

export interface LeadEventRow {
  type: string;
  fromStage: string | null;
  toStage: string | null;
  at: Date;
  actor: string | null;
  reason: string | null;
  data: unknown;
}

/** A lead's whole history, oldest first (ties in insertion order). */
export async function leadEvents(db: DbOrTx, leadId: string): Promise<LeadEventRow[]> {
  return db
    .select({
      type: events.type,
      fromStage: events.fromStage,
      toStage: events.toStage,
      at: events.at,
      actor: events.actor,
      reason: events.reason,
      data: events.data,
    })
    .from(events)
    .where(eq(events.leadId, leadId))
    .orderBy(asc(events.at), asc(events.id));
}
