import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { activities, events, handoffs, leads } from '../schema.js';
import { eventFacts, type EventFacts } from './events.js';

export type ExportLead = typeof leads.$inferSelect;
export interface ExportEvent extends EventFacts {
  leadId: string;
  handoffId: string | null;
}
export interface ExportHandoff {
  id: string;
  teamId: string;
  rejectNote: string | null;
}

/**
 * One page of leads for the export, in id order (resume after the last id), with everything
 * their history is rebuilt from: a handful of statements per page however many leads.
 */
export async function exportPage(
  db: DbOrTx,
  workspaceId: string,
  afterId: string | undefined,
  limit: number,
): Promise<{
  leads: ExportLead[];
  events: ExportEvent[];
  handoffs: ExportHandoff[];
  activities: { leadId: string; type: string; at: Date }[];
}> {
  const page = await db
    .select()
    .from(leads)
    .where(
      afterId === undefined
        ? eq(leads.workspaceId, workspaceId)
        : and(eq(leads.workspaceId, workspaceId), gt(leads.id, afterId)),
    )
    .orderBy(asc(leads.id))
    .limit(limit);
  if (page.length === 0) return { leads: [], events: [], handoffs: [], activities: [] };
  const ids = page.map((l) => l.id);
  const [ev, ho, ac] = await Promise.all([
    db
      .select({ leadId: events.leadId, handoffId: events.handoffId, ...eventFacts })
      .from(events)
      .where(inArray(events.leadId, ids))
      .orderBy(asc(events.leadId), asc(events.at), asc(events.id)),
    db
      .select({ id: handoffs.id, teamId: handoffs.teamId, rejectNote: handoffs.rejectNote })
      .from(handoffs)
      .where(inArray(handoffs.leadId, ids)),
    db
      .select({ leadId: activities.leadId, type: activities.type, at: activities.at })
      .from(activities)
      .where(inArray(activities.leadId, ids))
      .orderBy(asc(activities.leadId), asc(activities.at), asc(activities.id)),
  ]);
  return { leads: page, events: ev, handoffs: ho, activities: ac };
}
