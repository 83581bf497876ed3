import { FORM_TYPE, interactionBody, sendSigned, type SignOptions, type SlackReply } from '../../src/sandbox/sign.js';
import {
  blockActions,
  newTriggerId,
  slashCommandFields,
  viewSubmission,
  type Actor,
} from '../../src/sandbox/slack-payloads.js';

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
}

/** The tests know a user only by id; the sandbox's builders name them by it too. */
const actor = (id: string): Actor => ({ id, name: id });

/** A slash command's form body, as the sandbox page sends it, typed in a channel named 'sales'. */
export function slashCommandBody(f: SlashCommandFields): string {
  const fields = slashCommandFields({
    teamId: f.team_id,
    person: actor(f.user_id),
    channel: { id: f.channel_id, name: 'sales' },
    command: f.command,
    text: f.text,
    responseUrl: f.response_url,
    triggerId: newTriggerId(),
  });
  return new URLSearchParams(fields).toString();
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

/** A block_actions payload for a button in the bot's message `messageTs`, as the sandbox page sends it. */
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
  return blockActions({
    teamId: a.teamId,
    person: actor(a.userId),
    triggerId: a.triggerId ?? newTriggerId(),
    click: { actionId: a.actionId, blockId: a.blockId, value: a.value },
    place: {
      in: 'message',
      channel: { id: a.channelId, name: 'sales' },
      ts: a.messageTs,
      message: { ts: a.messageTs, channel: a.channelId, text: 'card', blocks: [], user: 'U0BATONBOT' },
      ephemeral: undefined,
      responseUrl: a.responseUrl,
    },
  });
}

/** A view_submission payload for a modal the tests did not open through the stand-in, as the sandbox page sends it. */
export function viewSubmissionPayload(v: {
  callbackId: string;
  values: Record<string, Record<string, unknown>>;
  privateMetadata: string;
  userId: string;
  teamId: string;
}): Record<string, unknown> {
  return viewSubmission({
    teamId: v.teamId,
    person: actor(v.userId),
    triggerId: newTriggerId(),
    modal: {
      id: 'V0MODAL',
      hash: '1569362015.55b5e41b',
      view: {
        type: 'modal',
        callback_id: v.callbackId,
        private_metadata: v.privateMetadata,
        title: { type: 'plain_text', text: 'Baton' },
        blocks: [],
        bot_id: 'B0BATON',
      },
    },
    values: v.values,
  });
}
