import { historyFromEvents } from '../domain/history.js';
import { exportPage, type ExportEvent } from '../db/repo/export.js';
import type { ServiceContext } from './context.js';
import { SENT_LEAD_FIELDS } from '../domain/lead.js';
import { assignedEventData } from '../domain/routing.js';

const PAGE = 1000;
const FIELDS = ['externalId', ...SENT_LEAD_FIELDS] as const;

function firstReps(events: readonly ExportEvent[]): Map<string, string> {
  const reps = new Map<string, string>();
  for (const e of events) {
    const rep = assignedEventData(e)?.rep;
    if (rep !== undefined && e.handoffId !== null && !reps.has(e.handoffId)) reps.set(e.handoffId, rep);
  }
  return reps;
}

function group<T extends { leadId: string }>(rows: readonly T[]): Map<string, T[]> {
  const by = new Map<string, T[]>();
  for (const r of rows) {
    const list = by.get(r.leadId);
    if (list) list.push(r);
    else by.set(r.leadId, [r]);
  }
  return by;
}

/**
 * Every lead of the workspace as an import line: its fields, activities and
 * stage history, so that importing the export into an empty database gives the same reports.
 * Read a page at a time, so memory stays bounded whatever the number of leads.
 */
export async function* exportLeads(ctx: ServiceContext): AsyncGenerator<Record<string, unknown>> {
  let after: string | undefined;
  for (;;) {
    const page = await exportPage(ctx.db, ctx.workspaceId, after, PAGE);
    if (page.leads.length === 0) return;
    after = page.leads[page.leads.length - 1]!.id;
    const reps = firstReps(page.events);
    const handoffs = new Map(page.handoffs.map((h) => [h.id, h]));
    const events = group(page.events);
    const acts = group(page.activities);
    for (const lead of page.leads) {
      const line: Record<string, unknown> = { source: lead.source };
      for (const key of FIELDS) if (lead[key] !== null) line[key] = lead[key];
      // The company domain as the lead has it, so one learnt from a website survives the round trip.
      if (lead.accountDomain !== null) line.domain = lead.accountDomain;
      line.createdAt = lead.createdAt.toISOString();
      line.activities = (acts.get(lead.id) ?? []).map((a) => ({ type: a.type, at: a.at.toISOString() }));
      line.history = historyFromEvents(
        (events.get(lead.id) ?? []).map((e) => {
          const h = e.handoffId !== null ? handoffs.get(e.handoffId) : undefined;
          return { ...e, handoff: h && { teamId: h.teamId, rejectNote: h.rejectNote, firstRep: reps.get(h.id) } };
        }),
      );
      yield line;
    }
  }
}
