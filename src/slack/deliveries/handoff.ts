import type { ServiceContext } from '../../services/context.js';
import {
  loadHandoffView,
  postedMessage,
  recordPosted,
  replacePosted,
  type HandoffView,
  type MessageKind,
} from '../../services/handoff-view.js';
import type { DeliveryOutcome, OutboxRow } from '../../services/outbox.js';
import type { WebClient } from '../client.js';
import {
  failureOutcome,
  handoffMark,
  onPosted,
  postExactlyOnce,
  postMarked,
  type Rendered,
  type SlackSender,
} from '../delivery.js';
import { slackErrorCode } from '../failures.js';
import { cardModel, decisionEvent, marketingNoteModel, progressOf, slaLabel } from '../models.js';
import { renderLeadCard, renderMarketingNote, renderThreadReply, renderUnthreaded } from '../views/card.js';

/** The handoff's message of `kind` (its card, its marketing note), posted once and recorded where it landed. */
async function postOnce(
  ctx: ServiceContext,
  client: WebClient,
  row: OutboxRow,
  handoffId: string,
  kind: MessageKind,
  render: (view: HandoffView) => Rendered,
): Promise<DeliveryOutcome> {
  if (row.channel === null) return { kind: 'abandon', error: `the ${kind} has no channel` };
  const channel = row.channel;
  const already = await postedMessage(ctx, handoffId, kind);
  if (already) return { kind: 'done', result: already };
  const view = await loadHandoffView(ctx, handoffId);
  if (!view) return { kind: 'abandon', error: `handoff ${handoffId} not found` };
  try {
    const posted = await postMarked(client, row, channel, handoffMark(kind, handoffId), render(view));
    if (posted === undefined) return { kind: 'retry', error: 'chat.postMessage answered without ts' };
    await recordPosted(ctx, handoffId, kind, channel, posted.ts);
    return { kind: 'done', result: { channel, ts: posted.ts, recovered: posted.recovered } };
  } catch (err) {
    return failureOutcome(err, ctx, row);
  }
}

export const postCard: SlackSender<'post_card'> = (ctx, client, { handoffId }, row) =>
  postOnce(ctx, client, row, handoffId, 'card', (view) => renderLeadCard(cardModel(view, ctx.policy)));

export const postMarketingNote: SlackSender<'post_marketing_note'> = (ctx, client, { handoffId }, row) =>
  postOnce(ctx, client, row, handoffId, 'marketing_note', (view) =>
    renderMarketingNote(marketingNoteModel(view, ctx.policy)),
  );

/**
 * Re-renders the card from the store and edits it in place. A card deleted in Slack (or a
 * sandbox restarted on this database) is posted afresh where it was, since the lead may still
 * need a decision, and the new message is recorded as the card.
 */
export const updateCard: SlackSender<'update_card'> = (ctx, client, { handoffId }, row) =>
  onPosted(ctx, row, handoffId, 'card', async (view, card) => {
    const message = renderLeadCard(cardModel(view, ctx.policy));
    try {
      await client.chat.update({ channel: card.channel, ts: card.ts, text: message.text, blocks: message.blocks });
      return { kind: 'done', result: card };
    } catch (err) {
      if (slackErrorCode(err) !== 'message_not_found') throw err;
    }
    ctx.logger.warn(
      { outbox: row.id, handoff: handoffId, channel: card.channel, ts: card.ts },
      'the card is gone from Slack; posting it afresh',
    );
    const posted = await postMarked(client, row, card.channel, handoffMark('card', handoffId), message);
    if (posted === undefined) return { kind: 'retry', error: 'chat.postMessage answered without ts' };
    await replacePosted(ctx, handoffId, 'card', card.ts, { channel: card.channel, ts: posted.ts });
    return { kind: 'done', result: { channel: card.channel, ts: posted.ts, reposted: true } };
  });

/** A reply in the lead's marketing thread, under the handoff note. */
export const threadReply: SlackSender<'thread_reply'> = (ctx, client, p, row) =>
  onPosted(ctx, row, p.handoffId, 'marketing_note', async (view, note) => {
    const decided = decisionEvent(view, ctx.policy);
    if (!decided) return { kind: 'abandon', error: 'the handoff is not decided' };
    // A later step renders from its own payload: by the time it is sent the lead may have moved on again.
    const message = renderThreadReply(
      'by' in p
        ? { kind: 'progress', progress: progressOf({ stage: p.event, by: p.by, reason: p.reason }, ctx.policy) }
        : decided.kind === 'accepted'
          ? { ...decided, slaLabel: slaLabel(view) }
          : decided,
    );
    return postExactlyOnce(ctx, client, row, {
      channel: note.channel,
      threadTs: note.ts,
      ...message,
      unthreaded: renderUnthreaded(cardModel(view, ctx.policy), message),
    });
  });
