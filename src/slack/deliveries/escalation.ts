import { z } from 'zod';
import { ESCALATION_KINDS } from '../../services/escalation.js';
import type { ServiceContext } from '../../services/context.js';
import { loadHandoffView, type HandoffView } from '../../services/handoff-view.js';
import { teamById } from '../../services/handoff.js';
import { userZone } from '../../services/home.js';
import type { DeliveryOutcome, OutboxRow } from '../../services/outbox.js';
import type { WebClient } from '../client.js';
import { failureOutcome, onPosted, postExactlyOnce, type DeliveryHandler, type NewMessage } from '../delivery.js';
import { cardModel, slaLabel } from '../models.js';
import { renderUnthreaded } from '../views/card.js';
import { renderBreachNote, renderManagerNotice, renderReassigned, renderReminder, renderTeamDigest, type EscalatedLead } from '../views/escalation.js';

const toUser = z.object({ handoffId: z.uuid(), user: z.string() });

function escalated(view: HandoffView, ctx: ServiceContext): EscalatedLead {
  const card = cardModel(view, ctx.policy);
  return { handoffId: view.handoff.id, name: card.name, company: card.company, repUserId: view.handoff.repUserId, dueAt: view.handoff.dueAt, slaLabel: slaLabel(view) };
}

/** A direct message from Baton: the DM is opened (its id is what a retry searches), then posted once. */
async function direct(ctx: ServiceContext, client: WebClient, row: OutboxRow, user: string, message: Omit<NewMessage, 'channel'>): Promise<DeliveryOutcome> {
  try {
    const dm = await client.conversations.open({ users: user });
    if (!dm.channel?.id) return { kind: 'retry', error: 'conversations.open answered without a channel' };
    return await postExactlyOnce(ctx, client, row, { channel: dm.channel.id, ...message });
  } catch (err) {
    return failureOutcome(err, ctx, row);
  }
}

/**
 * A message about a handoff that is still waiting: once it was decided, a reminder or notice has
 * nothing left to say, and is dropped rather than sent late.
 */
function aboutPending<S extends z.ZodType<{ handoffId: string; user: string }>>(schema: S, render: (ctx: ServiceContext, lead: EscalatedLead, payload: z.output<S>, zone: string) => Omit<NewMessage, 'channel'>): DeliveryHandler {
  return async (ctx, client, row) => {
    const payload = schema.safeParse(row.payload);
    if (!payload.success) return { kind: 'abandon', error: 'malformed escalation payload' };
    const view = await loadHandoffView(ctx, payload.data.handoffId);
    if (!view) return { kind: 'abandon', error: `handoff ${payload.data.handoffId} not found` };
    if (view.handoff.status !== 'pending') return { kind: 'done', result: { skipped: `handoff ${view.handoff.status}` } };
    return direct(ctx, client, row, payload.data.user, render(ctx, escalated(view, ctx), payload.data, userZone(ctx.policy, payload.data.user)));
  };
}

const breachPayload = z.object({ handoffId: z.uuid() });

/** The breach, told in the lead's marketing thread. */
const breachNote: DeliveryHandler = (ctx, client, row) =>
  onPosted(ctx, row, breachPayload, 'marketing_note', (_p, view, note) => {
    const manager = teamById(ctx.policy, view.handoff.teamId)?.manager ?? 'their manager';
    const lead = escalated(view, ctx);
    const message = renderBreachNote(lead, ctx.policy.calendar.timeZone, manager);
    return postExactlyOnce(ctx, client, row, { channel: note.channel, threadTs: note.ts, ...message, unthreaded: renderUnthreaded(lead, message) });
  });

const digestPayload = z.object({ teamId: z.string(), user: z.string(), at: z.iso.datetime(), handoffIds: z.array(z.uuid()) });

/** The manager's digest of the team's overdue leads, as they stood when it was queued. */
const teamDigest: DeliveryHandler = async (ctx, client, row) => {
  const payload = digestPayload.safeParse(row.payload);
  const team = payload.success ? teamById(ctx.policy, payload.data.teamId) : undefined;
  if (!payload.success || !team) return { kind: 'abandon', error: 'malformed team digest payload' };
  const views = await Promise.all(payload.data.handoffIds.map((id) => loadHandoffView(ctx, id)));
  const leads = views.flatMap((v) => (v && v.handoff.status === 'pending' ? [escalated(v, ctx)] : []));
  return direct(ctx, client, row, payload.data.user, renderTeamDigest(team.name, leads, userZone(ctx.policy, payload.data.user), new Date(payload.data.at)));
};

export const ESCALATION_DELIVERIES: Record<string, DeliveryHandler> = {
  [ESCALATION_KINDS.remindRep]: aboutPending(toUser, (_ctx, lead, _p, zone) => renderReminder(lead, zone)),
  [ESCALATION_KINDS.notifyManager]: aboutPending(toUser.extend({ occurrence: z.number().int().positive() }), (_ctx, lead, p, zone) => renderManagerNotice(lead, zone, p.occurrence)),
  [ESCALATION_KINDS.reassigned]: aboutPending(toUser.extend({ from: z.string(), reason: z.enum(['breach', 'manager', 'away']) }), (_ctx, lead, p, zone) => renderReassigned(lead, zone, p.from, p.reason)),
  [ESCALATION_KINDS.breachNote]: breachNote,
  [ESCALATION_KINDS.teamDigest]: teamDigest,
};
