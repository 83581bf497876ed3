import { mayDecide } from '../domain/decisions.js';
import { DomainError, refuse } from '../domain/errors.js';
import { assertTransition, EVENT_FOR_STAGE, type Stage } from '../domain/lifecycle.js';
import { accountOwnerAfterAccept } from '../domain/routing.js';
import type { Tx } from '../db/client.js';
import { appendEvents } from '../db/repo/events.js';
import { decideHandoff, findHandoff, pastHolders, type Decision, type HandoffRow } from '../db/repo/handoffs.js';
import { findLeadById, moveLeadStage } from '../db/repo/leads.js';
import { enqueue } from '../db/repo/outbox.js';
import { claimAccount } from '../db/repo/routing.js';
import { cancelPendingSteps } from '../db/repo/sla-steps.js';
import type { ServiceContext } from './context.js';
import { HUBSPOT_SOURCE, hubspotWriteBack } from './hubspot-writeback.js';
import { delivery } from './delivery-catalogue.js';
import { refreshNotices } from './escalation.js';

export type DecisionResult =
  { kind: 'decided' } | { kind: 'already_decided'; status: 'accepted' | 'rejected'; by: string; at: Date };

function alreadyDecided(h: HandoffRow): DecisionResult {
  return {
    kind: 'already_decided',
    status: h.status === 'rejected' ? 'rejected' : 'accepted',
    by: h.decidedBy ?? 'someone',
    at: h.decidedAt ?? new Date(0),
  };
}

async function loadForDecision(ctx: ServiceContext, tx: Tx, handoffId: string, userId: string): Promise<HandoffRow> {
  const h = await findHandoff(tx, handoffId);
  if (!h || h.workspaceId !== ctx.workspaceId) throw new DomainError('not_found', 'This lead is no longer in Baton.');
  if (!mayDecide(ctx.policy, h, userId)) {
    // Someone who held the lead before is looking at an older card: say what happened to it.
    if ((await pastHolders(tx, h.id)).has(userId))
      throw refuse({ code: 'stale_card', about: 'reassigned_away', holder: h.repUserId });
    throw refuse({ code: 'not_allowed', about: 'not_the_holder', holder: h.repUserId });
  }
  return h;
}

export type DecisionInput =
  | { kind: 'accept' }
  | { kind: 'reject'; reasonId: string; note: string | undefined; outcome: 'nurture' | 'disqualify' };

/**
 * Accept or reject (docs/lifecycle.md). The handoff is decided only if it is still pending, so of any
 * number of racing clicks exactly one wins; the others learn who decided and when. The lead's
 * move, the event, the card update and the marketing thread reply commit together.
 */
export async function decide(
  ctx: ServiceContext,
  handoffId: string,
  userId: string,
  input: DecisionInput,
): Promise<DecisionResult> {
  return ctx.db.transaction(async (tx) => {
    const h = await loadForDecision(ctx, tx, handoffId, userId);
    if (h.status !== 'pending') return alreadyDecided(h);
    const now = ctx.now();
    const status = input.kind === 'accept' ? ('accepted' as const) : ('rejected' as const);
    const decision: Decision =
      input.kind === 'accept'
        ? { status, decidedAt: now, decidedBy: userId }
        : {
            status,
            decidedAt: now,
            decidedBy: userId,
            rejectReason: input.reasonId,
            rejectNote: input.note ?? null,
            outcome: input.outcome,
          };
    if (!(await decideHandoff(tx, h.id, decision))) return alreadyDecided((await findHandoff(tx, h.id))!);
    const to = input.kind === 'accept' ? 'sal' : input.outcome === 'disqualify' ? 'disqualified' : 'nurture';
    if (!(await moveLeadStage(tx, h.leadId, 'mql', to)))
      throw new DomainError('conflict', 'The lead moved on while you decided; reload the card.');
    // The clock stopped: no reminder, escalation or reassignment follows a decision.
    await cancelPendingSteps(tx, h.id, now);
    // Whoever accepts a company's lead owns the company: its next leads go to them (docs/scoring-and-routing.md). A
    // manager accepting for their rep leaves the company with the rep.
    if (input.kind === 'accept')
      await claimAccount(
        tx,
        ctx.workspaceId,
        h.leadId,
        accountOwnerAfterAccept(ctx.policy, userId, h.repUserId),
        h.teamId,
        now,
      );
    await appendEvents(tx, [
      {
        workspaceId: ctx.workspaceId,
        leadId: h.leadId,
        handoffId: h.id,
        type: status,
        fromStage: 'mql',
        toStage: to,
        at: now,
        actor: userId,
        reason: input.kind === 'reject' ? input.reasonId : null,
        data: input.kind === 'reject' ? { note: input.note ?? null, outcome: input.outcome } : {},
      },
    ]);
    await enqueue(tx, [
      delivery(ctx, 'update_card', { handoffId: h.id, change: status }),
      delivery(ctx, 'thread_reply', { handoffId: h.id, event: status }),
      ...hubspotWriteBack(ctx, h.id, status),
      ...(await refreshNotices(ctx, tx, h.id, status, now)),
    ]);
    return { kind: 'decided' };
  });
}

export type ProgressStep =
  | { kind: 'qualify'; checklist: string[] }
  | { kind: 'opportunity' }
  | { kind: 'won' }
  | { kind: 'lost'; reasonId: string; note: string | undefined }
  | { kind: 'return' };

const STEP_STAGE = {
  qualify: 'sql',
  opportunity: 'opportunity',
  won: 'customer',
  lost: 'lost',
  return: 'nurture',
} as const satisfies Record<ProgressStep['kind'], Stage>;

/**
 * The lifecycle after an accepted handoff (docs/lifecycle.md): Qualify, Opportunity, Won, Lost, Return to
 * marketing. Each is a conditional move of the lead's stage plus one event; an illegal move (no
 * SQL before SAL, nothing after a win) is refused with a clear message and changes nothing.
 */
export async function progress(
  ctx: ServiceContext,
  handoffId: string,
  userId: string,
  step: ProgressStep,
): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const h = await loadForDecision(ctx, tx, handoffId, userId);
    if (h.status !== 'accepted')
      throw new DomainError('stale_card', 'This lead was not accepted, so it has no next steps here.');
    const lead = await findLeadById(tx, ctx.workspaceId, h.leadId);
    if (!lead) throw new DomainError('not_found', 'This lead is no longer in Baton.');
    const to = STEP_STAGE[step.kind];
    assertTransition(lead.stage, to);
    if (!(await moveLeadStage(tx, lead.id, lead.stage, to)))
      throw new DomainError('conflict', 'The lead moved on while you clicked; reload the card.');
    const now = ctx.now();
    const reason = step.kind === 'lost' ? step.reasonId : null;
    const data =
      step.kind === 'qualify' ? { checklist: step.checklist } : step.kind === 'lost' ? { note: step.note ?? null } : {};
    await appendEvents(tx, [
      {
        workspaceId: ctx.workspaceId,
        leadId: lead.id,
        handoffId: h.id,
        type: EVENT_FOR_STAGE[to],
        fromStage: lead.stage,
        toStage: to,
        at: now,
        actor: userId,
        reason,
        data,
      },
    ]);
    await enqueue(tx, [
      delivery(ctx, 'update_card', { handoffId: h.id, change: to }),
      delivery(ctx, 'thread_reply', { handoffId: h.id, event: to, by: userId, reason }),
      ...(lead.source === HUBSPOT_SOURCE && (to === 'sql' || to === 'customer' || to === 'nurture')
        ? hubspotWriteBack(ctx, h.id, to)
        : []),
    ]);
  });
}
