import { DomainError } from '../domain/errors.js';
import { assignedEventData, describeRouting, shortRepName } from '../domain/routing.js';
import { findLeadById, type LeadRow } from '../db/repo/leads.js';
import { leadByEmail, leadEvents, type LeadEventRow } from '../db/repo/history.js';
import type { ServiceContext } from './context.js';
import { loadHandoffView, type HandoffView } from './handoff-view.js';
import { userZone } from '../domain/teams.js';

/**
 * An event as the history shows it: `reason` is the policy's label for a rejection or lost reason,
 * else as stored; `detail` says to whom and why a lead was assigned.
 */
export type HistoryEntry = Omit<LeadEventRow, 'data'> & { detail?: string | null };

/** "<@U0EVA>: round-robin: Bo was away" for an assignment that recorded its reasons. */
function assignmentDetail(policy: ServiceContext['policy'], e: LeadEventRow): string | null {
  const assigned = assignedEventData(e);
  if (assigned?.why === undefined) return null;
  return `${shortRepName(policy, assigned.rep)}: ${describeRouting(assigned.why, (u) => shortRepName(policy, u))}`;
}

export interface LeadHistory {
  lead: LeadRow;
  /** The latest handoff, for the card; none when the lead never became an MQL. */
  handoff: HandoffView | undefined;
  /** Oldest first. */
  entries: HistoryEntry[];
  /** The asker's zone when Baton knows it, else the policy's. */
  zone: string;
}

/** `/baton lead EMAIL`: the lead's latest card and its whole history, or undefined when no lead has that email. */
export async function leadHistory(
  ctx: ServiceContext,
  askerId: string,
  email: string,
): Promise<LeadHistory | undefined> {
  // A lead's card carries personal data: only the people the policy names may look one up.
  const { policy } = ctx;
  const known = [
    ...policy.marketing.users.map((u) => u.user),
    ...policy.teams.flatMap((t) => [t.manager, ...t.reps.map((r) => r.user)]),
  ];
  if (!known.includes(askerId))
    throw new DomainError(
      'not_allowed',
      "Only the reps, managers and marketers in Baton's policy can look up a lead. Ask RevOps to add you.",
    );
  const found = await leadByEmail(ctx.db, ctx.workspaceId, email);
  if (!found) return undefined;
  const lead = await findLeadById(ctx.db, ctx.workspaceId, found.leadId);
  if (!lead) return undefined;
  const handoff = found.handoffId === null ? undefined : await loadHandoffView(ctx, found.handoffId);
  const labels = new Map([...ctx.policy.rejectionReasons, ...ctx.policy.lostReasons].map((r) => [r.id, r.label]));
  const entries = (await leadEvents(ctx.db, lead.id)).map(({ data, ...e }) => ({
    ...e,
    reason: e.reason === null ? null : (labels.get(e.reason) ?? e.reason),
    detail: assignmentDetail(policy, { ...e, data }),
  }));
  return { lead, handoff, entries, zone: userZone(ctx.policy, askerId) };
}
