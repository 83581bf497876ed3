import type { KnownBlock } from '@slack/types';
import { z } from 'zod';
import type { ServiceContext } from '../services/context.js';
import { loadHandoffView, postedMessage, recordPosted, type HandoffView, type MessageKind } from '../services/handoff-view.js';
import type { Deliverer, DeliveryOutcome, OutboxRow } from '../services/outbox.js';
import type { WebClient } from './client.js';
import { classifySlackFailure } from './failures.js';
import { cardModel, decisionEvent, marketingNoteModel, progressOf, slaLabel } from './models.js';
import { renderLeadCard, renderMarketingNote, renderThreadReply } from './views/card.js';
import { ESCALATION_DELIVERIES } from './deliveries/escalation.js';
import { deliverReportsDigest } from './deliveries/reports-digest.js';
import { deliverTrendChart } from './deliveries/trend-chart.js';
import { DIGEST_KIND, TREND_CHART_KIND } from '../services/reports.js';

const handoffPayload = z.object({ handoffId: z.uuid() });

const MAX_HISTORY_PAGES = 100;

const postedMetadata = z.object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()) });

/** Slack message metadata marking what Baton posted, so a retry can find it instead of posting twice. */
const METADATA_EVENT: Record<MessageKind, string> = { card: 'baton_card', marketing_note: 'baton_marketing_note' };

interface Rendered {
  text: string;
  blocks: KnownBlock[];
}

/** What identifies a message Baton posted: its metadata, so a retry can find it instead of posting twice. */
interface PostedMark {
  event_type: string;
  event_payload: Record<string, string>;
}

const sameMark = (meta: unknown, mark: PostedMark): boolean => {
  const parsed = postedMetadata.safeParse(meta);
  return parsed.success && parsed.data.event_type === mark.event_type && Object.entries(mark.event_payload).every(([k, v]) => parsed.data.event_payload[k] === v);
};

/**
 * Looks through the channel's recent history, or the thread's replies, for the message a previous
 * attempt may have posted before it crashed or timed out (Slack may have acted on a request whose
 * answer we never saw).
 */
async function findPosted(client: WebClient, where: { channel: string; threadTs?: string | undefined }, mark: PostedMark, since: Date): Promise<string | undefined> {
  let cursor: string | undefined;
  // Every page back to the delivery's creation: a busy marketing channel can take hundreds of
  // messages while Slack is down. The cap only stops a runaway loop.
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const query = { channel: where.channel, oldest: String(Math.floor(since.getTime() / 1000) - 60), limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) };
    const res = where.threadTs !== undefined ? await client.conversations.replies({ ...query, ts: where.threadTs }) : await client.conversations.history(query);
    const found = (res.messages ?? []).find((m) => m.ts !== undefined && m.ts !== where.threadTs && sameMark(m.metadata, mark));
    if (found?.ts !== undefined) return found.ts;
    cursor = res.response_metadata?.next_cursor;
    if (!cursor) return undefined;
  }
  throw new Error(`more than ${MAX_HISTORY_PAGES * 200} messages in ${where.channel} since the delivery was queued; not posting blind`);
}

export function failureOutcome(err: unknown, ctx: ServiceContext, row: OutboxRow): DeliveryOutcome {
  const failure = classifySlackFailure(err);
  switch (failure.kind) {
    case 'rate_limited':
      return { kind: 'rate_limited', retryAfterMs: failure.retryAfterMs, error: failure.error };
    case 'transient':
      return { kind: 'retry', error: failure.error };
    case 'invalid':
      return { kind: 'abandon', error: failure.error };
    case 'refused':
      // An admin can fix this (invite the bot, correct a channel id): keep the message and say so loudly.
      ctx.logger.error({ outbox: row.id, channel: row.channel, error: failure.error }, 'Slack refused a delivery; check the channel ids in the policy and that Baton is invited');
      return { kind: 'retry', error: failure.error };
  }
}

async function postOnce(ctx: ServiceContext, client: WebClient, row: OutboxRow, kind: MessageKind, render: (view: HandoffView) => Rendered): Promise<DeliveryOutcome> {
  const payload = handoffPayload.safeParse(row.payload);
  if (!payload.success || row.channel === null) return { kind: 'abandon', error: 'malformed outbox payload' };
  const { handoffId } = payload.data;
  const channel = row.channel;
  const already = await postedMessage(ctx, handoffId, kind);
  if (already) return { kind: 'done', result: already };
  const view = await loadHandoffView(ctx, handoffId);
  if (!view) return { kind: 'abandon', error: `handoff ${handoffId} not found` };
  try {
    // A first attempt cannot have posted anything; a retry may have, before its answer was lost.
    const mark = { event_type: METADATA_EVENT[kind], event_payload: { handoff_id: handoffId } };
    const found = row.attempts > 1 ? await findPosted(client, { channel }, mark, row.createdAt) : undefined;
    let ts = found;
    if (ts === undefined) {
      const message = render(view);
      const res = await client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        metadata: mark,
        unfurl_links: false,
        unfurl_media: false,
      });
      ts = res.ts;
      if (ts === undefined) return { kind: 'retry', error: 'chat.postMessage answered without ts' };
    }
    await recordPosted(ctx, handoffId, kind, channel, ts);
    return { kind: 'done', result: { channel, ts, recovered: found !== undefined } };
  } catch (err) {
    return failureOutcome(err, ctx, row);
  }
}

export interface NewMessage {
  channel: string;
  text: string;
  blocks: KnownBlock[];
  /** A reply in this thread. */
  threadTs?: string | undefined;
}

/**
 * Posts a message exactly once per outbox row: the row's dedupe key rides in the message
 * metadata, and a retry first looks for it (in the channel, or the thread) before posting again.
 */
export async function postExactlyOnce(ctx: ServiceContext, client: WebClient, row: OutboxRow, message: NewMessage): Promise<DeliveryOutcome> {
  const mark = { event_type: 'baton_message', event_payload: { key: row.dedupeKey } };
  try {
    const found = row.attempts > 1 ? await findPosted(client, { channel: message.channel, threadTs: message.threadTs }, mark, row.createdAt) : undefined;
    if (found !== undefined) return { kind: 'done', result: { channel: message.channel, ts: found, recovered: true } };
    const res = await client.chat.postMessage({
      channel: message.channel,
      text: message.text,
      blocks: message.blocks,
      metadata: mark,
      unfurl_links: false,
      unfurl_media: false,
      ...(message.threadTs !== undefined ? { thread_ts: message.threadTs } : {}),
    });
    return { kind: 'done', result: { channel: res.channel ?? message.channel, ts: res.ts } };
  } catch (err) {
    return failureOutcome(err, ctx, row);
  }
}

/**
 * Deliveries that act on a message already posted (edit the card, reply under the note): they
 * wait while that message is not posted yet, and give up only when the handoff is gone.
 */
export async function onPosted<S extends z.ZodType<{ handoffId: string }>>(
  ctx: ServiceContext,
  row: OutboxRow,
  schema: S,
  kind: MessageKind,
  act: (payload: z.output<S>, view: HandoffView, posted: { channel: string; ts: string }) => Promise<DeliveryOutcome>,
): Promise<DeliveryOutcome> {
  const payload = schema.safeParse(row.payload);
  if (!payload.success) return { kind: 'abandon', error: 'malformed outbox payload' };
  const view = await loadHandoffView(ctx, payload.data.handoffId);
  if (!view) return { kind: 'abandon', error: `handoff ${payload.data.handoffId} not found` };
  const posted = await postedMessage(ctx, payload.data.handoffId, kind);
  if (!posted) return { kind: 'retry', error: `the ${kind} is not posted yet` };
  try {
    return await act(payload.data, view, posted);
  } catch (err) {
    return failureOutcome(err, ctx, row);
  }
}

/** Re-renders the card from the store and edits it in place. */
function updateCard(ctx: ServiceContext, client: WebClient, row: OutboxRow): Promise<DeliveryOutcome> {
  return onPosted(ctx, row, handoffPayload, 'card', async (_payload, view, card) => {
    const message = renderLeadCard(cardModel(view, ctx.policy));
    await client.chat.update({ channel: card.channel, ts: card.ts, text: message.text, blocks: message.blocks });
    return { kind: 'done', result: card };
  });
}

const replyPayload = z.union([
  handoffPayload.extend({ event: z.enum(['accepted', 'rejected']) }),
  handoffPayload.extend({ event: z.enum(['sql', 'opportunity', 'customer', 'lost', 'nurture']), by: z.string(), reason: z.string().nullable() }),
]);

/** A reply in the lead's marketing thread, under the handoff note. */
function threadReply(ctx: ServiceContext, client: WebClient, row: OutboxRow): Promise<DeliveryOutcome> {
  return onPosted(ctx, row, replyPayload, 'marketing_note', async (p, view, note) => {
    const decided = decisionEvent(view, ctx.policy);
    if (!decided) return { kind: 'abandon', error: 'the handoff is not decided' };
    // A later step renders from its own payload: by the time it is sent the lead may have moved on again.
    const message = renderThreadReply('by' in p ? { kind: 'progress', progress: progressOf({ stage: p.event, by: p.by, reason: p.reason }, ctx.policy) } : decided.kind === 'accepted' ? { ...decided, slaLabel: slaLabel(view) } : decided);
    return postExactlyOnce(ctx, client, row, { channel: note.channel, threadTs: note.ts, text: message.text, blocks: message.blocks });
  });
}

export type DeliveryHandler = (ctx: ServiceContext, client: WebClient, row: OutboxRow) => Promise<DeliveryOutcome>;

/** Every outbox kind and how it reaches Slack; each new kind is one line here, its code in deliveries/. */
const DELIVERIES: Record<string, DeliveryHandler> = {
  post_card: (ctx, client, row) => postOnce(ctx, client, row, 'card', (view) => renderLeadCard(cardModel(view, ctx.policy))),
  post_marketing_note: (ctx, client, row) => postOnce(ctx, client, row, 'marketing_note', (view) => renderMarketingNote(marketingNoteModel(view, ctx.policy))),
  update_card: updateCard,
  thread_reply: threadReply,
  [DIGEST_KIND]: deliverReportsDigest,
  [TREND_CHART_KIND]: deliverTrendChart,
  ...ESCALATION_DELIVERIES,
};

/** Turns queued deliveries into Slack calls. */
export function createSlackDeliverer(ctx: ServiceContext, client: WebClient): Deliverer {
  return (row) => {
    const handler = DELIVERIES[row.kind];
    return handler ? handler(ctx, client, row) : Promise.resolve({ kind: 'abandon', error: `unknown delivery kind "${row.kind}"` });
  };
}
