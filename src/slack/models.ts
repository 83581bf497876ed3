import { describeRouting, shortRepName } from '../domain/routing.js';
import type { Policy } from '../config/policy.js';
import { leadDisplayName } from '../domain/lead.js';
import { formatBreakdown } from '../domain/scoring.js';
import type { HandoffView } from '../services/handoff-view.js';
import { elapsedOnClock } from '../domain/sla.js';
import {
  formatElapsed,
  type CardState,
  type HandedOn,
  type LeadCardModel,
  type MarketingNoteModel,
  type Progress,
} from './views/card.js';

const leadName = (view: HandoffView): string => leadDisplayName(view.lead);

const hoursPerDay = (view: HandoffView): number =>
  view.handoff.slaClock === 'business' ? view.calendar.hoursPerBusinessDay : 24;

export function slaLabel(view: HandoffView): string {
  return formatElapsed(view.handoff.slaTargetMinutes, hoursPerDay(view));
}

/** How long the decision took on the handoff's own clock, against its frozen target. */
export function decisionTiming(view: HandoffView): { elapsedLabel: string; withinSla: boolean } | undefined {
  const { handoff } = view;
  if (handoff.decidedAt === null) return undefined;
  const elapsed = elapsedOnClock(
    { clock: handoff.slaClock },
    view.calendar,
    handoff.firstAssignedAt,
    handoff.decidedAt,
  );
  return { elapsedLabel: formatElapsed(elapsed, hoursPerDay(view)), withinSla: elapsed <= handoff.slaTargetMinutes };
}

/** A step as the card and the thread show it; a lost reason is shown by its label. */
export function progressOf(p: { stage: string; by: string; reason: string | null }, policy: Policy): Progress {
  const label = p.reason === null ? undefined : (policy.lostReasons.find((r) => r.id === p.reason)?.label ?? p.reason);
  return { stage: p.stage, by: p.by, reasonLabel: label };
}

/**
 * For a lead that changed hands: the decider's own time since it reached them, and who missed the
 * SLA before them (a move for being away is no miss).
 */
function handedOn(view: HandoffView, decidedAt: Date): HandedOn | undefined {
  const { handoff, history } = view;
  if (history.moves.length === 0) return undefined;
  const own = elapsedOnClock({ clock: handoff.slaClock }, view.calendar, handoff.assignedAt, decidedAt);
  return {
    ownElapsedLabel: formatElapsed(own, hoursPerDay(view)),
    missedBy: [...new Set(history.moves.filter((m) => m.reason !== 'away').map((m) => m.from))],
  };
}

/** What sales did with the handoff, for the card and the marketing thread alike. */
export function decisionEvent(view: HandoffView, policy: Policy): Exclude<CardState, { kind: 'pending' }> | undefined {
  const { handoff } = view;
  const timing = decisionTiming(view);
  if (!timing || handoff.decidedAt === null || handoff.decidedBy === null) return undefined;
  if (handoff.status === 'accepted')
    return {
      kind: 'accepted',
      by: handoff.decidedBy,
      at: handoff.decidedAt,
      ...timing,
      stage: view.lead.stage,
      progress: view.progress && progressOf(view.progress, policy),
      handedOn: handedOn(view, handoff.decidedAt),
    };
  if (handoff.status === 'rejected') {
    const reason = policy.rejectionReasons.find((r) => r.id === handoff.rejectReason);
    return {
      kind: 'rejected',
      by: handoff.decidedBy,
      at: handoff.decidedAt,
      reasonLabel: reason?.label ?? handoff.rejectReason ?? 'no reason given',
      note: handoff.rejectNote,
      outcome: handoff.outcome ?? 'nurture',
    };
  }
  return undefined;
}

/** The card's view model, from what the store holds about one handoff. */
export function cardModel(view: HandoffView, policy: Policy): LeadCardModel {
  const { lead, handoff } = view;
  const pending = handoff.status === 'pending';
  const lastMove = view.history.moves.at(-1);
  return {
    handoffId: handoff.id,
    name: leadName(view),
    title: lead.title,
    company: lead.company,
    employees: lead.employees,
    country: lead.country,
    persona: lead.persona,
    channel: lead.channel,
    source: lead.source,
    email: lead.email,
    score: lead.score,
    breakdown: formatBreakdown(lead.scoreBreakdown),
    activities: [...view.activities].sort((a, b) => b.at.getTime() - a.at.getTime()),
    repUserId: handoff.repUserId,
    zone: view.calendar.timeZone,
    dueAt: handoff.dueAt,
    slaLabel: slaLabel(view),
    assignedVia: handoff.assignedVia,
    reassignedFrom: lastMove && { rep: lastMove.from, reason: lastMove.reason },
    overdue: pending && handoff.dueAt.getTime() <= view.now.getTime(),
    waitingFor:
      pending && view.team && view.history.stuck.some((s) => s.rep === handoff.repUserId)
        ? { manager: view.team.manager }
        : undefined,
    why: view.routing ? describeRouting(view.routing, (u) => shortRepName(policy, u)) : null,
    state: decisionEvent(view, policy) ?? { kind: 'pending' },
  };
}

export function marketingNoteModel(view: HandoffView, policy: Policy): MarketingNoteModel {
  return {
    handoffId: view.handoff.id,
    name: leadName(view),
    company: view.lead.company,
    score: view.lead.score,
    teamName: view.team?.name ?? view.handoff.teamId,
    repUserId: view.handoff.repUserId,
    slaLabel: slaLabel(view),
    dueAt: view.handoff.dueAt,
    zone: policy.calendar.timeZone,
  };
}
