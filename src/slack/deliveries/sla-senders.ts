import { z } from 'zod';
import type { SlaFact } from '../../domain/sla.js';
import { noticeBatch, postedBatchesOf, recordNoticePosted } from '../../db/repo/sla-notices.js';
import type { ServiceContext } from '../../services/context.js';
import type { DeliveryPayload } from '../../services/delivery-catalogue.js';
import { loadHandoffView, postedMessage, type HandoffView } from '../../services/handoff-view.js';
import { teamById } from '../../domain/teams.js';
import type { DeliveryOutcome, OutboxRow } from '../../services/outbox.js';
import type { WebClient } from '../client.js';
import { failureOutcome, onPosted, postExactlyOnce, type NewMessage, type SlackSender } from '../delivery.js';
import { cardModel, slaLabel } from '../models.js';
import { renderUnthreaded } from '../views/card.js';
import {
  renderBreachNote,
  renderNotices,
  renderReassigned,
  renderReminder,
  renderTeamDigest,
  renderThreadLine,
  type EscalatedLead,
  type NoticeItem,
  type NoticeOutcome,
} from '../views/sla-messages.js';

function escalated(view: HandoffView, ctx: ServiceContext): EscalatedLead {
  const card = cardModel(view, ctx.policy);
  return { handoffId: view.handoff.id, name: card.name, company: card.company, slaLabel: slaLabel(view) };
}

/** Times in SLA messages: Slack shows each reader their own zone; the fallback uses the policy's. */
const zoneOf = (ctx: ServiceContext): string => ctx.policy.calendar.timeZone;

/** A direct message from Baton: the DM is opened (its id is what a retry searches), then posted once. */
async function direct(
  ctx: ServiceContext,
  client: WebClient,
  row: OutboxRow,
  user: string,
  message: Omit<NewMessage, 'channel'>,
): Promise<DeliveryOutcome> {
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
async function toHolder(
  ctx: ServiceContext,
  client: WebClient,
  row: OutboxRow,
  to: { handoffId: string; user: string },
  render: (lead: EscalatedLead, zone: string) => Omit<NewMessage, 'channel'>,
): Promise<DeliveryOutcome> {
  const view = await loadHandoffView(ctx, to.handoffId);
  if (!view) return { kind: 'abandon', error: `handoff ${to.handoffId} not found` };
  if (view.handoff.status !== 'pending') return { kind: 'done', result: { skipped: `handoff ${view.handoff.status}` } };
  if (view.handoff.repUserId !== to.user)
    return { kind: 'done', result: { skipped: 'the lead moved on to another rep' } };
  return direct(ctx, client, row, to.user, render(escalated(view, ctx), zoneOf(ctx)));
}

export const remindRep: SlackSender<'sla_remind_rep'> = (ctx, client, p, row) =>
  toHolder(ctx, client, row, p, (lead, zone) => renderReminder(lead, new Date(p.deadline), zone));

export const tellReassigned: SlackSender<'sla_reassigned'> = (ctx, client, p, row) =>
  toHolder(ctx, client, row, p, (lead, zone) => renderReassigned(lead, p.fact, zone));

/** A line in the lead's marketing thread, told from its payload's facts. */
function inThread(
  ctx: ServiceContext,
  client: WebClient,
  row: OutboxRow,
  p: DeliveryPayload<'sla_breach_note' | 'sla_thread_line'>,
  render: typeof renderBreachNote,
): Promise<DeliveryOutcome> {
  return onPosted(ctx, row, p.handoffId, 'marketing_note', (view, note) => {
    const message = render(p.story, slaLabel(view), zoneOf(ctx));
    // A thread whose parent was deleted: the line goes to the channel, naming its lead.
    return postExactlyOnce(ctx, client, row, {
      channel: note.channel,
      threadTs: note.ts,
      ...message,
      unthreaded: renderUnthreaded(cardModel(view, ctx.policy), message),
    });
  });
}

export const breachNote: SlackSender<'sla_breach_note'> = (ctx, client, p, row) =>
  inThread(ctx, client, row, p, renderBreachNote);

export const threadLine: SlackSender<'sla_thread_line'> = (ctx, client, p, row) =>
  inThread(ctx, client, row, p, renderThreadLine);

/** What became of a noticed lead since: the last holder its story names is who it was about. */
function noticeOutcome(view: HandoffView, story: readonly SlaFact[]): NoticeOutcome {
  const h = view.handoff;
  if ((h.status === 'accepted' || h.status === 'rejected') && h.decidedBy !== null && h.decidedAt !== null)
    return { kind: h.status, by: h.decidedBy, at: h.decidedAt };
  const last = story.at(-1);
  const about = last === undefined ? h.repUserId : last.kind === 'moved' ? last.to : last.rep;
  if (h.repUserId !== about) return { kind: 'moved', to: h.repUserId };
  if (view.history.stuck.some((s) => s.rep === h.repUserId)) return { kind: 'waiting_for_manager' };
  if (h.escalationAckedBy !== null && h.escalationAckedAt !== null)
    return { kind: 'acknowledged', by: h.escalationAckedBy, at: h.escalationAckedAt };
  return { kind: 'open' };
}

const cardUrl = (card: { channel: string; ts: string } | undefined): string | undefined =>
  card ? `https://slack.com/archives/${card.channel}/p${card.ts.replace('.', '')}` : undefined;

/** A batch of notices as it stands now: each lead with its story and what became of it. */
async function noticeItems(ctx: ServiceContext, batchKey: string): Promise<NoticeItem[]> {
  const rows = await noticeBatch(ctx.db, ctx.workspaceId, batchKey);
  const items = await Promise.all(
    rows.map(async (r): Promise<NoticeItem | undefined> => {
      const view = await loadHandoffView(ctx, r.handoffId);
      if (!view) return undefined;
      return {
        ...escalated(view, ctx),
        cardUrl: cardUrl(await postedMessage(ctx, r.handoffId, 'card')),
        story: r.story,
        outcome: noticeOutcome(view, r.story),
      };
    }),
  );
  return items.filter((i) => i !== undefined);
}

const postedResult = z.object({ channel: z.string(), ts: z.string() });

/** The grouped notices of one window to one person, posted once; where it landed is kept for later edits. */
export const notices: SlackSender<'sla_notices'> = async (ctx, client, { batchKey, user }, row) => {
  const items = await noticeItems(ctx, batchKey);
  if (items.length === 0) return { kind: 'abandon', error: `notice batch ${batchKey} lists no lead` };
  const outcome = await direct(ctx, client, row, user, renderNotices(items, user, zoneOf(ctx)));
  const posted = outcome.kind === 'done' ? postedResult.safeParse(outcome.result) : undefined;
  if (posted?.success) await recordNoticePosted(ctx.db, ctx.workspaceId, batchKey, posted.data);
  return outcome;
};

/**
 * Someone acted on a lead: every posted notice listing it is edited in place (its buttons go, the
 * outcome shows). A notice not posted yet shows the outcome when it is.
 */
export const refreshNotices: SlackSender<'sla_refresh_notices'> = async (ctx, client, { handoffId }, row) => {
  const batches = await postedBatchesOf(ctx.db, handoffId);
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

/** The manager's digest of the team's overdue leads, as they stood when it was queued. */
export const teamDigest: SlackSender<'sla_team_digest'> = async (ctx, client, p, row) => {
  const team = teamById(ctx.policy, p.teamId);
  if (!team) return { kind: 'abandon', error: `team ${p.teamId} is no longer in the policy` };
  const views = await Promise.all(p.handoffIds.map((id) => loadHandoffView(ctx, id)));
  const leads = views.flatMap((v) =>
    v && v.handoff.status === 'pending'
      ? [
          {
            ...escalated(v, ctx),
            repUserId: v.handoff.repUserId,
            dueAt: v.handoff.dueAt,
            stuck: v.history.stuck.some((s) => s.rep === v.handoff.repUserId),
          },
        ]
      : [],
  );
  return direct(ctx, client, row, p.user, renderTeamDigest(team.name, leads, zoneOf(ctx), new Date(p.at)));
};
