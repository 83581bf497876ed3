import { randomUUID } from 'node:crypto';
import type { Policy, TeamPolicy, TierPolicy } from '../config/policy.js';
import { DomainError } from '../domain/errors.js';
import type { LeadProfile } from '../domain/lead.js';
import { assertTransition, type Stage } from '../domain/lifecycle.js';
import {
  capOf,
  routeLead,
  selectTeam,
  teamsInvolved,
  type RepTally,
  type RoutableLead,
  type RoutingFacts,
  type RoutingWhy,
} from '../domain/routing.js';
import { dueAt, freezeTier, scheduleSteps, selectTier, stepRecipients, type SlaPlan } from '../domain/sla.js';
import { calendarForTeam, teamById } from '../domain/teams.js';
import type { DbOrTx, Tx } from '../db/client.js';
import { writeTogether, type Write } from '../db/repo/bulk.js';
import { eventsInsert, type NewEvent } from '../db/repo/events.js';
import { handoffsInsert, nextHandoffSeq, type HandoffRow } from '../db/repo/handoffs.js';
import { moveLeadStage } from '../db/repo/leads.js';
import { outboxInsert, type NewOutboxRow } from '../db/repo/outbox.js';
import { stepsInsert, type NewSlaStep } from '../db/repo/sla-steps.js';
import {
  accountOwners,
  awayUsers,
  lockRoundRobin,
  openCounts,
  readRoundRobin,
  saveRoundRobin,
} from '../db/repo/routing.js';
import type { ServiceContext } from './context.js';
import { HUBSPOT_SOURCE, hubspotWriteBack } from './hubspot-writeback.js';
import { delivery } from './delivery-catalogue.js';

export interface Assignment {
  team: TeamPolicy;
  repUserId: string;
  via: string;
  /** Why this rep (docs/scoring-and-routing.md): recorded on the `assigned` event; none for imported history. */
  why?: RoutingWhy | undefined;
}

type Counters = Readonly<Record<string, Readonly<Record<string, RepTally>>>>;

/** What routing read, and the teams' counters, locked for the rest of the transaction. */
export interface RoutingLock {
  facts: RoutingFacts;
  counters: Counters;
}

/** Reps of these teams who have a cap on open handoffs, each once, with their cap. */
export function cappedReps(teams: readonly TeamPolicy[]): { user: string; cap: number }[] {
  const caps = new Map<string, number>();
  for (const team of teams) {
    for (const rep of team.reps) {
      const cap = capOf(team, rep);
      if (cap !== undefined && !caps.has(rep.user)) caps.set(rep.user, cap);
    }
  }
  return [...caps].map(([user, cap]) => ({ user, cap }));
}

/**
 * Routing (docs/scoring-and-routing.md), first half. The account owners of the leads' companies are read first (they
 * may name another team), then only the teams a lead may go to have their counters locked — in
 * one statement, in a fixed order, so transactions assigning at once take turns instead of handing
 * two leads the same "next" rep, and never deadlock. Who is away and the open handoffs of capped
 * reps go in the same round trip, the counts after the lock so that they see the batch committed
 * before it. A caller that has read the owners already (the intake, with its first statements)
 * passes them in: they must cover every routable lead's account domain.
 */
export async function lockRouting(
  ctx: ServiceContext,
  tx: DbOrTx,
  leads: readonly RoutableLead[],
  at: Date,
  opts: { lock: boolean; owners?: ReadonlyMap<string, string> } = { lock: true },
): Promise<RoutingLock> {
  const { policy, workspaceId } = ctx;
  if (leads.length === 0) return { facts: { away: new Set(), open: {}, accountOwners: new Map() }, counters: {} };
  const owners =
    opts.owners ??
    (await accountOwners(
      tx,
      workspaceId,
      leads.flatMap((l) =>
        l.profile.accountDomain !== undefined && selectTeam(policy, l.profile, l.score).accounts.match
          ? [l.profile.accountDomain]
          : [],
      ),
    ));
  const teams = [...new Map(leads.flatMap((l) => teamsInvolved(policy, l, owners)).map((t) => [t.id, t])).values()];
  const capped = cappedReps(teams);
  const counterKeys = teams.map((t) => ({ teamId: t.id, reps: t.reps.map((r) => r.user) }));
  const [away, locked, open] = await Promise.all([
    awayUsers(
      tx,
      workspaceId,
      at,
      policy.teams.flatMap((t) => t.reps.map((r) => r.user)),
    ),
    opts.lock
      ? lockRoundRobin(tx, workspaceId, counterKeys)
      : readRoundRobin(tx, workspaceId, counterKeys).then((counters) => ({ counters, created: false })),
    openCounts(tx, workspaceId, capped),
  ]);
  // Counters created just now were locked only after the counts were read: count again.
  const counted = locked.created ? await openCounts(tx, workspaceId, capped) : open;
  return { facts: { away, open: counted, accountOwners: owners }, counters: locked.counters };
}

/** Second half, plain data: each lead's rep and why, and the counters to write back. */
export function assignUnderLock(
  policy: Policy,
  lock: RoutingLock,
  leads: readonly RoutableLead[],
): { assignments: Assignment[]; counters: Record<string, Record<string, RepTally>> } {
  const counters: Record<string, Record<string, RepTally>> = Object.fromEntries(
    Object.entries(lock.counters).map(([team, c]) => [team, { ...c }]),
  );
  const facts = { ...lock.facts, open: { ...lock.facts.open } };
  const assignments = leads.map((l): Assignment => {
    const { team, repUserId, ...why } = routeLead(policy, l, facts, counters);
    return { team, repUserId, via: why.rule, why };
  });
  return { assignments, counters };
}

/** Routes leads and writes the counters back: the two halves for a caller with nothing to send alongside. */
export async function assignLeads(
  ctx: ServiceContext,
  tx: Tx,
  leads: readonly RoutableLead[],
  at: Date,
): Promise<Assignment[]> {
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
  fromStage: Stage;
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

/** A rep's SLA steps on a handoff, as rows, from when their clock started. */
export function stepRows(
  policy: Policy,
  handoff: { id: string; workspaceId: string; slaPlan: SlaPlan },
  team: TeamPolicy,
  repUserId: string,
  clockStart: Date,
  firstRep: boolean,
): NewSlaStep[] {
  return scheduleSteps(
    handoff.slaPlan,
    calendarForTeam(policy, team),
    clockStart,
    repUserId,
    stepRecipients(policy, team, repUserId),
    { firstRep },
  ).map((s) => ({ ...s, workspaceId: handoff.workspaceId, handoffId: handoff.id }));
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
  assertTransition(input.fromStage, 'mql');
  const calendar = calendarForTeam(policy, assignment.team);
  const plan = frozenTier(
    selectTier(policy.sla.tiers, input.profile, policy.regions, input.score),
    calendar.hoursPerBusinessDay,
  );
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
    {
      workspaceId,
      leadId: input.lead.id,
      handoffId: handoff.id,
      type: 'handoff_started',
      fromStage: input.fromStage,
      toStage: 'mql',
      at: input.at,
      actor: input.actor,
      reason: input.reason,
      data: { score: input.score, tier: plan.tierId },
    },
    {
      workspaceId,
      leadId: input.lead.id,
      handoffId: handoff.id,
      type: 'assigned',
      at: input.at,
      actor: input.actor,
      data: { team: assignment.team.id, rep: assignment.repUserId, via: assignment.via, ...assignment.why },
    },
  ];
  const deliveries: NewOutboxRow[] = input.notify
    ? [
        delivery(ctx, 'post_card', { handoffId: handoff.id, teamChannel: assignment.team.channel }),
        delivery(ctx, 'post_marketing_note', { handoffId: handoff.id }),
        ...(input.profile.source === HUBSPOT_SOURCE
          ? hubspotWriteBack(ctx, handoff.id, `assigned:${assignment.repUserId}`)
          : []),
      ]
    : [];
  // History brought in by an import posts nothing, so it escalates nothing either.
  const steps = input.notify ? stepRows(policy, handoff, assignment.team, assignment.repUserId, input.at, true) : [];
  return { handoff, events, deliveries, steps };
}

/** Planned handoffs as writes, one per table however many handoffs: to go out as one statement. */
export function handoffWrites(planned: readonly PlannedHandoff[]): (Write | undefined)[] {
  return [
    handoffsInsert(planned.map((p) => p.handoff)),
    eventsInsert(planned.flatMap((p) => p.events)),
    outboxInsert(planned.flatMap((p) => p.deliveries)),
    stepsInsert(planned.flatMap((p) => p.steps)),
  ];
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
  const planned = planHandoff(
    ctx,
    { ...input, seq: input.seq ?? (await nextHandoffSeq(tx, input.lead.id)) },
    assignment,
  );
  await writeHandoffs(tx, [planned]);
  if (!(await moveLeadStage(tx, input.lead.id, input.fromStage, 'mql'))) {
    throw new DomainError('conflict', 'The lead changed stage while its handoff was starting; try again.');
  }
  return planned.handoff;
}
