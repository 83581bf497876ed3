import { mayDecide } from '../domain/decisions.js';
import { DomainError } from '../domain/errors.js';
import type { Tx } from '../db/client.js';
import { appendEvents } from '../db/repo/events.js';
import { decideHandoff, findHandoff, type HandoffRow } from '../db/repo/handoffs.js';
import { moveLeadStage } from '../db/repo/leads.js';
import { enqueue } from '../db/repo/outbox.js';
import type { ServiceContext } from './context.js';

export type DecisionResult = { kind: 'decided'; handoff: HandoffRow } | { kind: 'already_decided'; status: 'accepted' | 'rejected'; by: string; at: Date };

function alreadyDecided(h: HandoffRow): DecisionResult {
  return { kind: 'already_decided', status: h.status === 'rejected' ? 'rejected' : 'accepted', by: h.decidedBy ?? 'someone', at: h.decidedAt ?? new Date(0) };
}

async function loadForDecision(ctx: ServiceContext, tx: Tx, handoffId: string, userId: string): Promise<HandoffRow> {
  const h = await findHandoff(tx, handoffId);
  if (!h || h.workspaceId !== ctx.workspaceId) throw new DomainError('not_found', 'This lead is no longer in Baton.');
  if (!mayDecide(ctx.policy, h, userId)) throw new DomainError('not_allowed', `Only <@${h.repUserId}> or their manager can decide this lead.`);
  return h;
}

/**
 * Accept (SPEC §2): the handoff is decided only if it is still pending, so of any number of
 * racing clicks exactly one wins; the others learn who decided and when. The card update and the
 * marketing thread reply are queued in the same transaction.
 */
export async function acceptHandoff(ctx: ServiceContext, handoffId: string, userId: string): Promise<DecisionResult> {
  return ctx.db.transaction(async (tx) => {
    const h = await loadForDecision(ctx, tx, handoffId, userId);
    if (h.status !== 'pending') return alreadyDecided(h);
    const now = ctx.now();
    if (!(await decideHandoff(tx, h.id, { status: 'accepted', decidedAt: now, decidedBy: userId }))) {
      return alreadyDecided((await findHandoff(tx, h.id))!);
    }
    if (!(await moveLeadStage(tx, h.leadId, 'mql', 'sal'))) throw new DomainError('conflict', 'The lead moved on while you decided; reload the card.');
    await appendEvents(tx, [{ workspaceId: ctx.workspaceId, leadId: h.leadId, handoffId: h.id, type: 'accepted', fromStage: 'mql', toStage: 'sal', at: now, actor: userId }]);
    await enqueue(tx, [
      { workspaceId: ctx.workspaceId, dedupeKey: `update_card:${h.id}:accepted`, kind: 'update_card', handoffId: h.id, channel: null, payload: { handoffId: h.id } },
      { workspaceId: ctx.workspaceId, dedupeKey: `thread_reply:${h.id}:accepted`, kind: 'thread_reply', handoffId: h.id, channel: ctx.policy.marketing.channel, payload: { handoffId: h.id, event: 'accepted' } },
    ]);
    return { kind: 'decided', handoff: { ...h, status: 'accepted', decidedAt: now, decidedBy: userId } };
  });
}
