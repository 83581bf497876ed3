import { blockList, str } from './slack-body.js';
import type { SlackUsers, StoredFileRef, StoredMessage } from './slack-records.js';
import { viewAnswer, type SlackScreens } from './slack-screens.js';
import type { SlackWorkspace } from './slack-workspace.js';

/*
 * The Slack stand-in's Web API methods, one function each, answering like Slack for the methods
 * Baton uses. They see the workspace and screens, never HTTP: failures, tokens and saving are the
 * server's part (src/sandbox/slack-standin.ts).
 */

export interface MethodContext {
  workspace: SlackWorkspace;
  screens: SlackScreens;
  teamId: string;
  botUserId: string;
  botId: string;
  users: SlackUsers | undefined;
  /** The stand-in's address: upload URLs and url_private point there. */
  base: string;
  /** How many calls were recorded: views.update of an unknown view makes up its id from it. */
  callCount: () => number;
}

type Body = Record<string, unknown>;
type Answer = Record<string, unknown>;
type Method = (body: Body, ctx: MethodContext) => Answer;

/** The DM channel id conversations.open answers for a user. */
export function dmChannelFor(user: string): string {
  return `D${user.replace(/^U/, '').slice(0, 10)}`;
}

const authTest: Method = (_body, ctx) => ({
  ok: true,
  url: 'https://baton-test.slack.com/',
  team: 'Baton Test',
  user: 'baton',
  team_id: ctx.teamId,
  user_id: ctx.botUserId,
  bot_id: ctx.botId,
});

const postMessage: Method = (body, { workspace, botUserId }) => {
  const channel = str(body.channel);
  if (channel === '') return { ok: false, error: 'channel_not_found' };
  if (workspace.isArchived(channel)) return { ok: false, error: 'is_archived' };
  // Like Slack: a reply needs its parent to exist.
  if (body.thread_ts && !workspace.message(channel, str(body.thread_ts)))
    return { ok: false, error: 'thread_not_found' };
  const msg = workspace.post({
    channel,
    text: str(body.text),
    blocks: (body.blocks as unknown[] | undefined) ?? [],
    user: botUserId,
    ...(body.thread_ts ? { thread_ts: str(body.thread_ts) } : {}),
    ...(body.metadata ? { metadata: body.metadata } : {}),
  });
  return {
    ok: true,
    channel,
    ts: msg.ts,
    message: {
      type: 'message',
      text: msg.text,
      blocks: msg.blocks,
      user: botUserId,
      ts: msg.ts,
      ...(msg.thread_ts ? { thread_ts: msg.thread_ts } : {}),
      ...(msg.metadata ? { metadata: msg.metadata } : {}),
    },
  };
};

const update: Method = (body, { workspace }) => {
  const channel = str(body.channel);
  const msg = workspace.message(channel, body.ts);
  if (!msg) return { ok: false, error: 'message_not_found' };
  workspace.edit(
    msg,
    body.text === undefined ? msg.text : str(body.text),
    body.blocks ? (body.blocks as unknown[]) : msg.blocks,
  );
  return { ok: true, channel, ts: msg.ts, text: msg.text };
};

const postEphemeral: Method = (body, { workspace }) => ({
  ok: true,
  message_ts: workspace.addEphemeral(str(body.user), str(body.channel), str(body.text), blockList(body.blocks)),
});

const getPermalink: Method = (body) => {
  const channel = str(body.channel);
  return {
    ok: true,
    channel,
    permalink: `https://baton-test.slack.com/archives/${channel}/p${str(body.message_ts).replace('.', '')}`,
  };
};

const wantsMetadata = (body: Body): boolean =>
  body.include_all_metadata === true || body.include_all_metadata === 'true';

/** A message as conversations.history and .replies list it: metadata only when asked for. */
function listed(m: StoredMessage, withMeta: boolean, fields: Record<string, unknown>): Answer {
  return {
    type: 'message',
    user: m.user,
    text: m.text,
    ts: m.ts,
    ...fields,
    ...(withMeta && m.metadata ? { metadata: m.metadata } : {}),
  };
}

const history: Method = (body, { workspace }) => {
  const oldest = Number(body.oldest ?? 0);
  // Like Slack: newest first, `limit` a page (at most 999), an opaque cursor for the next page.
  const limit = Math.min(999, Number(body.limit ?? 100));
  const offset = body.cursor
    ? Number(Buffer.from(str(body.cursor), 'base64').toString('utf8').replace('offset:', ''))
    : 0;
  const all = workspace
    .messages(str(body.channel))
    .filter((m) => m.thread_ts === undefined && Number(m.ts) >= oldest)
    .reverse();
  const page = all.slice(offset, offset + limit);
  const hasMore = offset + limit < all.length;
  return {
    ok: true,
    has_more: hasMore,
    messages: page.map((m) => listed(m, wantsMetadata(body), m.files ? { files: m.files } : {})),
    response_metadata: { next_cursor: hasMore ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '' },
  };
};

const replies: Method = (body, { workspace }) => {
  const list = workspace.messages(str(body.channel)).filter((m) => m.ts === body.ts || m.thread_ts === body.ts);
  if (!list.some((m) => m.ts === body.ts)) return { ok: false, error: 'thread_not_found' };
  return {
    ok: true,
    has_more: false,
    messages: list.map((m) => listed(m, wantsMetadata(body), { thread_ts: m.thread_ts ?? m.ts })),
  };
};

const getUploadURL: Method = (body, { workspace, base }) => {
  const length = Number(body.length);
  if (str(body.filename) === '' || !Number.isInteger(length) || length <= 0)
    return { ok: false, error: 'invalid_arguments' };
  const file = workspace.announceFile(
    str(body.filename),
    length,
    body.alt_text !== undefined ? str(body.alt_text) : undefined,
  );
  return { ok: true, upload_url: `${base}/upload/${file.id}`, file_id: file.id };
};

const completeUpload: Method = (body, { workspace, base, botUserId }) => {
  // Like Slack: the bytes must have arrived, whole, before the upload is completed.
  const listedFiles = (Array.isArray(body.files) ? body.files : []) as { id?: unknown; title?: unknown }[];
  const complete = listedFiles.map((f) => ({ file: workspace.file(str(f.id)), title: str(f.title) }));
  if (complete.length === 0 || complete.some((f) => f.file?.bytes?.length !== f.file?.length || f.file === undefined))
    return { ok: false, error: 'file_not_found' };
  const refs: StoredFileRef[] = complete.map(({ file, title }) => ({
    id: file!.id,
    name: file!.filename,
    title: title || file!.filename,
    mimetype: file!.filename.endsWith('.png') ? 'image/png' : 'application/octet-stream',
    ...(file!.altText !== undefined ? { alt_txt: file!.altText } : {}),
    url_private: `${base}/files/${file!.id}`,
  }));
  const target = str(body.channel_id);
  if (target !== '') {
    workspace.post({
      channel: target,
      text: str(body.initial_comment),
      blocks: [],
      user: botUserId,
      files: refs,
      ...(body.thread_ts ? { thread_ts: str(body.thread_ts) } : {}),
    });
  }
  return { ok: true, files: refs.map((r) => ({ id: r.id, title: r.title })) };
};

const openConversation: Method = (body) => ({ ok: true, channel: { id: dmChannelFor(str(body.users)) } });

const userInfo: Method = (body, { users }) => {
  const user = str(body.user);
  const known = users?.[user];
  return known
    ? {
        ok: true,
        user: {
          id: user,
          real_name: known.real_name,
          tz: known.tz,
          profile: { real_name: known.real_name, ...(known.email !== undefined ? { email: known.email } : {}) },
        },
      }
    : { ok: false, error: 'user_not_found' };
};

const lookupByEmail: Method = (body, { users }) => {
  const email = str(body.email).toLowerCase();
  const found = Object.entries(users ?? {}).find(([, u]) => u.email?.toLowerCase() === email);
  return found
    ? {
        ok: true,
        user: { id: found[0], real_name: found[1].real_name, tz: found[1].tz, profile: { email: found[1].email } },
      }
    : { ok: false, error: 'users_not_found' };
};

const openView: Method = (body, { screens }) => viewAnswer(screens.open(str(body.trigger_id), body.view, false));

const pushView: Method = (body, { screens }) => viewAnswer(screens.open(str(body.trigger_id), body.view, true));

const updateView: Method = (body, { screens, callCount }) => {
  const v = screens.update(str(body.view_id), body.view);
  return v
    ? viewAnswer(v)
    : {
        ok: true,
        view: { id: `V${String(callCount()).padStart(8, '0')}`, ...(body.view as Record<string, unknown> | undefined) },
      };
};

const publishView: Method = (body, { screens }) => viewAnswer(screens.publish(str(body.user_id), body.view));

const METHODS = new Map<string, Method>([
  ['auth.test', authTest],
  ['chat.postMessage', postMessage],
  ['chat.update', update],
  ['chat.postEphemeral', postEphemeral],
  ['chat.getPermalink', getPermalink],
  ['conversations.history', history],
  ['conversations.replies', replies],
  ['conversations.open', openConversation],
  ['files.getUploadURLExternal', getUploadURL],
  ['files.completeUploadExternal', completeUpload],
  ['users.info', userInfo],
  ['users.lookupByEmail', lookupByEmail],
  ['views.open', openView],
  ['views.push', pushView],
  ['views.update', updateView],
  ['views.publish', publishView],
]);

/** Slack's answer to an authorised call of `method`. */
export function answerMethod(method: string, body: Body, ctx: MethodContext): Answer {
  return METHODS.get(method)?.(body, ctx) ?? { ok: false, error: 'unknown_method' };
}
