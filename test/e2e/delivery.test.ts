import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { SIGNING_SECRET, useBatonWithSlack } from '../helpers/app.js';
import { postedHandoff, postMql } from '../helpers/flows.js';
import { blockActionsPayload, sendInteraction } from '../helpers/slack-sign.js';
import { encodeAction } from '../../src/slack/ids.js';
import type { RecordedCall } from '../helpers/slack-standin.js';

const env = useBatonWithSlack({ baton: { outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50, maxBackoffMs: 300 } } });
beforeEach(async () => {
  await env.baton.outbox.idle();
  env.slack.reset();
});

const handOff = () => postMql(env);

const forHandoff = (id: string) => (c: RecordedCall) => c.method === 'chat.postMessage' && (c.body.metadata as { event_payload?: { handoff_id?: string } } | undefined)?.event_payload?.handoff_id === id;
const cardsIn = (channel: string, id: string) => env.slack.messages(channel).filter((m) => (m.metadata as { event_type: string; event_payload: { handoff_id: string } } | undefined)?.event_payload.handoff_id === id && (m.metadata as { event_type: string }).event_type === 'baton_card');

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
    const [held] = rowsOf<{ notBefore: Date | string }>(await env.baton.database.db.execute(sql`select not_before as "notBefore" from outbox where handoff_id = ${id} and channel = ${String(limited!.body.channel)}`));
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
    const allPosted = [...env.slack.messages('C0SMB'), ...env.slack.messages('C0MARKETING')].filter((m) => (m.metadata as { event_payload: { handoff_id: string } } | undefined)?.event_payload.handoff_id === id);
    expect(allPosted).toHaveLength(2);
    expect(String(env.slack.callsTo('conversations.history')[0]!.body.include_all_metadata)).toBe('true');
  });

  it('a hanging Slack times out and the delivery is retried', async () => {
    env.slack.failNext('chat.postMessage', { hang: true });
    const id = await handOff();
    await env.slack.waitFor(forHandoff(id), { count: 3, timeoutMs: 25_000 });
    await env.baton.outbox.idle();
    expect(cardsIn('C0SMB', id).length + env.slack.messages('C0MARKETING').filter((m) => (m.metadata as { event_payload: { handoff_id: string } }).event_payload.handoff_id === id).length).toBe(2);
  }, 40_000);

  it('a channel Slack refuses (bot not invited) is retried and logged as an error, not dropped', async () => {
    env.slack.failNext('chat.postMessage', { ok: false, error: 'not_in_channel' }, 2);
    const id = await handOff();
    await env.slack.waitFor(forHandoff(id), { count: 4, timeoutMs: 8_000 });
    await env.baton.outbox.idle();
    expect(env.baton.logs.some((l) => l.includes('not_in_channel') && l.includes('"level":50'))).toBe(true);
    expect(cardsIn('C0SMB', id)).toHaveLength(1);
  });
  it('a thread reply whose answer was lost is found in the thread on retry, not posted twice', async () => {
    const h = await postedHandoff(env);
    env.slack.failNext('chat.postMessage', { lostAnswer: true });
    await sendInteraction(env.baton.url, SIGNING_SECRET, blockActionsPayload({ actionId: encodeAction({ kind: 'accept', handoffId: h.handoffId }), value: h.handoffId, userId: h.rep, teamId: 'T0BATON', channelId: 'C0SMB', messageTs: h.cardTs, responseUrl: `${env.slack.responseUrl}/${h.rep}` }));
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
