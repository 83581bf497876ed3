import { FORM_TYPE, interactionBody, sendSigned, type SignOptions, type SlackReply } from '../../src/sandbox/sign.js';

// One implementation of Slack's signing: the sandbox ships it, the tests use the very same one.
export { signSlackRequest, type SlackReply } from '../../src/sandbox/sign.js';

export interface SendOptions extends SignOptions {
  path?: string;
}

function send(
  baseUrl: string,
  secret: string,
  rawBody: string,
  contentType: string,
  opts: SendOptions,
): Promise<SlackReply> {
  return sendSigned(new URL(opts.path ?? '/slack/events', baseUrl), secret, rawBody, contentType, opts);
}

export interface SlashCommandFields {
  command: string;
  text: string;
  user_id: string;
  channel_id: string;
  team_id: string;
  response_url: string;
  trigger_id?: string;
  user_name?: string;
  channel_name?: string;
  team_domain?: string;
  api_app_id?: string;
}

export function slashCommandBody(fields: SlashCommandFields): string {
  const full = {
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    team_domain: 'baton-test',
    channel_name: 'sales',
    user_name: fields.user_id.toLowerCase(),
    api_app_id: 'A0BATON',
    trigger_id: `${Date.now()}.1234.abcdef`,
    ...fields,
  };
  return new URLSearchParams(full).toString();
}

export function sendSlashCommand(
  baseUrl: string,
  secret: string,
  fields: SlashCommandFields,
  opts: SendOptions = {},
): Promise<SlackReply> {
  return send(baseUrl, secret, slashCommandBody(fields), FORM_TYPE, opts);
}

export function sendInteraction(
  baseUrl: string,
  secret: string,
  payload: unknown,
  opts: SendOptions = {},
): Promise<SlackReply> {
  return send(baseUrl, secret, interactionBody(payload), FORM_TYPE, opts);
}

export function sendEvent(
  baseUrl: string,
  secret: string,
  envelope: unknown,
  opts: SendOptions = {},
): Promise<SlackReply> {
  return send(baseUrl, secret, JSON.stringify(envelope), 'application/json', opts);
}

/** A block_actions payload shaped like Slack's for a button in a message (Slack's block_actions payload reference). */
export function blockActionsPayload(a: {
  actionId: string;
  value?: string;
  userId: string;
  teamId: string;
  channelId: string;
  messageTs: string;
  responseUrl: string;
  triggerId?: string;
  blockId?: string;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: a.userId, username: a.userId.toLowerCase(), name: a.userId.toLowerCase(), team_id: a.teamId },
    api_app_id: 'A0BATON',
    token: 'verification_token',
    container: { type: 'message', message_ts: a.messageTs, channel_id: a.channelId, is_ephemeral: false },
    trigger_id: a.triggerId ?? `${Date.now()}.1234.abcdef`,
    team: { id: a.teamId, domain: 'baton-test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: a.channelId, name: 'sales' },
    message: { type: 'message', user: 'U0BATONBOT', ts: a.messageTs, text: 'card', bot_id: 'B0BATON' },
    state: { values: {} },
    response_url: a.responseUrl,
    actions: [
      {
        action_id: a.actionId,
        block_id: a.blockId ?? 'actions',
        text: { type: 'plain_text', text: 'button', emoji: true },
        value: a.value ?? '',
        type: 'button',
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

/** A view_submission payload shaped like Slack's (its view interaction payload reference). */
export function viewSubmissionPayload(v: {
  callbackId: string;
  values: Record<string, Record<string, unknown>>;
  privateMetadata: string;
  userId: string;
  teamId: string;
}): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: v.teamId, domain: 'baton-test' },
    user: { id: v.userId, username: v.userId.toLowerCase(), name: v.userId.toLowerCase(), team_id: v.teamId },
    api_app_id: 'A0BATON',
    token: 'verification_token',
    trigger_id: `${Date.now()}.1234.abcdef`,
    view: {
      id: 'V0MODAL',
      team_id: v.teamId,
      type: 'modal',
      callback_id: v.callbackId,
      private_metadata: v.privateMetadata,
      state: { values: v.values },
      hash: '1569362015.55b5e41b',
      title: { type: 'plain_text', text: 'Baton' },
      blocks: [],
      app_id: 'A0BATON',
      bot_id: 'B0BATON',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}
