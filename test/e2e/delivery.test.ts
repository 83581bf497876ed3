import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { useBatonWithSlack } from '../helpers/app.js';
import { clickHandoff, postedHandoff, type PostedHandoff, postMql } from '../helpers/flows.js';
import type { RecordedCall } from '../helpers/slack-standin.js';

const env = useBatonWithSlack({
  baton: { outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50, maxBackoffMs: 300 } },
});
beforeEach(async () => {
  await env.baton.outbox.idle();
  env.slack.reset();
});

const handOff = () => postMql(env);

const forHandoff = (id: string) => (c: RecordedCall) =>
  c.method === 'chat.postMessage' &&
  (c.body.metadata as { event_payload?: { handoff_id?: string } } | undefined)?.event_payload?.handoff_id === id;
const cardsIn = (channel: string, id: string) =>
  env.slack
    .messages(channel)
    .filter(
      (m) =>
        (m.metadata as { event_type: string; event_payload: { handoff_id: string } } | undefined)?.event_payload
          .handoff_id === id && (m.metadata as { event_type: string }).event_type === 'baton_card',
    );

describe('delivery when Slack misbehaves', () => {
  it('429: waits for Retry-After, then posts once', async () => {
    env.slack.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
    const id = await handOff();
    const calls = await env.slack.waitFor(forHandoff(id), { count: 3, timeoutMs: 8_000 });
    await env.baton.outbox.idle();
    const [limited, ...rest] = calls;
    const retry = rest.find((c) => c.body.channel === limited!.body.channel)!;
    // Order, not timing: the delivery was held until Retry-After from the 429, and Slack saw the
    // retry only after that instant (however slow the machine, the hold comes first).
    const [held] = rowsOf<{ notBefore: Date | string }>(
      await env.baton.database.db.execute(
        sql`select not_before as "notBefore" from outbox where handoff_id = ${id} and channel = ${String(limited!.body.channel)}`,
      ),
    );
    const heldUntil = new Date(held!.notBefore).getTime();
    expect(heldUntil - limited!.at.getTime()).toBeGreaterThanOrEqual(1_000);
    expect(retry.at.getTime()).toBeGreaterThanOrEqual(heldUntil);
    expect(cardsIn('C0SMB', id)).toHaveLength(1);
    expect(env.baton.logs.some((l) => l.includes('slack rate limit; holding channel'))).toBe(true);
  });

  it('a burst of 5xx is retried with backoff until Slack recovers', async () => {
    env.slack.failNext('chat.postMessage', { status: 503 }, 4);
    const id = await handOff();
    await env.slack.waitFor(forHandoff(id), { count: 6, timeoutMs: 15_000 });
    await env.baton.outbox.idle();
    expect(cardsIn('C0SMB', id)).toHaveLength(1);
  });

  it('Slack posted but the answer was lost: the retry finds the card instead of posting a second', async () => {
    env.slack.failNext('chat.postMessage', { lostAnswer: true });
    const id = await handOff();
    await env.slack.waitFor((c) => c.method === 'conversations.history', { timeoutMs: 8_000 });
    await env.baton.outbox.idle();
    expect(cardsIn('C0SMB', id).length + cardsIn('C0MARKETING', id).length).toBeGreaterThanOrEqual(1);
    const allPosted = [...env.slack.messages('C0SMB'), ...env.slack.messages('C0MARKETING')].filter(
      (m) => (m.metadata as { event_payload: { handoff_id: string } } | undefined)?.event_payload.handoff_id === id,
    );
    expect(allPosted).toHaveLength(2);
    expect(String(env.slack.callsTo('conversations.history')[0]!.body.include_all_metadata)).toBe('true');
  });

  it('a hanging Slack times out and the delivery is retried', async () => {
    env.slack.failNext('chat.postMessage', { hang: true });
    const id = await handOff();
    await env.slack.waitFor(forHandoff(id), { count: 3, timeoutMs: 25_000 });
    await env.baton.outbox.idle();
    expect(
      cardsIn('C0SMB', id).length +
        env.slack
          .messages('C0MARKETING')
          .filter((m) => (m.metadata as { event_payload: { handoff_id: string } }).event_payload.handoff_id === id)
          .length,
    ).toBe(2);
  }, 40_000);

  it('a channel Slack refuses (bot not invited) is retried and logged as an error naming the channel and the fix, not dropped', async () => {
    env.slack.failNext('chat.postMessage', { ok: false, error: 'not_in_channel' }, 2);
    const id = await handOff();
    await env.slack.waitFor(forHandoff(id), { count: 4, timeoutMs: 8_000 });
    await env.baton.outbox.idle();
    const lines = env.baton.logs
      .map((l) => JSON.parse(l) as { level: number; msg: string; error?: string; channel?: string })
      .filter((l) => l.error === 'not_in_channel' && l.level === 50);
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      expect(['C0SMB', 'C0MARKETING']).toContain(l.channel);
      expect(l.msg).toBe(
        `Baton is not a member of channel ${l.channel!}: invite it there (/invite @Baton); the delivery is retried until then`,
      );
    }
    expect(cardsIn('C0SMB', id)).toHaveLength(1);
  });
  it('a thread reply whose answer was lost is found in the thread on retry, not posted twice', async () => {
    const h = await postedHandoff(env);
    env.slack.failNext('chat.postMessage', { lostAnswer: true });
    await accept(h);
    const [search] = await env.slack.waitFor('conversations.replies', { timeoutMs: 8_000 });
    await env.baton.outbox.idle();
    expect(search!.body).toMatchObject({ channel: 'C0MARKETING', ts: h.noteTs });
    expect(String(search!.body.include_all_metadata)).toBe('true');
    const replies = env.slack.messages('C0MARKETING').filter((m) => m.thread_ts === h.noteTs);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toContain('Accepted by');
    expect(env.slack.callsTo('chat.postMessage').filter((c) => c.body.thread_ts === h.noteTs)).toHaveLength(1);
  });
});

const outboxRows = async (handoffId: string) =>
  rowsOf<{ kind: string; status: string; attempts: number; last_error: string | null }>(
    await env.baton.database.db.execute(
      sql`select kind, status, attempts, last_error from outbox where handoff_id = ${handoffId} order by id`,
    ),
  );
const recorded = async (handoffId: string, kind: string) =>
  rowsOf<{ channel: string; ts: string }>(
    await env.baton.database.db.execute(
      sql`select channel, ts from slack_messages where handoff_id = ${handoffId} and kind = ${kind}`,
    ),
  )[0];
const accept = (h: PostedHandoff) =>
  clickHandoff(env, { kind: 'accept', handoffId: h.handoffId, userId: h.rep, messageTs: h.cardTs });

describe('Slack errors that retrying cannot fix end the delivery', () => {
  it('a card deleted in Slack is posted afresh on its next update, and the new message is the card from then on', async () => {
    const h = await postedHandoff(env);
    env.slack.deleteMessage('C0SMB', h.cardTs);
    await accept(h);
    await env.slack.waitFor((c) => c.method === 'chat.update', { timeoutMs: 8_000 });
    await env.baton.outbox.idle();

    const cards = cardsIn('C0SMB', h.handoffId);
    expect(cards).toHaveLength(1);
    expect(cards[0]!.ts).not.toBe(h.cardTs);
    expect(JSON.stringify(cards[0]!.blocks)).toContain('Accepted');
    expect(await recorded(h.handoffId, 'card')).toEqual({ channel: 'C0SMB', ts: cards[0]!.ts });
    expect((await outboxRows(h.handoffId)).filter((r) => r.kind === 'update_card')).toEqual([
      { kind: 'update_card', status: 'done', attempts: 1, last_error: null },
    ]);
    expect(env.baton.logs.some((l) => l.includes('the card is gone from Slack; posting it afresh'))).toBe(true);
    // The chat.update that found nothing was the only one: no retry loop.
    expect(env.slack.callsTo('chat.update')).toHaveLength(1);
  });

  it('a decision whose thread parent (the marketing note) was deleted is told in the channel, naming the lead', async () => {
    const h = await postedHandoff(env);
    env.slack.deleteMessage('C0MARKETING', h.noteTs);
    await accept(h);
    await env.slack.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.channel === 'C0MARKETING' &&
        c.body.thread_ts === undefined &&
        String(c.body.text).includes('Accepted by'),
      { timeoutMs: 8_000 },
    );
    await env.baton.outbox.idle();
    const inChannel = env.slack
      .messages('C0MARKETING')
      .filter((m) => m.thread_ts === undefined && m.text.includes('Accepted by'));
    expect(inChannel).toHaveLength(1);
    expect(inChannel[0]!.text).toMatch(/^\*Flo L\d+\*: /);
    expect(env.slack.messages('C0MARKETING').filter((m) => m.thread_ts === h.noteTs)).toHaveLength(0);
    expect((await outboxRows(h.handoffId)).every((r) => r.status === 'done')).toBe(true);
  });

  it('an archived channel ends the delivery as dead after one attempt, logged with its channel', async () => {
    env.slack.archiveChannel('C0SMB');
    const id = await handOff();
    await env.slack.waitFor(forHandoff(id), { count: 2, timeoutMs: 8_000 });
    await env.baton.outbox.idle();
    expect((await outboxRows(id)).find((r) => r.kind === 'post_card')).toEqual({
      kind: 'post_card',
      status: 'dead',
      attempts: 1,
      last_error: 'is_archived (C0SMB)',
    });
    expect(env.slack.calls.filter((c) => forHandoff(id)(c) && c.body.channel === 'C0SMB')).toHaveLength(1);
    const line = env.baton.logs
      .map((l) => JSON.parse(l) as { level: number; msg: string; channel?: string; error?: string })
      .find((l) => l.error === 'is_archived (C0SMB)');
    expect(line).toMatchObject({ level: 50, channel: 'C0SMB' });
    expect(line!.msg).toContain('npm run outbox -- list');
  });

  it.each(['channel_not_found', 'invalid_blocks'])(
    '%s on a card update ends it as dead, not retried',
    async (error) => {
      const h = await postedHandoff(env);
      env.slack.failNext('chat.update', { ok: false, error });
      await accept(h);
      await env.slack.waitFor((c) => c.method === 'chat.update', { timeoutMs: 8_000 });
      await env.baton.outbox.idle();
      const update = (await outboxRows(h.handoffId)).find((r) => r.kind === 'update_card')!;
      expect(update.status).toBe('dead');
      expect(update.attempts).toBe(1);
      expect(env.slack.callsTo('chat.update')).toHaveLength(1);
    },
  );
});
