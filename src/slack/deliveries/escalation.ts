import { z } from 'zod';
import type { SlaFact } from '../../domain/sla.js';
import { noticeBatch, postedBatchesOf, recordNoticePosted } from '../../db/repo/sla-notices.js';
import { ESCALATION_KINDS } from '../../services/escalation.js';
import type { ServiceContext } from '../../services/context.js';
import { loadHandoffView, postedMessage, type HandoffView } from '../../services/handoff-view.js';
import { teamById } from '../../services/handoff.js';
import type { DeliveryOutcome, OutboxRow } from '../../services/outbox.js';
import type { WebClient } from '../client.js';
import { failureOutcome, onPosted, postExactlyOnce, type DeliveryHandler, type NewMessage } from '../delivery.js';
import { cardModel, slaLabel } from '../models.js';
import { renderUnthreaded } from '../views/card.js';
import { renderBreachNote, renderNotices, renderReassigned, renderReminder, renderTeamDigest, renderThreadLine, type EscalatedLead, type NoticeItem, type NoticeOutcome } from '../views/escalation.js';

const iso = z.iso.datetime({ offset: true });
const movedFact = z.object({ kind: z.literal('moved'), from: z.string(), to: z.string(), at: iso, deadline: iso, reason: z.enum(['breach', 'manager', 'away']), holder: z.number().int() });
const factSchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('missed'), rep: z.string(), deadline: iso }), movedFact, z.object({ kind: z.literal('stuck'), rep: z.string(), at: iso })]);
const storySchema = z.array(factSchema);

function escalated(view: HandoffView, ctx: ServiceContext): EscalatedLead {
  const card = cardModel(view, ctx.policy);
  return { handoffId: view.handoff.id, name: card.name, company: card.company, slaLabel: slaLabel(view) };
}

/** Times in SLA messages: Slack shows each reader their own zone; the fallback uses the policy's. */
const zoneOf = (ctx: ServiceContext): string => ctx.policy.calendar.timeZone;

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
 * A message to the rep who holds a lead: once it was decided or moved on to someone else, it has
 * nothing left to say, and is dropped rather than sent late. What it says comes from its payload,
 * the facts of the moment it fell due.
 */
function toHolder<S extends z.ZodType<{ handoffId: string; user: string }>>(schema: S, render: (lead: EscalatedLead, payload: z.output<S>, zone: string) => Omit<NewMessage, 'channel'>): DeliveryHandler {
  return async (ctx, client, row) => {
    const payload = schema.safeParse(row.payload);
    if (!payload.success) return { kind: 'abandon', error: 'malformed escalation payload' };
    const view = await loadHandoffView(ctx, payload.data.handoffId);
    if (!view) return { kind: 'abandon', error: `handoff ${payload.data.handoffId} not found` };
    if (view.handoff.status !== 'pending') return { kind: 'done', result: { skipped: `handoff ${view.handoff.status}` } };
    if (view.handoff.repUserId !== payload.data.user) return { kind: 'done', result: { skipped: 'the lead moved on to another rep' } };
    return direct(ctx, client, row, payload.data.user, render(escalated(view, ctx), payload.data, zoneOf(ctx)));
  };
}

const toUser = z.object({ handoffId: z.uuid(), user: z.string() });
const storyPayload = z.object({ handoffId: z.uuid(), story: storySchema });

/** A line in the lead's marketing thread, told from its payload's facts. */
const inThread =
  (render: typeof renderBreachNote): DeliveryHandler =>
  (ctx, client, row) =>
    onPosted(ctx, row, storyPayload, 'marketing_note', (p, view, note) => {
      const message = render(p.story, slaLabel(view), zoneOf(ctx));
      // A thread whose parent was deleted: the line goes to the channel, naming its lead.
      return postExactlyOnce(ctx, client, row, { channel: note.channel, threadTs: note.ts, ...message, unthreaded: renderUnthreaded(cardModel(view, ctx.policy), message) });
    });

/** What became of a noticed lead since: the last holder its story names is who it was about. */
function noticeOutcome(view: HandoffView, story: readonly SlaFact[]): NoticeOutcome {
  const h = view.handoff;
  if ((h.status === 'accepted' || h.status === 'rejected') && h.decidedBy !== null && h.decidedAt !== null) return { kind: h.status, by: h.decidedBy, at: h.decidedAt };
  const last = story.at(-1);
  const about = last === undefined ? h.repUserId : last.kind === 'moved' ? last.to : last.rep;
  if (h.repUserId !== about) return { kind: 'moved', to: h.repUserId };
  if (view.history.stuck.some((s) => s.rep === h.repUserId)) return { kind: 'waiting_for_manager' };
  if (h.escalationAckedBy !== null && h.escalationAckedAt !== null) return { kind: 'acknowledged', by: h.escalationAckedBy, at: h.escalationAckedAt };
  return { kind: 'open' };
}

const cardUrl = (card: { channel: string; ts: string } | undefined): string | undefined => (card ? `https://slack.com/archives/${card.channel}/p${card.ts.replace('.', '')}` : undefined);

/** A batch of notices as it stands now: each lead with its story and what became of it. */
async function noticeItems(ctx: ServiceContext, batchKey: string): Promise<NoticeItem[]> {
  const rows = await noticeBatch(ctx.db, ctx.workspaceId, batchKey);
  const items = await Promise.all(
    rows.map(async (r): Promise<NoticeItem | undefined> => {
      const view = await loadHandoffView(ctx, r.handoffId);
      const story = storySchema.safeParse(r.story);
      if (!view || !story.success) return undefined;
      return { ...escalated(view, ctx), cardUrl: cardUrl(await postedMessage(ctx, r.handoffId, 'card')), story: story.data, outcome: noticeOutcome(view, story.data) };
    }),
  );
  return items.filter((i) => i !== undefined);
}

const noticesPayload = z.object({ batchKey: z.string(), user: z.string() });
const postedResult = z.object({ channel: z.string(), ts: z.string() });

/** The grouped notices of one window to one person, posted once; where it landed is kept for later edits. */
const notices: DeliveryHandler = async (ctx, client, row) => {
  const payload = noticesPayload.safeParse(row.payload);
  if (!payload.success) return { kind: 'abandon', error: 'malformed notices payload' };
  const items = await noticeItems(ctx, payload.data.batchKey);
  if (items.length === 0) return { kind: 'abandon', error: `notice batch ${payload.data.batchKey} lists no lead` };
  const outcome = await direct(ctx, client, row, payload.data.user, renderNotices(items, payload.data.user, zoneOf(ctx)));
  const posted = outcome.kind === 'done' ? postedResult.safeParse(outcome.result) : undefined;
  if (posted?.success) await recordNoticePosted(ctx.db, ctx.workspaceId, payload.data.batchKey, posted.data);
  return outcome;
};

const refreshPayload = z.object({ handoffId: z.uuid() });

/**
 * Someone acted on a lead: every posted notice listing it is edited in place (its buttons go, the
 * outcome shows). A notice not posted yet shows the outcome when it is.
 */
const refreshNotices: DeliveryHandler = async (ctx, client, row) => {
  const payload = refreshPayload.safeParse(row.payload);
  if (!payload.success) return { kind: 'abandon', error: 'malformed refresh payload' };
  const batches = await postedBatchesOf(ctx.db, payload.data.handoffId);
  try {
    for (const b of batches) {
      const message = renderNotices(await noticeItems(ctx, b.batchKey), b.recipient, zoneOf(ctx));
      await client.chat.update({ channel: b.channel, ts: b.ts, text: message.text, blocks: message.blocks });
    }
    return { kind: 'done', result: { updated: batches.length } };
  } catch (err) {
    return failureOutcome(err, ctx, row);
  }
};

const digestPayload = z.object({ teamId: z.string(), user: z.string(), at: z.iso.datetime(), handoffIds: z.array(z.uuid()) });

/** The manager's digest of the team's overdue leads, as they stood when it was queued. */
const teamDigest: DeliveryHandler = async (ctx, client, row) => {
  const payload = digestPayload.safeParse(row.payload);
  const team = payload.success ? teamById(ctx.policy, payload.data.teamId) : undefined;
  if (!payload.success || !team) return { kind: 'abandon', error: 'malformed team digest payload' };
  const views = await Promise.all(payload.data.handoffIds.map((id) => loadHandoffView(ctx, id)));
  const leads = views.flatMap((v) => (v && v.handoff.status === 'pending' ? [{ ...escalated(v, ctx), repUserId: v.handoff.repUserId, dueAt: v.handoff.dueAt, stuck: v.history.stuck.some((s) => s.rep === v.handoff.repUserId) }] : []));
  return direct(ctx, client, row, payload.data.user, renderTeamDigest(team.name, leads, zoneOf(ctx), new Date(payload.data.at)));
};


export const ESCALATION_DELIVERIES: Record<string, DeliveryHandler> = {
  [ESCALATION_KINDS.remindRep]: toHolder(toUser.extend({ deadline: iso }), (lead, p, zone) => renderReminder(lead, new Date(p.deadline), zone)),
  [ESCALATION_KINDS.reassigned]: toHolder(toUser.extend({ fact: movedFact }), (lead, p, zone) => renderReassigned(lead, p.fact, zone)),
  [ESCALATION_KINDS.notices]: notices,
  [ESCALATION_KINDS.refreshNotices]: refreshNotices,
  [ESCALATION_KINDS.breachNote]: inThread(renderBreachNote),
  [ESCALATION_KINDS.threadLine]: inThread(renderThreadLine),
  [ESCALATION_KINDS.teamDigest]: teamDigest,
};
