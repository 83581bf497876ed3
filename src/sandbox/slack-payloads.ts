import { randomBytes } from 'node:crypto';
import type { SandboxPerson } from './people.js';
import type { StoredEphemeral, StoredMessage, StoredView } from './slack-records.js';

/*
 * What Slack sends an app when someone in the sandbox page types a command, clicks, submits a
 * modal or opens App Home: the payloads alone, built from what the Slack stand-in shows. Sending
 * them, signed, is src/sandbox/routes.ts's part.
 */

const APP_ID = 'A0BATON';
const VERIFICATION_TOKEN = 'sandbox-verification-token';
const TEAM_DOMAIN = 'baton-sandbox';

/** Who acts: their id and name are all a payload shows of them, so the tests can act as users no policy names. */
export type Actor = Pick<SandboxPerson, 'id' | 'name'>;

/** A trigger_id shaped like Slack's: milliseconds, a number and a hex token. */
export const newTriggerId = (): string =>
  `${Date.now()}.${Math.floor(Math.random() * 1e10)}.${randomBytes(16).toString('hex')}`;

/** The user field of an interaction payload. */
function userField(p: Actor, teamId: string): { id: string; username: string; name: string; team_id: string } {
  const username = p.name.toLowerCase().replace(/\s+/g, '.');
  return { id: p.id, username, name: username, team_id: teamId };
}

/** Slash command form fields. */
export function slashCommandFields(a: {
  teamId: string;
  person: Actor;
  channel: { id: string; name: string };
  command: string;
  text: string;
  responseUrl: string;
  triggerId: string;
}): Record<string, string> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: a.teamId,
    team_domain: TEAM_DOMAIN,
    channel_id: a.channel.id,
    channel_name: a.channel.name,
    user_id: a.person.id,
    user_name: userField(a.person, a.teamId).username,
    command: a.command,
    text: a.text,
    api_app_id: APP_ID,
    response_url: a.responseUrl,
    trigger_id: a.triggerId,
  };
}

/** What was clicked: a button with its value, or a select that dispatches its choice. */
export interface Click {
  actionId: string;
  blockId?: string | undefined;
  value?: string | undefined;
  selected?: { value: string; text: string } | undefined;
}

function action(c: Click, actionTs: string): Record<string, unknown> {
  return c.selected
    ? {
        action_id: c.actionId,
        block_id: c.blockId ?? 'actions',
        type: 'static_select',
        selected_option: { text: { type: 'plain_text', text: c.selected.text, emoji: true }, value: c.selected.value },
        action_ts: actionTs,
      }
    : {
        action_id: c.actionId,
        block_id: c.blockId ?? 'actions',
        text: { type: 'plain_text', text: 'button', emoji: true },
        value: c.value ?? '',
        type: 'button',
        action_ts: actionTs,
      };
}

/** Where a click happened: a modal or the App Home, or a message (in a channel, or ephemeral). */
export type ClickPlace =
  | { in: 'view'; viewId: string; view: Record<string, unknown>; hash: string | undefined }
  | {
      in: 'message';
      channel: { id: string; name: string };
      ts: string;
      message: StoredMessage | undefined;
      ephemeral: StoredEphemeral | undefined;
      responseUrl: string;
    };

function container(place: ClickPlace, teamId: string): Record<string, unknown> {
  if (place.in === 'view')
    return {
      container: { type: 'view', view_id: place.viewId },
      view: {
        ...place.view,
        id: place.viewId,
        ...(place.hash !== undefined ? { hash: place.hash } : {}),
        team_id: teamId,
        state: { values: {} },
        app_id: APP_ID,
      },
    };
  const m = place.message;
  return {
    container: {
      type: 'message',
      message_ts: place.ts,
      channel_id: place.channel.id,
      is_ephemeral: place.ephemeral !== undefined,
    },
    channel: place.channel,
    // A button in an ephemeral message: Slack sends no message body for those, only the container.
    ...(m
      ? {
          message: {
            type: 'message',
            user: m.user,
            ts: m.ts,
            text: m.text,
            blocks: m.blocks,
            ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
          },
        }
      : {}),
    state: { values: {} },
    response_url: place.responseUrl,
  };
}

/** A block_actions payload. */
export function blockActions(a: {
  teamId: string;
  person: Actor;
  triggerId: string;
  click: Click;
  place: ClickPlace;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: userField(a.person, a.teamId),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: a.triggerId,
    team: { id: a.teamId, domain: TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    actions: [action(a.click, String(Date.now() / 1000))],
    ...container(a.place, a.teamId),
  };
}

/** A view_submission payload: the modal as stored, with the values typed into it. */
export function viewSubmission(a: {
  teamId: string;
  person: Actor;
  triggerId: string;
  modal: StoredView;
  values: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: a.teamId, domain: TEAM_DOMAIN },
    user: userField(a.person, a.teamId),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: a.triggerId,
    view: {
      ...a.modal.view,
      id: a.modal.id,
      hash: a.modal.hash,
      team_id: a.teamId,
      type: 'modal',
      state: { values: a.values },
      app_id: APP_ID,
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** An app_home_opened event callback. */
export function appHomeOpened(teamId: string, person: SandboxPerson): Record<string, unknown> {
  const nowSeconds = Date.now() / 1000;
  return {
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    api_app_id: APP_ID,
    event: {
      type: 'app_home_opened',
      user: person.id,
      channel: person.dm,
      tab: 'home',
      event_ts: nowSeconds.toFixed(6),
    },
    type: 'event_callback',
    event_id: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
    event_time: Math.floor(nowSeconds),
    authorizations: [
      { enterprise_id: null, team_id: teamId, user_id: 'U0BATONBOT', is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
  };
}
