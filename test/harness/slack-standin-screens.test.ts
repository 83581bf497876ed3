import webApi from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { dmChannelFor, useSlackStandIn } from '../helpers/slack-standin.js';

/* What the stand-in keeps per person for the sandbox page: ephemeral messages, modals, App Home. */

const { WebClient } = webApi;

const env = useSlackStandIn();

const client = () => new WebClient('xoxb-test', { slackApiUrl: env.slack.url, retryConfig: { retries: 0 } });
const modal = (title: string) => ({
  type: 'modal' as const,
  title: { type: 'plain_text' as const, text: title },
  blocks: [],
});
const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('Slack stand-in: per-person screens', () => {
  it('keeps chat.postEphemeral per user and grows its version on every change', async () => {
    const before = env.slack.version();
    let heard = 0;
    const off = env.slack.onChange(() => {
      heard += 1;
    });
    await client().chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'only you' });
    off();
    expect(env.slack.ephemeral('U1')).toMatchObject([{ channel: 'C1', user: 'U1', text: 'only you' }]);
    expect(env.slack.ephemeral('U2')).toEqual([]);
    expect(env.slack.version()).toBeGreaterThan(before);
    expect(heard).toBeGreaterThan(0);
  });

  it('opens, pushes and updates modals on the screen of whoever owns the trigger', async () => {
    env.slack.registerTrigger('t1', 'U1');
    const opened = await client().views.open({ trigger_id: 't1', view: modal('First') });
    env.slack.registerTrigger('t2', 'U1');
    const pushed = await client().views.push({ trigger_id: 't2', view: modal('Second') });
    expect(env.slack.modals('U1').map((v) => v.id)).toEqual([opened.view?.id, pushed.view?.id]);
    await client().views.update({ view_id: opened.view?.id ?? '', view: modal('First, edited') });
    expect(env.slack.modals('U1').map((v) => (v.view.title as { text: string }).text)).toEqual([
      'First, edited',
      'Second',
    ]);
    expect(env.slack.modals('U2')).toEqual([]);
  });

  it('applies a view_submission answer as Slack does: errors keep it, nothing closes it, clear closes all', async () => {
    env.slack.registerTrigger('t1', 'U1');
    const a = await client().views.open({ trigger_id: 't1', view: modal('A') });
    env.slack.registerTrigger('t2', 'U1');
    const b = await client().views.push({ trigger_id: 't2', view: modal('B') });
    env.slack.applyViewResponse('U1', b.view?.id ?? '', { response_action: 'errors', errors: { x: 'bad' } });
    expect(env.slack.modals('U1')).toHaveLength(2);
    env.slack.applyViewResponse('U1', b.view?.id ?? '', undefined);
    expect(env.slack.modals('U1').map((v) => v.id)).toEqual([a.view?.id]);
    env.slack.applyViewResponse('U1', a.view?.id ?? '', { response_action: 'update', view: modal('A2') });
    expect(env.slack.modals('U1').map((v) => [v.id, (v.view.title as { text: string }).text])).toEqual([
      [a.view?.id, 'A2'],
    ]);
    env.slack.applyViewResponse('U1', a.view?.id ?? '', { response_action: 'clear' });
    expect(env.slack.modals('U1')).toEqual([]);
  });

  it('publishes one App Home per user, keeping its view id', async () => {
    const first = await client().views.publish({ user_id: 'U1', view: { type: 'home', blocks: [] } });
    const again = await client().views.publish({
      user_id: 'U1',
      view: { type: 'home', blocks: [{ type: 'divider' }] },
    });
    expect(again.view?.id).toBe(first.view?.id);
    expect(env.slack.home('U1')?.view.blocks).toEqual([{ type: 'divider' }]);
    expect(env.slack.home('U2')).toBeUndefined();
  });

  it('response_url posts: ephemeral to the user, in_channel to the channel, replace/delete the original', async () => {
    const original = await client().chat.postMessage({ channel: 'C1', text: 'card' });
    const url = env.slack.responseUrlFor('U1', 'C1', original.ts);
    expect((await post(url, { response_type: 'ephemeral', text: 'just you' })).status).toBe(200);
    expect(env.slack.ephemeral('U1').map((e) => e.text)).toEqual(['just you']);
    await post(url, { response_type: 'in_channel', text: 'everyone' });
    expect(env.slack.messages('C1').map((m) => m.text)).toEqual(['card', 'everyone']);
    await post(url, { replace_original: true, text: 'card, replaced' });
    expect(env.slack.messages('C1').map((m) => m.text)).toEqual(['card, replaced', 'everyone']);
    await post(url, { delete_original: true });
    expect(env.slack.messages('C1').map((m) => m.text)).toEqual(['everyone']);
    expect(env.slack.callsTo('response_url')).toHaveLength(4);
  });

  it('names DM channels the way conversations.open answers them', async () => {
    expect((await client().conversations.open({ users: 'U0ANA' })).channel?.id).toBe(dmChannelFor('U0ANA'));
  });
});
