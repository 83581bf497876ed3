import type { KnownBlock } from '@slack/types';
import { z } from 'zod';
import type { ServiceContext } from '../services/context.js';
import type { DeliveryPayload, SlackDeliveryKind } from '../services/delivery-catalogue.js';
import { loadHandoffView, postedMessage, type HandoffView, type MessageKind } from '../services/handoff-view.js';
import type { DeliveryOutcome, OutboxRow } from '../services/outbox.js';
import type { WebClient } from './client.js';
import { classifySlackFailure, slackErrorCode } from './failures.js';
import { findInHistory } from './history.js';

/*
 * What every Slack sender shares: posting exactly once, acting on a message already posted, and
 * turning Slack's refusals into the worker's outcomes. The senders are in deliveries/, listed by
 * kind in senders.ts.
 */

/** Sends one kind of delivery to Slack. */
export type SlackSender<K extends SlackDeliveryKind> = (
  ctx: ServiceContext,
  client: WebClient,
  payload: DeliveryPayload<K>,
  row: OutboxRow,
) => Promise<DeliveryOutcome>;

const postedMetadata = z.object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()) });

/** Slack message metadata marking what Baton posted, so a retry can find it instead of posting twice. */
const METADATA_EVENT: Record<MessageKind, string> = { card: 'baton_card', marketing_note: 'baton_marketing_note' };

export interface Rendered {
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
  return (
    parsed.success &&
    parsed.data.event_type === mark.event_type &&
    Object.entries(mark.event_payload).every(([k, v]) => parsed.data.event_payload[k] === v)
  );
};

/**
 * Looks through the channel's recent history, or the thread's replies, for the message a previous
 * attempt may have posted before it crashed or timed out (Slack may have acted on a request whose
 * answer we never saw).
 */
function findPosted(
  client: WebClient,
  where: { channel: string; threadTs?: string | undefined },
  mark: PostedMark,
  since: Date,
): Promise<string | undefined> {
  return findInHistory(client, where, (m) => sameMark(m.metadata, mark), since);
}

/** The outcome of a failed Slack call; `where` is the channel (or user) it was for, for the operator. */
export function failureOutcome(
  err: unknown,
  ctx: ServiceContext,
  row: OutboxRow,
  where: string = row.channel ?? 'unknown',
): DeliveryOutcome {
  const failure = classifySlackFailure(err, where);
  switch (failure.kind) {
    case 'rate_limited':
      return { kind: 'rate_limited', retryAfterMs: failure.retryAfterMs, error: failure.error };
    case 'transient':
      return { kind: 'retry', error: failure.error };
    case 'permanent':
      return { kind: 'abandon', error: `${failure.error} (${where})` };
    case 'fixable':
      // Kept and retried: the message goes out once the admin has done what the hint says.
      ctx.logger.error({ outbox: row.id, kind: row.kind, channel: where, error: failure.error }, failure.hint);
      return { kind: 'retry', error: failure.error };
  }
}

/**
 * Posts a message carrying `mark` in `channel`, unless a previous attempt of this row already did
 * (its answer lost): then that message's ts is returned instead of posting again.
 */
export async function postMarked(
  client: WebClient,
  row: OutboxRow,
  channel: string,
  mark: PostedMark,
  message: Rendered,
): Promise<{ ts: string; recovered: boolean } | undefined> {
  // A first attempt cannot have posted anything; a retry may have, before its answer was lost.
  const found = row.attempts > 1 ? await findPosted(client, { channel }, mark, row.createdAt) : undefined;
  if (found !== undefined) return { ts: found, recovered: true };
  const res = await client.chat.postMessage({
    channel,
    text: message.text,
    blocks: message.blocks,
    metadata: mark,
    unfurl_links: false,
    unfurl_media: false,
  });
  return res.ts === undefined ? undefined : { ts: res.ts, recovered: false };
}

export const handoffMark = (kind: MessageKind, handoffId: string): PostedMark => ({
  event_type: METADATA_EVENT[kind],
  event_payload: { handoff_id: handoffId },
});

export interface NewMessage {
  channel: string;
  text: string;
  blocks: KnownBlock[];
  /** A reply in this thread. */
  threadTs?: string | undefined;
  /** What to post in the channel instead when the thread's parent is gone (it must name its subject). */
  unthreaded?: Rendered | undefined;
}

/** Slack's answers when a reply's thread parent was deleted. */
const PARENT_GONE = new Set(['thread_not_found', 'message_not_found']);

/**
 * Posts a message exactly once per outbox row: the row's dedupe key rides in the message
 * metadata, and a retry first looks for it (in the channel, or the thread) before posting again.
 */
export async function postExactlyOnce(
  ctx: ServiceContext,
  client: WebClient,
  row: OutboxRow,
  message: NewMessage,
): Promise<DeliveryOutcome> {
  const mark = { event_type: 'baton_message', event_payload: { key: row.dedupeKey } };
  try {
    const found =
      row.attempts > 1
        ? await findPosted(client, { channel: message.channel, threadTs: message.threadTs }, mark, row.createdAt)
        : undefined;
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
    const code = slackErrorCode(err);
    if (message.threadTs !== undefined && code !== undefined && PARENT_GONE.has(code)) {
      // The reply still has something to say; with its thread gone, it says it in the channel.
      ctx.logger.warn(
        { outbox: row.id, kind: row.kind, channel: message.channel, threadTs: message.threadTs, error: code },
        "the thread's parent message is gone; replying in the channel",
      );
      return postExactlyOnce(ctx, client, row, {
        channel: message.channel,
        ...(message.unthreaded ?? { text: message.text, blocks: message.blocks }),
      });
    }
    return failureOutcome(err, ctx, row, message.channel);
  }
}

/**
 * Deliveries that act on a message already posted (edit the card, reply under the note): they
 * wait while that message is not posted yet, and give up only when the handoff is gone.
 */
export async function onPosted(
  ctx: ServiceContext,
  row: OutboxRow,
  handoffId: string,
  kind: MessageKind,
  act: (view: HandoffView, posted: { channel: string; ts: string }) => Promise<DeliveryOutcome>,
): Promise<DeliveryOutcome> {
  const view = await loadHandoffView(ctx, handoffId);
  if (!view) return { kind: 'abandon', error: `handoff ${handoffId} not found` };
  const posted = await postedMessage(ctx, handoffId, kind);
  if (!posted) return { kind: 'retry', error: `the ${kind} is not posted yet` };
  try {
    return await act(view, posted);
  } catch (err) {
    return failureOutcome(err, ctx, row, posted.channel);
  }
}
