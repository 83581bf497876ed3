import { randomUUID } from 'node:crypto';
import type { CalendarPolicy, Policy, RepPolicy, TeamPolicy, TierPolicy } from '../config/policy.js';
import { DomainError } from '../domain/errors.js';
import type { LeadProfile } from '../domain/lead.js';
import { assertTransition, type Stage } from '../domain/lifecycle.js';
import { ownerHintRep, pickRep, selectTeam } from '../domain/routing.js';
import { dueAt, freezeTier, scheduleSteps, selectTier, type SlaPlan, type StepRecipients } from '../domain/sla.js';
import type { Tx } from '../db/client.js';
import { writeTogether, type Write } from '../db/repo/bulk.js';
import { eventsInsert, type NewEvent } from '../db/repo/events.js';
import { handoffsInsert, nextHandoffSeq, type HandoffRow } from '../db/repo/handoffs.js';
import { moveLeadStage } from '../db/repo/leads.js';
import { outboxInsert, type NewOutboxRow } from '../db/repo/outbox.js';
import { stepsInsert, type NewSlaStep } from '../db/repo/sla-steps.js';
import { awayUsers, lockRoundRobin, saveRoundRobin } from '../db/repo/routing.js';
import type { ServiceContext } from './context.js';

export function calendarForTeam(policy: Policy, team: TeamPolicy): CalendarPolicy {
  return team.calendar !== undefined ? (policy.calendars[team.calendar] ?? policy.calendar) : policy.calendar;
}

export function teamById(policy: Policy, teamId: string): TeamPolicy | undefined {
  return policy.teams.find((t) => t.id === teamId);
}

export interface Assignment {
  team: TeamPolicy;
  repUserId: string;
  via: string;
}

/** The team a lead goes to: its available CRM owner's, else the first whose criteria match. */
function routeTeam(policy: Policy, profile: LeadProfile, score: number, available: (user: string) => boolean): { team: TeamPolicy; hinted: RepPolicy | undefined } {
  const hinted = ownerHintRep(policy, profile.ownerHint, available);
  return hinted ? { team: hinted.team, hinted: hinted.rep } : { team: selectTeam(policy, profile, score), hinted: undefined };
}

/**
 * Picks the rep within the routed team and advances the team's counters in `state` (the caller
 * holds their lock). The owner's lead still counts towards their share, or owners would be
 * assigned twice as much; with every rep away the lead goes to the manager rather than nowhere.
 */
function pickAssignment(route: { team: TeamPolicy; hinted: RepPolicy | undefined }, state: Record<string, number>, available: (user: string) => boolean): Assignment {
  const { team, hinted } = route;
  if (hinted) {
    state[hinted.user] = (state[hinted.user] ?? 0) + 1;
    return { team, repUserId: hinted.user, via: 'owner_hint' };
  }
  const picked = pickRep(team, state, available);
  if (!picked) return { team, repUserId: team.manager, via: 'manager_fallback' };
  Object.assign(state, picked.nextState);
  return { team, repUserId: picked.rep.user, via: 'round_robin' };
}

type Routable = { profile: LeadProfile; score: number };

/** Who is away and the teams' counters, locked for the rest of the transaction. */
export interface RoutingLock {
  away: ReadonlySet<string>;
  counters: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * Routing (docs/scoring-and-routing.md), first half: teams are chosen from plain data first, then only those teams'
 * round-robin counters are locked — in one statement, in a fixed order, so transactions assigning
 * at once take turns instead of handing two leads the same "next" rep, and never deadlock. Who is
 * away decides between an owner's team and the matched one, so both are locked.
 */
export async function lockRouting(ctx: ServiceContext, tx: Tx, leads: readonly Routable[], at: Date): Promise<RoutingLock> {
  const { policy, workspaceId } = ctx;
  if (leads.length === 0) return { away: new Set(), counters: {} };
  const candidates = leads.flatMap((l) => [routeTeam(policy, l.profile, l.score, () => true).team, selectTeam(policy, l.profile, l.score)]);
  const teams = [...new Map(candidates.map((t) => [t.id, t])).values()];
  const [away, counters] = await Promise.all([
    awayUsers(tx, workspaceId, at, policy.teams.flatMap((t) => t.reps.map((r) => r.user))),
    lockRoundRobin(tx, workspaceId, teams.map((t) => ({ teamId: t.id, reps: t.reps.map((r) => r.user) }))),
  ]);
  return { away, counters };
}

/** Second half, plain data: each lead's rep, and the counters to write back. */
export function assignUnderLock(policy: Policy, lock: RoutingLock, leads: readonly Routable[]): { assignments: Assignment[]; counters: Record<string, Record<string, number>> } {
  const available = (user: string): boolean => !lock.away.has(user);
  const counters: Record<string, Record<string, number>> = Object.fromEntries(Object.entries(lock.counters).map(([team, c]) => [team, { ...c }]));
  const assignments = leads.map((l) => {
    const route = routeTeam(policy, l.profile, l.score, available);
    return pickAssignment(route, counters[route.team.id]!, available);
  });
  return { assignments, counters };
}

/** Routes leads and writes the counters back: the two halves for a caller with nothing to send alongside. */
export async function assignLeads(ctx: ServiceContext, tx: Tx, leads: readonly Routable[], at: Date): Promise<Assignment[]> {
  const lock = await lockRouting(ctx, tx, leads, at);
  const { assignments, counters } = assignUnderLock(ctx.policy, lock, leads);
  await saveRoundRobin(tx, ctx.workspaceId, counters, lock.counters);
  return assignments;
}

export interface StartHandoffInput {
  lead: { id: string };
  profile: LeadProfile;
  score: number;
  at: Date;
  fromStage: string;
  reason: string;
  actor: string;
  /** Post the card and the marketing note (live intake); an import of history posts nothing. */
  notify: boolean;
  /** The lead's handoff number: 1 for a lead created in this transaction; looked up when unknown. */
  seq?: number | undefined;
  /** Given by an import: the team and rep that historically held the lead. */
  assigned?: { teamId: string; repUserId: string };
  /** The handoff's id, when the caller chooses it (an import's sort by time, src/db/ids.ts); else a random one. */
  id?: string | undefined;
}

/**
 * A lead becomes an MQL: a handoff starts, is assigned, and gets its SLA tier frozen — the lead's
 * stage, the events and the Slack deliveries are written in the caller's transaction.
 */
export interface PlannedHandoff {
  handoff: HandoffRow;
  events: NewEvent[];
  deliveries: NewOutboxRow[];
  steps: NewSlaStep[];
}

/** Whose hours each kind of SLA message waits for, on this team. */
export function stepRecipients(policy: Policy, team: TeamPolicy, repUserId: string): StepRecipients {
  const calendar = calendarForTeam(policy, team);
  return { repZone: team.reps.find((r) => r.user === repUserId)?.timeZone ?? calendar.timeZone, managerZone: calendar.timeZone, marketingZone: policy.calendar.timeZone };
}

/** A rep's SLA steps on a handoff, as rows, from when their clock started. */
export function stepRows(policy: Policy, handoff: { id: string; workspaceId: string; slaPlan: unknown }, team: TeamPolicy, repUserId: string, clockStart: Date, firstRep: boolean): NewSlaStep[] {
  return scheduleSteps(handoff.slaPlan as SlaPlan, calendarForTeam(policy, team), clockStart, repUserId, stepRecipients(policy, team, repUserId), { firstRep }).map((s) => ({ ...s, workspaceId: handoff.workspaceId, handoffId: handoff.id }));
}

const frozenTiers = new WeakMap<TierPolicy, Map<number, SlaPlan>>();

/** A tier frozen for a calendar's length of day: the same plan for every handoff on it, so made once and shared (plans are read-only). */
function frozenTier(tier: TierPolicy, hoursPerBusinessDay: number): SlaPlan {
  let byHours = frozenTiers.get(tier);
  if (byHours === undefined) frozenTiers.set(tier, (byHours = new Map<number, SlaPlan>()));
  let plan = byHours.get(hoursPerBusinessDay);
  if (plan === undefined) byHours.set(hoursPerBusinessDay, (plan = freezeTier(tier, hoursPerBusinessDay)));
  return plan;
}

/**
 * What starting a handoff writes, as rows: the handoff with its SLA tier frozen (later policy
 * edits apply to new handoffs only), its events, and — live — the card and the marketing note.
 * Plain data, so one lead or a batch of them is written the same way.
 */
export function planHandoff(ctx: ServiceContext, input: StartHandoffInput, assignment: Assignment): PlannedHandoff {
  const { policy, workspaceId } = ctx;
  assertTransition(input.fromStage as Stage, 'mql');
  const calendar = calendarForTeam(policy, assignment.team);
  const plan = frozenTier(selectTier(policy.sla.tiers, input.profile, policy.regions, input.score), calendar.hoursPerBusinessDay);
  const handoff: HandoffRow = {
    id: input.id ?? randomUUID(),
    workspaceId,
    leadId: input.lead.id,
    seq: input.seq ?? 1,
    status: 'pending',
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
    dueAt: dueAt(plan, calendar, input.at),
    decidedAt: null,
    decidedBy: null,
    rejectReason: null,
    rejectNote: null,
    outcome: null,
    escalationAckedBy: null,
    escalationAckedAt: null,
  };
  const events: NewEvent[] = [
    { workspaceId, leadId: input.lead.id, handoffId: handoff.id, type: 'handoff_started', fromStage: input.fromStage, toStage: 'mql', at: input.at, actor: input.actor, reason: input.reason, data: { score: input.score, tier: plan.tierId } },
    { workspaceId, leadId: input.lead.id, handoffId: handoff.id, type: 'assigned', at: input.at, actor: input.actor, data: { team: assignment.team.id, rep: assignment.repUserId, via: assignment.via } },
  ];
  const deliveries: NewOutboxRow[] = input.notify
    ? [
        { workspaceId, dedupeKey: `card:${handoff.id}`, kind: 'post_card', handoffId: handoff.id, channel: assignment.team.channel, payload: { handoffId: handoff.id } },
        { workspaceId, dedupeKey: `marketing_note:${handoff.id}`, kind: 'post_marketing_note', handoffId: handoff.id, channel: policy.marketing.channel, payload: { handoffId: handoff.id } },
      ]
    : [];
  // History brought in by an import posts nothing, so it escalates nothing either.
  const steps = input.notify ? stepRows(policy, handoff, assignment.team, assignment.repUserId, input.at, true) : [];
  return { handoff, events, deliveries, steps };
}

/** Planned handoffs as writes, one per table however many handoffs: to go out as one statement. */
export function handoffWrites(planned: readonly PlannedHandoff[]): (Write | undefined)[] {
  return [handoffsInsert(planned.map((p) => p.handoff)), eventsInsert(planned.flatMap((p) => p.events)), outboxInsert(planned.flatMap((p) => p.deliveries)), stepsInsert(planned.flatMap((p) => p.steps))];
}

export async function writeHandoffs(tx: Tx, planned: readonly PlannedHandoff[]): Promise<void> {
  await writeTogether(tx, handoffWrites(planned));
}

/**
 * A known lead becomes an MQL (again): a handoff starts and is assigned, and the lead's stage,
 * the events and the Slack deliveries are written in the caller's transaction.
 */
export async function startHandoff(ctx: ServiceContext, tx: Tx, input: StartHandoffInput): Promise<HandoffRow> {
  let assignment: Assignment;
  if (input.assigned) {
    const team = teamById(ctx.policy, input.assigned.teamId);
    if (!team) throw new DomainError('validation_failed', `Team "${input.assigned.teamId}" is not in the policy.`);
    assignment = { team, repUserId: input.assigned.repUserId, via: 'import' };
  } else {
    [assignment] = (await assignLeads(ctx, tx, [input], input.at)) as [Assignment];
  }
  const planned = planHandoff(ctx, { ...input, seq: input.seq ?? (await nextHandoffSeq(tx, input.lead.id)) }, assignment);
  await writeHandoffs(tx, [planned]);
  if (!(await moveLeadStage(tx, input.lead.id, input.fromStage, 'mql'))) {
    throw new DomainError('conflict', 'The lead changed stage while its handoff was starting; try again.');
  }
  return planned.handoff;
}
