import type { TeamPolicy } from '../config/policy.js';
import { DomainError } from '../domain/errors.js';
import { creditBack, eligibleIn, pickRep } from '../domain/routing.js';
import { dueAt, nextRepeat, performAt, type SlaPlan } from '../domain/sla.js';
import type { Tx } from '../db/client.js';
import { writeTogether } from '../db/repo/bulk.js';
import { appendEvents, eventsInsert, type NewEvent } from '../db/repo/events.js';
import { acknowledgeEscalation, findHandoff, moveHandoff, overdueHandoffs, pastHolders, pendingHandoffsOf, type HandoffRow } from '../db/repo/handoffs.js';
import { enqueue, outboxInsert, type NewOutboxRow } from '../db/repo/outbox.js';
import { awayUsers, lockRoundRobin, openCounts, saveRoundRobin } from '../db/repo/routing.js';
import { cancelPendingSteps, cancelStepsOfOthers, claimDueSteps, finishSteps, stepsInsert, type NewSlaStep } from '../db/repo/sla-steps.js';
import type { ServiceContext } from './context.js';
import { calendarForTeam, cappedReps, stepRecipients, stepRows, teamById } from './handoff.js';

/** Why a handoff changed hands: a breach and a manager's call count against the rep; going away does not. */
export type ReassignReason = 'breach' | 'manager' | 'away';

/** Outbox kinds the escalation queues; src/slack/deliveries/escalation.ts delivers them. */
export const ESCALATION_KINDS = { remindRep: 'sla_remind_rep', notifyManager: 'sla_notify_manager', breachNote: 'sla_breach_note', reassigned: 'sla_reassigned', teamDigest: 'sla_team_digest' } as const;

const SWEEP_BATCH = 100;

interface Writes {
  events: NewEvent[];
  deliveries: NewOutboxRow[];
  steps: NewSlaStep[];
}

/**
 * Moves a pending handoff to the next rep of its team by the round robin, never to a rep who held
 * it before or is away (SPEC §5). The new rep's clock starts now — their card says when they must
 * decide — while reports keep timing the handoff from its first assignment. The old rep's steps
 * are cancelled and the new rep's scheduled. Undefined when nobody else can take it.
 */
async function reassign(ctx: ServiceContext, tx: Tx, h: HandoffRow, team: TeamPolicy, reason: ReassignReason, actor: string, now: Date, out: Writes): Promise<string | undefined> {
  const { policy, workspaceId } = ctx;
  const held = await pastHolders(tx, h.id);
  held.add(h.repUserId);
  const away = await awayUsers(tx, workspaceId, now, team.reps.map((r) => r.user));
  const { counters: before } = await lockRoundRobin(tx, workspaceId, [{ teamId: team.id, reps: team.reps.map((r) => r.user) }]);
  // A rep at their cap takes no reassigned lead either (SPEC §4, capacity).
  const open = await openCounts(tx, workspaceId, cappedReps([team]));
  const picked = pickRep(team, before[team.id] ?? {}, eligibleIn(team, { away, open }), held);
  if (!picked) return undefined;
  // The lead counts for the rep who gets it; against the one who breached; not against one who went away.
  const after = reason === 'away' ? creditBack(picked.nextState, h.repUserId) : picked.nextState;
  const to = picked.rep.user;
  const moved = await moveHandoff(tx, h.id, h.repUserId, { repUserId: to, at: now, dueAt: dueAt(h.slaPlan as SlaPlan, calendarForTeam(policy, team), now), via: `reassigned_${reason}` });
  if (!moved) return undefined;
  await saveRoundRobin(tx, workspaceId, { [team.id]: after }, before);
  await cancelStepsOfOthers(tx, h.id, to, now);
  out.steps.push(...stepRows(policy, h, team, to, now, false));
  out.events.push({ workspaceId, leadId: h.leadId, handoffId: h.id, type: 'reassigned', at: now, actor, reason, data: { from: h.repUserId, to, team: team.id } });
  out.deliveries.push(
    { workspaceId, dedupeKey: `update_card:${h.id}:reassigned:${to}`, kind: 'update_card', handoffId: h.id, channel: null, payload: { handoffId: h.id } },
    { workspaceId, dedupeKey: `reassigned:${h.id}:${to}`, kind: ESCALATION_KINDS.reassigned, handoffId: h.id, channel: to, payload: { handoffId: h.id, user: to, from: h.repUserId, reason } },
  );
  return to;
}

async function flush(tx: Tx, out: Writes): Promise<void> {
  await writeTogether(tx, [eventsInsert(out.events), outboxInsert(out.deliveries), stepsInsert(out.steps)]);
}

/**
 * One pass over due steps, in one transaction: each claimed step is performed (its events and
 * Slack deliveries written) and marked done together, so it happens exactly once however many
 * replicas sweep and whenever one dies. Steps of a handoff that was decided or moved on are
 * cancelled instead.
 */
async function sweepOnce(ctx: ServiceContext, tx: Tx): Promise<number> {
  const { policy, workspaceId } = ctx;
  const now = ctx.now();
  const claimed = await claimDueSteps(tx, workspaceId, now, SWEEP_BATCH);
  const out: Writes = { events: [], deliveries: [], steps: [] };
  const done: number[] = [];
  const cancelled: number[] = [];
  // A reassignment earlier in this batch moves the handoff on for the steps after it.
  const currentRep = new Map<string, string>();
  for (const { step, handoff: h } of claimed) {
    const team = teamById(policy, h.teamId);
    const rep = currentRep.get(h.id) ?? h.repUserId;
    if (h.status !== 'pending' || rep !== step.repUserId || !team || (step.action === 'notify_manager' && h.escalationAckedAt !== null)) {
      cancelled.push(step.id);
      continue;
    }
    const event = (type: string, data: Record<string, unknown>): NewEvent => ({ workspaceId, leadId: h.leadId, handoffId: h.id, type, at: now, actor: 'baton', data: { step: step.stepIndex, occurrence: step.occurrence, dueAt: step.dueAt.toISOString(), ...data } });
    const deliver = (kind: string, channel: string | null, payload: Record<string, unknown>): NewOutboxRow => ({ workspaceId, dedupeKey: `sla_step:${step.id}`, kind, handoffId: h.id, channel, payload: { handoffId: h.id, ...payload } });
    switch (step.action) {
      case 'remind_rep':
        out.events.push(event('sla_reminder', { rep }));
        out.deliveries.push(deliver(ESCALATION_KINDS.remindRep, rep, { user: rep }));
        break;
      case 'notify_manager': {
        out.events.push(event('sla_escalated', { rep, manager: team.manager }));
        out.deliveries.push(deliver(ESCALATION_KINDS.notifyManager, team.manager, { user: team.manager, occurrence: step.occurrence }));
        const plan = h.slaPlan as SlaPlan;
        const planStep = plan.steps[step.stepIndex];
        const cal = calendarForTeam(policy, team);
        const again = planStep ? nextRepeat(plan, planStep, cal, step.dueAt) : undefined;
        // Repeats until someone acts: the next notice is a row of its own, performed once too.
        if (again) out.steps.push({ workspaceId, handoffId: h.id, stepIndex: step.stepIndex, occurrence: step.occurrence + 1, action: 'notify_manager', repUserId: rep, dueAt: performAt(plan, cal, 'notify_manager', again, stepRecipients(policy, team, rep)) });
        break;
      }
      case 'notify_marketing':
        out.events.push(event('sla_breached', { rep }));
        out.deliveries.push(deliver(ESCALATION_KINDS.breachNote, policy.marketing.channel, { rep }));
        break;
      case 'reassign': {
        const to = await reassign(ctx, tx, { ...h, repUserId: rep }, team, 'breach', 'baton', now, out);
        if (to !== undefined) currentRep.set(h.id, to);
        else out.events.push(event('reassign_skipped', { rep, why: 'nobody else in the team can take it' }));
        break;
      }
    }
    done.push(step.id);
  }
  await flush(tx, out);
  await finishSteps(tx, done, cancelled, now);
  return claimed.length;
}

/** Performs every step that is due, batch after batch; returns how many steps were handled. */
export async function sweepSla(ctx: ServiceContext): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await ctx.db.transaction((tx) => sweepOnce(ctx, tx));
    total += n;
    if (n < SWEEP_BATCH) return total;
  }
}

async function managerHandoff(ctx: ServiceContext, tx: Tx, handoffId: string, userId: string, verb: string): Promise<{ h: HandoffRow; team: TeamPolicy }> {
  const h = await findHandoff(tx, handoffId);
  if (!h || h.workspaceId !== ctx.workspaceId) throw new DomainError('not_found', 'This lead is no longer in Baton.');
  const team = teamById(ctx.policy, h.teamId);
  if (!team) throw new DomainError('not_found', `Team "${h.teamId}" is no longer in the policy.`);
  if (team.manager !== userId) throw new DomainError('not_allowed', `Only ${team.name}'s manager <@${team.manager}> can ${verb} this lead.`);
  if (h.status !== 'pending') throw new DomainError('stale_card', `This lead was already ${h.status} by <@${h.decidedBy ?? 'someone'}>.`);
  return { h, team };
}

/** The manager takes up an escalation: its repeats stop. The first acknowledgement wins. */
export async function acknowledge(ctx: ServiceContext, handoffId: string, userId: string): Promise<{ kind: 'acknowledged' } | { kind: 'already'; by: string; at: Date }> {
  return ctx.db.transaction(async (tx) => {
    const { h } = await managerHandoff(ctx, tx, handoffId, userId, 'acknowledge');
    const now = ctx.now();
    if (!(await acknowledgeEscalation(tx, h.id, userId, now))) {
      const again = await findHandoff(tx, h.id);
      return { kind: 'already', by: again?.escalationAckedBy ?? 'someone', at: again?.escalationAckedAt ?? now };
    }
    await cancelPendingSteps(tx, h.id, now, { action: 'notify_manager' });
    await appendEvents(tx, [{ workspaceId: ctx.workspaceId, leadId: h.leadId, handoffId: h.id, type: 'escalation_acknowledged', at: now, actor: userId, data: { rep: h.repUserId } }]);
    return { kind: 'acknowledged' };
  });
}

/** The manager moves the lead to the next rep now (it counts against the rep who had it). */
export async function reassignByManager(ctx: ServiceContext, handoffId: string, userId: string): Promise<string> {
  return ctx.db.transaction(async (tx) => {
    const { h, team } = await managerHandoff(ctx, tx, handoffId, userId, 'reassign');
    const out: Writes = { events: [], deliveries: [], steps: [] };
    const to = await reassign(ctx, tx, h, team, 'manager', userId, ctx.now(), out);
    if (to === undefined) throw new DomainError('no_eligible_rep', `Nobody else in ${team.name} can take this lead now (everyone else is away, inactive or has had it).`);
    await flush(tx, out);
    return to;
  });
}

/** A rep going away hands their undecided leads on (credited back: they keep their share). */
export async function reassignAwayRep(ctx: ServiceContext, repUserId: string, actor: string): Promise<number> {
  let moved = 0;
  for (const h of await pendingHandoffsOf(ctx.db, ctx.workspaceId, repUserId)) {
    const team = teamById(ctx.policy, h.teamId);
    if (!team) continue;
    moved += await ctx.db.transaction(async (tx) => {
      const out: Writes = { events: [], deliveries: [], steps: [] };
      const to = await reassign(ctx, tx, h, team, 'away', actor, ctx.now(), out);
      await flush(tx, out);
      return to === undefined ? 0 : 1;
    });
  }
  return moved;
}

/**
 * The manager's digest of everything overdue in the team, oldest first — or that nothing is, which
 * is news too. Every replica's cron fires it; the key (team and minute) lets one through.
 */
export async function queueTeamDigest(ctx: ServiceContext, team: TeamPolicy, firedAt: Date): Promise<void> {
  const overdue = await overdueHandoffs(ctx.db, ctx.workspaceId, team.id, firedAt);
  const minute = new Date(Math.floor(firedAt.getTime() / 60_000) * 60_000).toISOString();
  await enqueue(ctx.db, [{ workspaceId: ctx.workspaceId, dedupeKey: `team_digest:${team.id}:${minute}`, kind: ESCALATION_KINDS.teamDigest, handoffId: null, channel: team.manager, payload: { teamId: team.id, user: team.manager, at: firedAt.toISOString(), handoffIds: overdue.map((h) => h.id) } }]);
}
