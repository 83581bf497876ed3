import { describe, expect, it } from 'vitest';
import { BOT_TOKEN, SIGNING_SECRET, useBatonWithSlack } from '../helpers/app.js';

const env = useBatonWithSlack({
  standIn: { appToken: 'xapp-1-test' },
  baton: {
    config: {
      slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: 'xapp-1-test', apiUrl: undefined },
    },
  },
});

describe('Socket Mode (SLACK_APP_TOKEN set)', () => {
  it('connects out to Slack through SLACK_API_URL with the app token', async () => {
    await env.slack.socketConnected();
    expect(env.slack.callsTo('apps.connections.open').at(-1)!.headers.authorization).toBe('Bearer xapp-1-test');
  });

  it('answers a slash command that arrives over the socket', async () => {
    await env.slack.socketConnected();
    const ack = await env.slack.sendEnvelope('slash_commands', {
      command: '/baton',
      text: 'help',
      user_id: 'U0ANA',
      channel_id: 'C0SMB',
      team_id: 'T0BATON',
      response_url: `${env.slack.responseUrl}/s`,
      trigger_id: '1.2.3',
    });
    expect(ack.payload).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('/baton help') as unknown,
    });
  });

  it('keeps serving health and readiness on HTTP, and takes no Slack traffic there', async () => {
    expect((await fetch(`${env.baton.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${env.baton.url}/slack/events`, { method: 'POST' })).status).toBe(404);
  });
});
