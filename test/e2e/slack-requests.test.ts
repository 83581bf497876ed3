import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { SIGNING_SECRET, useBatonWithSlack } from '../helpers/app.js';
import {
  sendEvent,
  sendInteraction,
  sendSlashCommand,
  blockActionsPayload,
  type SlashCommandFields,
} from '../helpers/slack-sign.js';

const env = useBatonWithSlack();

const command = (text: string): SlashCommandFields => ({
  command: '/baton',
  text,
  user_id: 'U0ANA',
  channel_id: 'C0SMB',
  team_id: 'T0BATON',
  response_url: `${env.slack.responseUrl}/cmd`,
});

async function rowCounts(): Promise<Record<string, number>> {
  const rows = rowsOf<{ t: string; n: number }>(
    await env.baton.database.db.execute(
      sql`select 'events' as t, count(*)::int as n from events union all select 'outbox', count(*)::int from outbox union all select 'leads', count(*)::int from leads`,
    ),
  );
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}

describe('requests to /slack/events', () => {
  it('a signed slash command is acknowledged with an answer', async () => {
    const reply = await sendSlashCommand(env.baton.url, SIGNING_SECRET, command('help'));
    // 200 is Bolt's acknowledgement: a listener that does not ack within 3 s gets a 404 from Bolt
    // itself. How fast acks are is measured by `npm run bench:ack`, not here.
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('/baton help') as unknown,
    });
  });

  it('unknown input gets usage help, not silence', async () => {
    const reply = await sendSlashCommand(env.baton.url, SIGNING_SECRET, command('frobnicate'));
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      text: expect.stringMatching(/does not know `frobnicate`[\s\S]*\/baton help/) as unknown,
    });
  });

  it.each([
    ['unsigned', { unsigned: true }],
    ['signed with the wrong secret', { forgeWith: 'ffffffffffffffffffffffffffffffff' }],
    ['six minutes old', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
    // Correctly signed, so only the clock check can refuse it (Bolt looks at the past only).
    ['six minutes in the future', { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 }],
  ])('a slash command %s gets 401 and changes nothing', async (_name, opts) => {
    const before = await rowCounts();
    const callsBefore = env.slack.calls.length;
    const reply = await sendSlashCommand(env.baton.url, SIGNING_SECRET, command('help'), opts);
    expect(reply.status).toBe(401);
    expect(reply.body).not.toMatch(/baton help/);
    expect(await rowCounts()).toEqual(before);
    expect(env.slack.calls.length).toBe(callsBefore);
  });

  it('a forged button click and a forged event get 401 too', async () => {
    const click = blockActionsPayload({
      actionId: 'baton:v1:accept:00000000-0000-4000-8000-000000000000',
      userId: 'U0ANA',
      teamId: 'T0BATON',
      channelId: 'C0SMB',
      messageTs: '1.2',
      responseUrl: `${env.slack.responseUrl}/x`,
    });
    expect((await sendInteraction(env.baton.url, SIGNING_SECRET, click, { forgeWith: '0'.repeat(32) })).status).toBe(
      401,
    );
    expect(
      (
        await sendEvent(
          env.baton.url,
          SIGNING_SECRET,
          { type: 'event_callback', event: { type: 'app_home_opened', user: 'U0ANA', tab: 'home' } },
          { unsigned: true },
        )
      ).status,
    ).toBe(401);
  });

  it("answers Slack's URL verification challenge", async () => {
    const reply = await sendEvent(env.baton.url, SIGNING_SECRET, {
      type: 'url_verification',
      challenge: 'c-123',
      token: 't',
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ challenge: 'c-123' });
  });
});

describe('our own routes', () => {
  it('/readyz says ready once migrations are applied; /healthz always answers', async () => {
    expect((await fetch(`${env.baton.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${env.baton.url}/healthz`)).json()).toEqual({ ok: true });
  });

  it('unknown paths and wrong methods get the one error envelope', async () => {
    const missing = await fetch(`${env.baton.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'No route /nope.' } });
    const wrong = await fetch(`${env.baton.url}/healthz`, { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(await wrong.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
  });

  it('HEAD is GET without the body; OPTIONS lists the methods', async () => {
    const head = await fetch(`${env.baton.url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const options = await fetch(`${env.baton.url}/api/leads`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('POST, OPTIONS');
  });
});
