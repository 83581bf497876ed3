import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { events, handoffs, leads } from '../schema.js';
import { eventFacts, type EventFacts } from './events.js';

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

export interface LeadEventRow extends EventFacts {
  fromStage: string | null;
}

/** A lead's whole history, oldest first (ties in insertion order). */
export async function leadEvents(db: DbOrTx, leadId: string): Promise<LeadEventRow[]> {
  return db
    .select({ ...eventFacts, fromStage: events.fromStage })
    .from(events)
    .where(eq(events.leadId, leadId))
    .orderBy(asc(events.at), asc(events.id));
}
