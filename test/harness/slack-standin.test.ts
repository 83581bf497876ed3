import webApi from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { useSlackStandIn } from '../helpers/slack-standin.js';

const { WebClient, ErrorCode } = webApi;

const env = useSlackStandIn();

const client = (opts: ConstructorParameters<typeof WebClient>[1] = {}, token = 'xoxb-test') =>
  new WebClient(token, {
    slackApiUrl: env.slack.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    ...opts,
  });

describe('Slack stand-in, driven by the real WebClient', () => {
  it('answers auth.test and refuses an unknown token like Slack', async () => {
    expect(await client().auth.test()).toMatchObject({ ok: true, team_id: 'T0BATON', bot_id: 'B0BATON' });
    await expect(client({}, 'xoxb-wrong').auth.test()).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'invalid_auth' },
    });
  });

  it('records posts with JSON fields decoded, and returns metadata only when asked', async () => {
    const posted = await client().chat.postMessage({
      channel: 'C1',
      text: 'hi',
      blocks: [{ type: 'divider' }],
      metadata: { event_type: 'baton_card', event_payload: { handoff_id: 'h1' } },
    });
    expect(env.slack.callsTo('chat.postMessage')[0]!.body).toMatchObject({
      channel: 'C1',
      blocks: [{ type: 'divider' }],
      metadata: { event_type: 'baton_card' },
    });
    const plain = await client().conversations.history({ channel: 'C1' });
    expect(plain.messages?.[0]).not.toHaveProperty('metadata');
    const withMeta = await client().conversations.history({ channel: 'C1', include_all_metadata: true });
    expect(withMeta.messages?.[0]).toMatchObject({ ts: posted.ts, metadata: { event_payload: { handoff_id: 'h1' } } });
  });

  it('updates a message in place and keeps thread replies apart', async () => {
    const parent = await client().chat.postMessage({ channel: 'C2', text: 'parent' });
    await client().chat.postMessage({ channel: 'C2', text: 'reply', thread_ts: parent.ts! });
    await client().chat.update({ channel: 'C2', ts: parent.ts!, text: 'edited' });
    expect(env.slack.messages('C2').map((m) => [m.text, m.thread_ts ?? null, m.edited ?? false])).toEqual([
      ['edited', null, true],
      ['reply', parent.ts, false],
    ]);
  });

  it('answers 429 with Retry-After, which the client reports as a rate limit', async () => {
    env.slack.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 7 });
    await expect(client().chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 7,
    });
    await expect(client().chat.postMessage({ channel: 'C1', text: 'x' })).resolves.toMatchObject({ ok: true });
  });

  it('answers 5xx, which the client reports as an HTTP error', async () => {
    env.slack.failNext('*', { status: 503 });
    await expect(client().chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.HTTPError,
      statusCode: 503,
    });
  });

  it('hangs until the client gives up', async () => {
    env.slack.failNext('chat.postMessage', { hang: true });
    const calls = env.slack.callsTo('chat.postMessage').length;
    // The client's own timeout ends it (the request reached the stand-in, which never answered).
    await expect(client({ timeout: 300 }).chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.RequestError,
      original: { name: 'TimeoutError' },
    });
    expect(env.slack.callsTo('chat.postMessage')).toHaveLength(calls + 1);
  });

  it('fails at a seeded random rate, reproducibly', async () => {
    const outcomes = async (): Promise<string> => {
      env.slack.failRandomly('chat.postMessage', { rate: 0.5, failures: [{ status: 500 }], seed: 7 });
      let s = '';
      for (let i = 0; i < 20; i++)
        s += await client()
          .chat.postMessage({ channel: 'C1', text: 'x' })
          .then(
            () => '.',
            () => 'x',
          );
      env.slack.stopFailing();
      return s;
    };
    const first = await outcomes();
    expect(first).toMatch(/x/);
    expect(first).toMatch(/\./);
    expect(await outcomes()).toBe(first);
  });

  it('waitFor resolves when enough matching calls arrived', async () => {
    const waiting = env.slack.waitFor('chat.postEphemeral', { count: 2, timeoutMs: 2_000 });
    await client().chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'a' });
    await client().chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'b' });
    expect((await waiting).map((c) => c.body.text)).toEqual(['a', 'b']);
  });
});
