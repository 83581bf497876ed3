import type { Policy } from '../config/policy.js';
import { formatBreakdown, type BreakdownLine } from '../domain/scoring.js';
import type { HandoffView } from '../services/handoff-view.js';
import { formatElapsed, type LeadCardModel, type MarketingNoteModel } from './views/card.js';

function leadName(view: HandoffView): string {
  const name = [view.lead.firstName, view.lead.lastName].filter((p) => p !== null && p !== '').join(' ');
  return name !== '' ? name : (view.lead.email ?? view.lead.company ?? 'Unnamed lead');
}

function slaLabel(view: HandoffView): string {
  const hoursPerDay = view.handoff.slaClock === 'business' ? view.calendar.hoursPerBusinessDay : 24;
  return formatElapsed(view.handoff.slaTargetMinutes, hoursPerDay);
}

/** The card's view model, from what the store holds about one handoff. */
export function cardModel(view: HandoffView): LeadCardModel {
  const { lead, handoff } = view;
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
    breakdown: formatBreakdown(lead.scoreBreakdown as BreakdownLine[]),
    activities: [...view.activities].sort((a, b) => b.at.getTime() - a.at.getTime()),
    repUserId: handoff.repUserId,
    repTimeZone: view.repTimeZone,
    dueAt: handoff.dueAt,
    slaLabel: slaLabel(view),
    assignedVia: handoff.assignedVia,
    state: { kind: 'pending' },
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
