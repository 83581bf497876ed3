import type { WebClient } from './client.js';

/** A runaway-loop guard: 20,000 messages since a delivery was queued. */
const MAX_HISTORY_PAGES = 100;

/** What Baton reads of a message in history: enough to recognise one it posted or uploaded. */
export interface HistoryMessage {
  ts?: string | undefined;
  metadata?: unknown;
  files?: readonly { title?: string | undefined }[] | undefined;
}

/**
 * The first message since `since` in the channel, or the thread's replies, that `matches`. Every
 * page back to then: a busy channel can take hundreds of messages while Slack is down. The cap
 * only stops a runaway loop, and past it the caller must not act blind.
 */
export async function findInHistory(
  client: WebClient,
  where: { channel: string; threadTs?: string | undefined },
  matches: (m: HistoryMessage) => boolean,
  since: Date,
): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const query = {
      channel: where.channel,
      oldest: String(Math.floor(since.getTime() / 1000) - 60),
      limit: 200,
      include_all_metadata: true,
      ...(cursor ? { cursor } : {}),
    };
    const res =
      where.threadTs !== undefined
        ? await client.conversations.replies({ ...query, ts: where.threadTs })
        : await client.conversations.history(query);
    const found = (res.messages ?? []).find((m) => m.ts !== undefined && m.ts !== where.threadTs && matches(m));
    if (found?.ts !== undefined) return found.ts;
    cursor = res.response_metadata?.next_cursor;
    if (!cursor) return undefined;
  }
  throw new Error(
    `more than ${MAX_HISTORY_PAGES * 200} messages in ${where.channel} since the delivery was queued; not posting blind`,
  );
}
