import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBaton, type TestBaton } from '../helpers/app.js';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-standin.js';

let slack: SlackStandIn;
let baton: TestBaton;
beforeAll(async () => {
  slack = await startSlackStandIn({ appToken: 'xapp-1-test' });
  baton = await startTestBaton({ slackApiUrl: slack.url, config: { slack: { botToken: 'xoxb-test', signingSecret: '8f742231b10e8888abcd99yyyzzz85a5', appToken: 'xapp-1-test', apiUrl: slack.url } } });
});
afterAll(async () => {
  await baton.close();
  await slack.close();
});

describe('Socket Mode (SLACK_APP_TOKEN set)', () => {
  it('connects out to Slack through SLACK_API_URL with the app token', async () => {
    await slack.socketConnected();
    expect(slack.callsTo('apps.connections.open').at(-1)!.headers.authorization).toBe('Bearer xapp-1-test');
  });

  it('answers a slash command that arrives over the socket', async () => {
    await slack.socketConnected();
    const ack = await slack.sendEnvelope('slash_commands', { command: '/baton', text: 'help', user_id: 'U0ANA', channel_id: 'C0SMB', team_id: 'T0BATON', response_url: `${slack.responseUrl}/s`, trigger_id: '1.2.3' });
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/baton help') as unknown });
  });

  it('keeps serving health and readiness on HTTP, and takes no Slack traffic there', async () => {
    expect((await fetch(`${baton.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${baton.url}/slack/events`, { method: 'POST' })).status).toBe(404);
  });
});
