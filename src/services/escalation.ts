import type { TeamPolicy } from '../config/policy.js';
import { DomainError, refuse, type Refusal } from '../domain/errors.js';
import { creditBack, eligibleIn, pickRep } from '../domain/routing.js';
import { dueAt, nextRepeat, noticeWindow, performAt, stepRecipients, type SlaFact } from '../domain/sla.js';
import { calendarForTeam, teamById } from '../domain/teams.js';
import type { Tx } from '../db/client.js';
import { writeTogether } from '../db/repo/bulk.js';
import { appendEvents, eventsInsert, type NewEvent } from '../db/repo/events.js';
import {
  acknowledgeEscalation,
  findHandoff,
  moveHandoff,
  overdueHandoffs,
  pastHolders,
  pendingHandoffsOf,
  type HandoffRow,
} from '../db/repo/handoffs.js';
import { enqueue, outboxInsert, type NewOutboxRow } from '../db/repo/outbox.js';
import { awayUsers, lockRoundRobin, openCounts, saveRoundRobin } from '../db/repo/routing.js';
import { addNotices, hasNotices, type NewSlaNotice } from '../db/repo/sla-notices.js';
import {
  cancelPendingSteps,
  cancelStepsOfOthers,
  claimDueSteps,
  finishSteps,
  stepsInsert,
  type ClaimedStep,
  type NewSlaStep,
} from '../db/repo/sla-steps.js';
import type { ServiceContext } from './context.js';
import { hubspotWriteBack } from './hubspot-writeback.js';
import { delivery } from './delivery-catalogue.js';
import { cappedReps, stepRows } from './handoff.js';

/** Why a handoff changed hands: a breach and a manager's call count against the rep; going away does not. */
export type ReassignReason = 'breach' | 'manager' | 'away';

/** Handoffs a sweep transaction takes, each with all its due steps. */
const SWEEP_BATCH = 100;
/** Notices to one person falling due within this window go out together, at its end. */
export const NOTICE_WINDOW_MS = 2 * 60_000;
/** A sweep performing a step this long after it fell due is catching up (downtime), and is logged as such. */
const CATCH_UP_MS = 60_000;

interface Writes {
  events: NewEvent[];
  deliveries: NewOutboxRow[];
  steps: NewSlaStep[];
  notices: NewSlaNotice[];
}

const noWrites = (): Writes => ({ events: [], deliveries: [], steps: [], notices: [] });

/**
 * Keeps the grouped notices that list a handoff up to date: queued whenever someone acts on it
 * (acknowledge, decide, reassign) so their buttons go and the outcome shows.
 */
export async function refreshNotices(
  ctx: ServiceContext,
  tx: Tx,
  handoffId: string,
  cause: string,
  at: Date,
): Promise<NewOutboxRow[]> {
  if (!(await hasNotices(tx, handoffId))) return [];
  return [delivery(ctx, 'sla_refresh_notices', { handoffId, cause, at: at.toISOString() })];
}

/**
 * Moves a pending handoff to the next rep of its team by the round robin, never to a rep who held
 * it before or is away (docs/sla.md, "Steps"). The new rep's clock starts now — their card says when they must
 * decide — while reports keep timing the handoff from its first assignment. The old rep's steps
 * are cancelled and the new rep's scheduled. Undefined when nobody else can take it. Who is told
 * is the caller's business: a sweep that catches up tells it together with what came before.
 */
async function reassign(
  ctx: ServiceContext,
  tx: Tx,
  h: HandoffRow,
  team: TeamPolicy,
  reason: ReassignReason,
  actor: string,
  now: Date,
  out: Writes,
): Promise<Extract<SlaFact, { kind: 'moved' }> | undefined> {
  const { policy, workspaceId } = ctx;
  const held = await pastHolders(tx, h.id);
  held.add(h.repUserId);
  const away = await awayUsers(
    tx,
    workspaceId,
    now,
    team.reps.map((r) => r.user),
  );
  const { counters: before } = await lockRoundRobin(tx, workspaceId, [
    { teamId: team.id, reps: team.reps.map((r) => r.user) },
  ]);
  // A rep at their cap takes no reassigned lead either (docs/scoring-and-routing.md, capacity).
  const open = await openCounts(tx, workspaceId, cappedReps([team]));
  const picked = pickRep(team, before[team.id] ?? {}, eligibleIn(team, { away, open }), held);
  if (!picked) return undefined;
  // The lead counts for the rep who gets it; against the one who breached; not against one who went away.
  const after = reason === 'away' ? creditBack(picked.nextState, h.repUserId) : picked.nextState;
  const to = picked.rep.user;
  const deadline = dueAt(h.slaPlan, calendarForTeam(policy, team), now);
  const moved = await moveHandoff(tx, h.id, h.repUserId, {
    repUserId: to,
    at: now,
    dueAt: deadline,
    via: `reassigned_${reason}`,
  });
  if (!moved) return undefined;
  await saveRoundRobin(tx, workspaceId, { [team.id]: after }, before);
  await cancelStepsOfOthers(tx, h.id, to, now);
  out.steps.push(...stepRows(policy, h, team, to, now, false));
  out.events.push({
    workspaceId,
    leadId: h.leadId,
    handoffId: h.id,
    type: 'reassigned',
    at: now,
    actor,
    reason,
    data: { from: h.repUserId, to, team: team.id, dueAt: deadline.toISOString() },
  });
  out.deliveries.push(
    delivery(ctx, 'update_card', { handoffId: h.id, change: `reassigned:${to}` }),
    ...hubspotWriteBack(ctx, h.id, `assigned:${to}`),
    ...(await refreshNotices(ctx, tx, h.id, `reassigned_${to}`, now)),
  );
  ctx.logger.info({ handoffId: h.id, reason, holder: held.size + 1 }, 'lead reassigned');
  return {
    kind: 'moved',
    from: h.repUserId,
    to,
    at: now.toISOString(),
    deadline: deadline.toISOString(),
    reason,
    holder: held.size + 1,
  };
}

/** Tells a move to the rep who now holds the lead and, unless it goes with a breach note, in the marketing thread. */
function tellMove(
  ctx: ServiceContext,
  h: HandoffRow,
  fact: Extract<SlaFact, { kind: 'moved' }>,
  out: Writes,
  opts: { thread: boolean },
): void {
  out.deliveries.push(delivery(ctx, 'sla_reassigned', { handoffId: h.id, user: fact.to, fact }));
  if (opts.thread) out.deliveries.push(delivery(ctx, 'sla_thread_line', { handoffId: h.id, story: [fact] }));
}

async function flush(tx: Tx, out: Writes): Promise<void> {
  await writeTogether(tx, [eventsInsert(out.events), outboxInsert(out.deliveries), stepsInsert(out.steps)]);
  await addNotices(tx, out.notices);
}

/** A grouped notice to `recipient` about `h`: joins the batch of its window, which goes out at the window's end. */
function notice(
  ctx: ServiceContext,
  h: HandoffRow,
  recipient: string,
  story: readonly SlaFact[],
  now: Date,
  out: Writes,
): void {
  const window = noticeWindow(now, NOTICE_WINDOW_MS);
  const batchKey = `${recipient}:${window.key}`;
  out.notices.push({ workspaceId: ctx.workspaceId, batchKey, recipient, handoffId: h.id, story: [...story] });
  out.deliveries.push(delivery(ctx, 'sla_notices', { batchKey, user: recipient }, { notBefore: window.sendAt }));
}

/**
 * Performs one handoff's due steps, in order, and tells what happened once per reader: after
 * downtime several steps fall due together, and the manager and marketing get the story (who
 * missed, when, where the lead went) in one message each, not a burst of stale ones. Every
 * message carries the facts of the step that fell due, never the handoff as it is when sent.
 */
async function performSteps(
  ctx: ServiceContext,
  tx: Tx,
  claimed: readonly ClaimedStep[],
  now: Date,
  out: Writes,
  finished: { done: number[]; cancelled: number[] },
): Promise<void> {
  const { policy, workspaceId } = ctx;
  const first = claimed[0];
  if (!first) return;
  let h = first.handoff;
  const team = teamById(policy, h.teamId);
  const facts: SlaFact[] = [];
  const reminders: { stepId: number; rep: string; deadline: Date }[] = [];
  const missed = (rep: string, deadline: Date): void => {
    if (!facts.some((f) => f.kind === 'missed' && f.rep === rep))
      facts.push({ kind: 'missed', rep, deadline: deadline.toISOString() });
  };
  let toManager = false;
  let breachStep: number | undefined;
  for (const { step } of claimed) {
    if (
      h.status !== 'pending' ||
      h.repUserId !== step.repUserId ||
      !team ||
      (step.action === 'notify_manager' && h.escalationAckedAt !== null)
    ) {
      finished.cancelled.push(step.id);
      continue;
    }
    const rep = h.repUserId;
    const event = (type: string, data: Record<string, unknown>): NewEvent => ({
      workspaceId,
      leadId: h.leadId,
      handoffId: h.id,
      type,
      at: now,
      actor: 'baton',
      data: {
        step: step.stepIndex,
        occurrence: step.occurrence,
        dueAt: step.dueAt.toISOString(),
        rep,
        deadline: h.dueAt.toISOString(),
        tier: h.slaTierId,
        ...data,
      },
    });
    ctx.logger.info(
      {
        handoffId: h.id,
        stepId: step.id,
        action: step.action,
        occurrence: step.occurrence,
        lateMs: now.getTime() - step.dueAt.getTime(),
      },
      'SLA step performed',
    );
    switch (step.action) {
      case 'remind_rep':
        out.events.push(event('sla_reminder', {}));
        reminders.push({ stepId: step.id, rep, deadline: h.dueAt });
        break;
      case 'notify_manager': {
        out.events.push(event('sla_escalated', { manager: team.manager }));
        missed(rep, h.dueAt);
        toManager = true;
        const plan = h.slaPlan;
        const planStep = plan.steps[step.stepIndex];
        const cal = calendarForTeam(policy, team);
        const again = planStep ? nextRepeat(plan, planStep, cal, step.dueAt) : undefined;
        // Repeats until someone acts: the next notice is a row of its own, performed once too.
        if (again)
          out.steps.push({
            workspaceId,
            handoffId: h.id,
            stepIndex: step.stepIndex,
            occurrence: step.occurrence + 1,
            action: 'notify_manager',
            repUserId: rep,
            dueAt: performAt(plan, cal, 'notify_manager', again, stepRecipients(policy, team, rep)),
          });
        break;
      }
      case 'notify_marketing':
        out.events.push(event('sla_breached', {}));
        missed(rep, h.dueAt);
        breachStep = step.id;
        break;
      case 'reassign': {
        const moved = await reassign(ctx, tx, h, team, 'breach', 'baton', now, out);
        if (moved) {
          facts.push(moved);
          h = {
            ...h,
            repUserId: moved.to,
            dueAt: new Date(moved.deadline),
            assignedAt: now,
            escalationAckedAt: null,
            escalationAckedBy: null,
          };
        } else {
          out.events.push(event('reassign_skipped', { why: 'nobody else in the team can take it' }));
          facts.push({ kind: 'stuck', rep, at: now.toISOString() });
          toManager = true;
          ctx.logger.info({ handoffId: h.id }, 'nobody left to reassign the lead to; it waits for the manager');
        }
        break;
      }
    }
    finished.done.push(step.id);
  }
  // A reminder to a rep who no longer holds the lead has nothing left to say.
  for (const r of reminders.filter((x) => x.rep === h.repUserId)) {
    out.deliveries.push(
      delivery(ctx, 'sla_remind_rep', {
        handoffId: h.id,
        user: r.rep,
        deadline: r.deadline.toISOString(),
        stepId: r.stepId,
      }),
    );
  }
  if (team && toManager) notice(ctx, h, team.manager, facts, now, out);
  if (breachStep !== undefined)
    out.deliveries.push(delivery(ctx, 'sla_breach_note', { handoffId: h.id, story: facts, stepId: breachStep }));
  for (const f of facts) if (f.kind === 'moved') tellMove(ctx, h, f, out, { thread: breachStep === undefined });
  // The card shows it is overdue (or waiting for the manager) from the moment that became true.
  if (facts.some((f) => f.kind !== 'moved'))
    out.deliveries.push(delivery(ctx, 'update_card', { handoffId: h.id, change: `sla_steps:${first.step.id}` }));
}

/**
 * One pass over due steps, in one transaction: up to SWEEP_BATCH handoffs with all their due steps;
 * each claimed step is performed (its events and Slack deliveries written) and marked done
 * together, so it happens exactly once however many replicas sweep and whenever one dies. Steps of
 * a handoff that was decided or moved on are cancelled instead.
 */
async function sweepOnce(ctx: ServiceContext, tx: Tx): Promise<{ steps: number; handoffs: number }> {
  const now = ctx.now();
  const claimed = await claimDueSteps(tx, ctx.workspaceId, now, SWEEP_BATCH);
  const out = noWrites();
  const finished = { done: [] as number[], cancelled: [] as number[] };
  const byHandoff = new Map<string, ClaimedStep[]>();
  for (const c of claimed) byHandoff.set(c.handoff.id, [...(byHandoff.get(c.handoff.id) ?? []), c]);
  for (const steps of byHandoff.values()) await performSteps(ctx, tx, steps, now, out, finished);
  await flush(tx, out);
  await finishSteps(tx, finished.done, finished.cancelled, now);
  // A sweep that finds a step this late is catching up (downtime, a stalled sweep): it reports every
  // step it took, since all of them fell due meanwhile, not only those past the mark (a step due
  // just before the restart was missed as surely as one due long before).
  const maxLateMs = Math.max(0, ...claimed.map((c) => now.getTime() - c.step.dueAt.getTime()));
  if (maxLateMs >= CATCH_UP_MS)
    ctx.logger.info(
      { steps: claimed.length, handoffs: byHandoff.size, maxLateMs },
      'caught up on SLA steps that fell due while Baton was down or behind',
    );
  return { steps: claimed.length, handoffs: byHandoff.size };
}

/** Performs every step that is due, batch after batch; returns how many steps were handled. */
export async function sweepSla(ctx: ServiceContext): Promise<number> {
  let total = 0;
  for (;;) {
    const { steps, handoffs } = await ctx.db.transaction((tx) => sweepOnce(ctx, tx));
    total += steps;
    if (handoffs < SWEEP_BATCH) return total;
  }
}

async function managerHandoff(
  ctx: ServiceContext,
  tx: Tx,
  handoffId: string,
  userId: string,
  action: Extract<Refusal, { about: 'not_the_manager' }>['action'],
): Promise<{ h: HandoffRow; team: TeamPolicy }> {
  const h = await findHandoff(tx, handoffId);
  if (!h || h.workspaceId !== ctx.workspaceId) throw new DomainError('not_found', 'This lead is no longer in Baton.');
  const team = teamById(ctx.policy, h.teamId);
  if (!team) throw new DomainError('not_found', `Team "${h.teamId}" is no longer in the policy.`);
  if (team.manager !== userId)
    throw refuse({ code: 'not_allowed', about: 'not_the_manager', team: team.name, manager: team.manager, action });
  if (h.status !== 'pending')
    throw refuse({
      code: 'stale_card',
      about: 'decided_before',
      status: h.status,
      decidedBy: h.decidedBy ?? undefined,
    });
  return { h, team };
}

/** The manager takes up an escalation: its repeats stop. The first acknowledgement wins. */
export async function acknowledge(
  ctx: ServiceContext,
  handoffId: string,
  userId: string,
): Promise<{ kind: 'acknowledged' } | { kind: 'already'; by: string; at: Date }> {
  return ctx.db.transaction(async (tx) => {
    const { h } = await managerHandoff(ctx, tx, handoffId, userId, 'acknowledge');
    const now = ctx.now();
    if (!(await acknowledgeEscalation(tx, h.id, userId, now))) {
      const again = await findHandoff(tx, h.id);
      return { kind: 'already', by: again?.escalationAckedBy ?? 'someone', at: again?.escalationAckedAt ?? now };
    }
    await cancelPendingSteps(tx, h.id, now, { action: 'notify_manager' });
    await appendEvents(tx, [
      {
        workspaceId: ctx.workspaceId,
        leadId: h.leadId,
        handoffId: h.id,
        type: 'escalation_acknowledged',
        at: now,
        actor: userId,
        data: { rep: h.repUserId },
      },
    ]);
    await enqueue(tx, await refreshNotices(ctx, tx, h.id, 'acknowledged', now));
    return { kind: 'acknowledged' };
  });
}

/** The manager moves the lead to the next rep now (it counts against the rep who had it). */
export async function reassignByManager(ctx: ServiceContext, handoffId: string, userId: string): Promise<string> {
  return ctx.db.transaction(async (tx) => {
    const { h, team } = await managerHandoff(ctx, tx, handoffId, userId, 'reassign');
    const out = noWrites();
    const moved = await reassign(ctx, tx, h, team, 'manager', userId, ctx.now(), out);
    if (moved === undefined)
      throw new DomainError(
        'no_eligible_rep',
        `Nobody else in ${team.name} can take this lead now (everyone else is away, inactive or has had it).`,
      );
    tellMove(ctx, h, moved, out, { thread: true });
    await flush(tx, out);
    return moved.to;
  });
}

/** A rep going away hands their undecided leads on (credited back: they keep their share). */
export async function reassignAwayRep(ctx: ServiceContext, repUserId: string, actor: string): Promise<number> {
  let moved = 0;
  for (const h of await pendingHandoffsOf(ctx.db, ctx.workspaceId, repUserId)) {
    const team = teamById(ctx.policy, h.teamId);
    if (!team) continue;
    moved += await ctx.db.transaction(async (tx) => {
      const out = noWrites();
      const moved = await reassign(ctx, tx, h, team, 'away', actor, ctx.now(), out);
      if (moved) tellMove(ctx, h, moved, out, { thread: true });
      await flush(tx, out);
      return moved === undefined ? 0 : 1;
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
  await enqueue(ctx.db, [
    delivery(ctx, 'sla_team_digest', {
      teamId: team.id,
      user: team.manager,
      at: firedAt.toISOString(),
      handoffIds: overdue.map((h) => h.id),
    }),
  ]);
}
