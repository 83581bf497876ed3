import type { CalendarPolicy, RepPolicy, TeamPolicy } from '../config/policy.js';
import type { Activity } from '../domain/lead.js';
import { calendarForTeam, teamById } from '../domain/teams.js';
import { routingWhyOf, type RoutingWhy } from '../domain/routing.js';
import { latestProgress, routingDecision } from '../db/repo/events.js';
import {
  findHandoff,
  findSlackMessage,
  handoffHistory,
  moveSlackMessage,
  recordSlackMessage,
  type HandoffRow,
} from '../db/repo/handoffs.js';
import { findLeadById, listActivities, type LeadRow } from '../db/repo/leads.js';
import type { ServiceContext } from './context.js';

/** Everything a card, a note or a reply about one handoff is rendered from. */
export interface HandoffView {
  handoff: HandoffRow;
  lead: LeadRow;
  activities: Activity[];
  team: TeamPolicy | undefined;
  rep: RepPolicy | undefined;
  /** The zone the assigned rep reads times in: their own, else their team calendar's. */
  repTimeZone: string;
  calendar: CalendarPolicy;
  /** The latest step after acceptance (qualified, won, lost …), if any. */
  progress: { stage: string; by: string; reason: string | null } | undefined;
  /** Changes of hands, oldest first, and the reps for whom nobody else was left. */
  history: Awaited<ReturnType<typeof handoffHistory>>;
  /** When the view was loaded: what "overdue" is measured against. */
  now: Date;
  /** Why the handoff went to its first rep (docs/scoring-and-routing.md); none for imported history. */
  routing: RoutingWhy | undefined;
}

export async function loadHandoffView(ctx: ServiceContext, handoffId: string): Promise<HandoffView | undefined> {
  const handoff = await findHandoff(ctx.db, handoffId);
  if (!handoff) return undefined;
  const lead = await findLeadById(ctx.db, handoff.workspaceId, handoff.leadId);
  if (!lead) return undefined;
  const team = teamById(ctx.policy, handoff.teamId);
  const calendar = team ? calendarForTeam(ctx.policy, team) : ctx.policy.calendar;
  const rep = team?.reps.find((r) => r.user === handoff.repUserId);
  const progress = handoff.status === 'accepted' ? await latestProgress(ctx.db, handoff.id) : undefined;
  const routing = routingWhyOf(await routingDecision(ctx.db, handoff.id));
  return {
    handoff,
    lead,
    activities: await listActivities(ctx.db, lead.id),
    team,
    rep,
    repTimeZone: rep?.timeZone ?? calendar.timeZone,
    calendar,
    progress,
    history: await handoffHistory(ctx.db, handoff.id),
    now: ctx.now(),
    routing,
  };
}

export type MessageKind = 'card' | 'marketing_note';

export function postedMessage(
  ctx: ServiceContext,
  handoffId: string,
  kind: MessageKind,
): Promise<{ channel: string; ts: string } | undefined> {
  return findSlackMessage(ctx.db, handoffId, kind);
}

/** The message was posted again (the one at `fromTs` is gone from Slack): later edits go to the new one. */
export function replacePosted(
  ctx: ServiceContext,
  handoffId: string,
  kind: MessageKind,
  fromTs: string,
  to: { channel: string; ts: string },
): Promise<void> {
  return moveSlackMessage(ctx.db, { handoffId, kind, fromTs, ...to });
}

export function recordPosted(
  ctx: ServiceContext,
  handoffId: string,
  kind: MessageKind,
  channel: string,
  ts: string,
): Promise<void> {
  return recordSlackMessage(ctx.db, { workspaceId: ctx.workspaceId, handoffId, kind, channel, ts });
}
