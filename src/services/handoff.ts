import type { CalendarPolicy, Policy, TeamPolicy } from '../config/policy.js';
import { DomainError } from '../domain/errors.js';
import type { LeadProfile } from '../domain/lead.js';
import { assertTransition, type Stage } from '../domain/lifecycle.js';
import { ownerHintRep, pickRep, selectTeam } from '../domain/routing.js';
import { dueAt, freezeTier, selectTier } from '../domain/sla.js';
import type { Tx } from '../db/client.js';
import { appendEvents } from '../db/repo/events.js';
import { insertHandoff, nextHandoffSeq, type HandoffRow } from '../db/repo/handoffs.js';
import { moveLeadStage, type LeadRow } from '../db/repo/leads.js';
import { enqueue } from '../db/repo/outbox.js';
import { awayUsers, lockRoundRobin, saveRoundRobin } from '../db/repo/routing.js';
import type { ServiceContext } from './context.js';

export function calendarForTeam(policy: Policy, team: TeamPolicy): CalendarPolicy {
  return team.calendar !== undefined ? (policy.calendars[team.calendar] ?? policy.calendar) : policy.calendar;
}

export function teamById(policy: Policy, teamId: string): TeamPolicy | undefined {
  return policy.teams.find((t) => t.id === teamId);
}

interface Assignment {
  team: TeamPolicy;
  repUserId: string;
  via: string;
}

/**
 * Routes a lead: the team (or the owner's team) is chosen from plain data first, then only that
 * team's round-robin counters are locked, for as short a time as the transaction has left.
 * With every rep away the lead goes to the manager rather than nowhere.
 */
async function assign(ctx: ServiceContext, tx: Tx, profile: LeadProfile, score: number, at: Date): Promise<Assignment> {
  const { policy, workspaceId } = ctx;
  const everyRep = policy.teams.flatMap((t) => t.reps.map((r) => r.user));
  const away = await awayUsers(tx, workspaceId, at, everyRep);
  const available = (user: string): boolean => !away.has(user);
  const hinted = ownerHintRep(policy, profile.ownerHint, available);
  const team = hinted?.team ?? selectTeam(policy, profile, score);
  const state = await lockRoundRobin(tx, workspaceId, team.id, team.reps.map((r) => r.user));
  if (hinted) {
    // The owner's lead still counts towards their share, or owners would be assigned twice as much.
    await saveRoundRobin(tx, workspaceId, team.id, { ...state, [hinted.rep.user]: (state[hinted.rep.user] ?? 0) + 1 }, state);
    return { team, repUserId: hinted.rep.user, via: 'owner_hint' };
  }
  const picked = pickRep(team, state, available);
  if (!picked) return { team, repUserId: team.manager, via: 'manager_fallback' };
  await saveRoundRobin(tx, workspaceId, team.id, picked.nextState, state);
  return { team, repUserId: picked.rep.user, via: 'round_robin' };
}

export interface StartHandoffInput {
  lead: LeadRow;
  profile: LeadProfile;
  score: number;
  at: Date;
  fromStage: string;
  reason: string;
  actor: string;
  /** Post the card and the marketing note (live intake); an import of history posts nothing. */
  notify: boolean;
  /** Known to the caller for a lead created in this transaction (1): saves a query. */
  seq?: number | undefined;
  /** Given by an import: the team and rep that historically held the lead. */
  assigned?: { teamId: string; repUserId: string };
}

/**
 * A lead becomes an MQL: a handoff starts, is assigned, and gets its SLA tier frozen — the lead's
 * stage, the events and the Slack deliveries are written in the caller's transaction.
 */
export async function startHandoff(ctx: ServiceContext, tx: Tx, input: StartHandoffInput): Promise<HandoffRow> {
  const { policy, workspaceId } = ctx;
  assertTransition(input.fromStage as Stage, 'mql');
  let assignment: Assignment;
  if (input.assigned) {
    const team = teamById(policy, input.assigned.teamId);
    if (!team) throw new DomainError('validation_failed', `Team "${input.assigned.teamId}" is not in the policy.`);
    assignment = { team, repUserId: input.assigned.repUserId, via: 'import' };
  } else {
    assignment = await assign(ctx, tx, input.profile, input.score, input.at);
  }
  const calendar = calendarForTeam(policy, assignment.team);
  const plan = freezeTier(selectTier(policy.sla.tiers, input.profile, policy.regions, input.score), calendar.hoursPerBusinessDay);
  const due = dueAt(plan, calendar, input.at);

  const handoff = await insertHandoff(tx, {
    workspaceId,
    leadId: input.lead.id,
    seq: input.seq ?? (await nextHandoffSeq(tx, input.lead.id)),
    teamId: assignment.team.id,
    repUserId: assignment.repUserId,
    assignedVia: assignment.via,
    startedAt: input.at,
    firstAssignedAt: input.at,
    assignedAt: input.at,
    slaTierId: plan.tierId,
    slaPlan: plan,
    slaTargetMinutes: plan.targetMinutes,
    slaClock: plan.clock,
    dueAt: due,
  });
  if (!(await moveLeadStage(tx, input.lead.id, input.fromStage, 'mql'))) {
    throw new DomainError('conflict', 'The lead changed stage while its handoff was starting; try again.');
  }
  await appendEvents(tx, [
    { workspaceId, leadId: input.lead.id, handoffId: handoff.id, type: 'handoff_started', fromStage: input.fromStage, toStage: 'mql', at: input.at, actor: input.actor, reason: input.reason, data: { score: input.score, tier: plan.tierId } },
    { workspaceId, leadId: input.lead.id, handoffId: handoff.id, type: 'assigned', at: input.at, actor: input.actor, data: { team: assignment.team.id, rep: assignment.repUserId, via: assignment.via } },
  ]);
  if (input.notify) {
    await enqueue(tx, [
      { workspaceId, dedupeKey: `card:${handoff.id}`, kind: 'post_card', handoffId: handoff.id, channel: assignment.team.channel, payload: { handoffId: handoff.id } },
      { workspaceId, dedupeKey: `marketing_note:${handoff.id}`, kind: 'post_marketing_note', handoffId: handoff.id, channel: policy.marketing.channel, payload: { handoffId: handoff.id } },
    ]);
  }
  return handoff;
}
