import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { prng } from './prng.js';
import { waitForCalls } from './wait-for-calls.js';

/*
 * A stand-in for Slack's Web API on loopback: it records every call and answers like Slack for
 * the methods Baton uses. It can be told to fail (429 with Retry-After, 5xx, a hang, ok:false)
 * so retry and exactly-once behaviour is tested against real HTTP. No test framework inside:
 * the sandbox can serve it too.
 */

export interface RecordedCall {
  method: string;
  at: Date;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
}

export interface StoredMessage {
  ts: string;
  channel: string;
  text: string;
  blocks: unknown[];
  user: string;
  thread_ts?: string;
  metadata?: unknown;
  edited?: boolean;
  /** Files shared with the message (files.completeUploadExternal). */
  files?: StoredFileRef[];
}

/** A file as a message carries it; `url_private` serves its bytes from the stand-in. */
export interface StoredFileRef {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  alt_txt?: string;
  url_private: string;
}

/** An uploaded file: what files.getUploadURLExternal announced and the bytes posted to its upload URL. */
export interface StoredFile {
  id: string;
  filename: string;
  length: number;
  altText?: string;
  bytes?: Buffer;
}

/** An ephemeral message: chat.postEphemeral, or a response_url post with response_type ephemeral. */
export interface StoredEphemeral {
  ts: string;
  channel: string;
  user: string;
  text: string;
  blocks: unknown[];
}

/** A modal or App Home view as Slack holds it: the app's view plus its id and hash. */
export interface StoredView {
  id: string;
  hash: string;
  view: Record<string, unknown>;
}

export type Failure =
  | { status: 429; retryAfterSeconds: number }
  | { status: 500 | 502 | 503 }
  | { hang: true }
  | { ok: false; error: string }
  /** Slack acts on the request, then the connection drops before the answer: the case exactly-once is about. */
  | { lostAnswer: true };

export interface SlackStandIn {
  /** Base URL for SLACK_API_URL / slackApiUrl, ending in /api/. */
  url: string;
  /** Where response_url posts go: `${responseUrl}/<anything>`. */
  responseUrl: string;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  waitFor(
    match: string | ((c: RecordedCall) => boolean),
    opts?: { count?: number; timeoutMs?: number },
  ): Promise<RecordedCall[]>;
  failNext(method: string, failure: Failure, times?: number): void;
  failRandomly(method: string, opts: { rate: number; failures: Failure[]; seed?: number }): void;
  stopFailing(): void;
  messages(channel: string): StoredMessage[];
  /** As if someone deleted the message in Slack: later calls naming its ts answer message_not_found / thread_not_found. */
  deleteMessage(channel: string, ts: string): void;
  /** As if the channel were archived: posts to it answer is_archived. */
  archiveChannel(channel: string): void;
  /** Socket Mode: resolves once an app has connected with the app token and been greeted. */
  socketConnected(timeoutMs?: number): Promise<void>;
  /** Socket Mode: pushes an envelope (e.g. 'slash_commands') and resolves with the app's acknowledgement. */
  sendEnvelope(type: string, payload: unknown, timeoutMs?: number): Promise<{ envelope_id: string; payload?: unknown }>;
  /** Ephemeral messages shown to `user`, oldest first. */
  ephemeral(user: string): StoredEphemeral[];
  addEphemeral(user: string, channel: string, reply: { text?: unknown; blocks?: unknown }): void;
  /** The modal stack per user (views.open/push/update), top last. */
  modals(user: string): StoredView[];
  /** What the app's answer to a view_submission does to `user`'s modal stack. */
  applyViewResponse(user: string, viewId: string, response: unknown): void;
  /** The App Home tab per user (views.publish). */
  home(user: string): StoredView | undefined;
  /** Who a trigger_id belongs to, so views.open knows whose screen the modal opens on. */
  registerTrigger(triggerId: string, user: string): void;
  /** A response_url for `user` in `channel`; `messageTs` is the message replace_original edits. */
  responseUrlFor(user: string, channel: string, messageTs?: string): string;
  /** An uploaded file by id, with its bytes once they were posted to the upload URL. */
  file(id: string): StoredFile | undefined;
  /** Every channel that has messages. */
  channelIds(): string[];
  /** Grows on every change a viewer could see. */
  version(): number;
  onChange(listener: () => void): () => void;
  reset(): void;
  close(): Promise<void>;
}

/** The DM channel id conversations.open answers for a user. */
export function dmChannelFor(user: string): string {
  return `D${user.replace(/^U/, '').slice(0, 10)}`;
}

/** Changes to what the stand-in keeps: messages as they are now, removed messages, files whose bytes arrived. */
export interface StandInChanges {
  messages: StoredMessage[];
  removed: { channel: string; ts: string }[];
  files: StoredFile[];
}

/**
 * Where the sandbox keeps the stand-in's channels and files, so that a restart on the same data
 * finds the cards Baton's rows point at. Ephemeral messages, modals and App Home tabs are not
 * kept: Slack's clients lose them on a reload too, and Baton draws App Home again when opened.
 */
export interface StandInStore {
  /** Read once, before the stand-in answers its first call. */
  load(): Promise<{ messages: StoredMessage[]; files: StoredFile[] }>;
  /** Awaited before the call that made the changes is answered: like Slack, kept before it says ok. */
  save(changes: StandInChanges): Promise<void>;
}

export interface StandInOptions {
  token?: string;
  appToken?: string;
  teamId?: string;
  botUserId?: string;
  botId?: string;
  users?: Record<string, { real_name: string; tz: string; email?: string }>;
  store?: StandInStore;
}

function decodeBody(raw: string, type: string): Record<string, unknown> {
  if (raw === '') return {};
  if (type.startsWith('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    // The Web API client sends arrays and objects (blocks, metadata, view) as JSON strings.
    if (/^[[{]/.test(v)) {
      try {
        out[k] = JSON.parse(v) as unknown;
        continue;
      } catch {
        // plain text that happens to start with a bracket
      }
    }
    out[k] = v;
  }
  return out;
}

/** A form or JSON field as text, whatever the sender encoded it as. */
function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return v === undefined || v === null ? '' : JSON.stringify(v);
}

/** Like Slack's upload URL: the file as the raw body, or as the file part of a multipart form. */
function uploadedBytes(req: IncomingMessage, body: Buffer): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers['content-type'] ?? '');
  if (!boundary) return body;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2] ?? ''}`);
  for (let at = body.indexOf(delimiter); at >= 0;) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(at + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0 && /filename=/i.test(part.subarray(0, headerEnd).toString('utf8')))
      return part.subarray(headerEnd + 4);
    at = next;
  }
  return Buffer.alloc(0);
}

export async function startSlackStandIn(opts: StandInOptions = {}): Promise<SlackStandIn> {
  const token = opts.token ?? 'xoxb-test';
  const appToken = opts.appToken ?? 'xapp-test';
  let socket: WebSocket | undefined;
  const socketWaiters = new Set<() => void>();
  const acks = new Map<string, (ack: { envelope_id: string; payload?: unknown }) => void>();
  const kept = opts.store ? await opts.store.load() : undefined;
  const teamId = opts.teamId ?? 'T0BATON';
  const botUserId = opts.botUserId ?? 'U0BATONBOT';
  const botId = opts.botId ?? 'B0BATON';
  const calls: RecordedCall[] = [];
  const channels = new Map<string, StoredMessage[]>();
  const archived = new Set<string>();
  const ephemerals = new Map<string, StoredEphemeral[]>();
  const modalStacks = new Map<string, StoredView[]>();
  const homes = new Map<string, StoredView>();
  const triggers = new Map<string, string>();
  const files = new Map<string, StoredFile>();
  let fileSeq = 0;
  // What changed since the store last saved; saves run one after another, in the order of changes.
  const dirty = new Set<StoredMessage>();
  const removed = new Map<string, { channel: string; ts: string }>();
  const filesDone = new Set<StoredFile>();
  let saving: Promise<void> = Promise.resolve();
  const changeListeners = new Set<() => void>();
  let changes = 0;
  let viewSeq = 0;
  const changed = (): void => {
    changes += 1;
    for (const l of [...changeListeners]) l();
  };
  const storeEphemeral = (user: string, channel: string, text: unknown, blocks: unknown): string => {
    const ts = nextTs();
    ephemerals.set(user, [
      ...(ephemerals.get(user) ?? []),
      { ts, channel, user, text: str(text), blocks: Array.isArray(blocks) ? (blocks as unknown[]) : [] },
    ]);
    return ts;
  };
  const newView = (view: unknown, id?: string): StoredView => {
    viewSeq += 1;
    return {
      id: id ?? `V${String(viewSeq).padStart(8, '0')}`,
      hash: `${Math.floor(Date.now() / 1000)}.${viewSeq.toString(16).padStart(8, '0')}`,
      view: (view ?? {}) as Record<string, unknown>,
    };
  };
  /** Where a view id lives: a user's modal stack (with its index) or a Home tab. */
  const findView = (viewId: string): { user: string; index: number } | undefined => {
    for (const [user, stack] of modalStacks) {
      const index = stack.findIndex((v) => v.id === viewId);
      if (index >= 0) return { user, index };
    }
    return undefined;
  };
  const viewAnswer = (v: StoredView): Record<string, unknown> => ({
    ok: true,
    view: { ...v.view, id: v.id, hash: v.hash, state: { values: {} } },
  });
  const scripted = new Map<string, Failure[]>();
  let chaos: { method: string; rate: number; failures: Failure[]; random: () => number } | undefined;
  const hanging = new Set<ServerResponse>();
  const waiters = new Set<() => void>();
  // Like Slack's: epoch seconds with a per-message suffix, unique and increasing.
  let lastTs = 0;
  const nextTs = (): string => {
    lastTs = Math.max(lastTs + 1, Date.now() * 1000);
    return `${Math.floor(lastTs / 1_000_000)}.${String(lastTs % 1_000_000).padStart(6, '0')}`;
  };
  const addMessage = (msg: StoredMessage): void => {
    channels.set(msg.channel, [...(channels.get(msg.channel) ?? []), msg]);
    dirty.add(msg);
  };
  const removeMessage = (channel: string, ts: string): void => {
    const gone = channels.get(channel)?.find((m) => m.ts === ts);
    if (!gone) return;
    channels.set(
      channel,
      (channels.get(channel) ?? []).filter((m) => m !== gone),
    );
    dirty.delete(gone);
    removed.set(`${channel}\u0000${ts}`, { channel, ts });
  };
  /** Hands what changed to the store, if there is one; resolves once it is kept. */
  const persist = (): Promise<void> => {
    const store = opts.store;
    if (!store || (dirty.size === 0 && removed.size === 0 && filesDone.size === 0)) return saving;
    // Copied now: a later edit of the same message is the next batch's.
    const changes: StandInChanges = {
      messages: [...dirty].map((m) => ({ ...m })),
      removed: [...removed.values()],
      files: [...filesDone],
    };
    dirty.clear();
    removed.clear();
    filesDone.clear();
    const saved = saving.then(() => store.save(changes));
    // A failed save fails the call that made the changes (Baton retries it), not every later one.
    saving = saved.catch(() => undefined);
    return saved;
  };

  function pickFailure(method: string): Failure | undefined {
    for (const key of [method, '*']) {
      const list = scripted.get(key);
      if (list && list.length > 0) return list.shift();
    }
    if (chaos && (chaos.method === method || chaos.method === '*') && chaos.random() < chaos.rate) {
      return chaos.failures[Math.floor(chaos.random() * chaos.failures.length)];
    }
    return undefined;
  }

  function answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    const channel = str(body.channel);
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://baton-test.slack.com/',
          team: 'Baton Test',
          user: 'baton',
          team_id: teamId,
          user_id: botUserId,
          bot_id: botId,
        };
      case 'chat.postMessage': {
        if (channel === '') return { ok: false, error: 'channel_not_found' };
        if (archived.has(channel)) return { ok: false, error: 'is_archived' };
        // Like Slack: a reply needs its parent to exist.
        if (body.thread_ts && !channels.get(channel)?.some((m) => m.ts === str(body.thread_ts)))
          return { ok: false, error: 'thread_not_found' };
        const msg: StoredMessage = {
          ts: nextTs(),
          channel,
          text: str(body.text),
          blocks: (body.blocks as unknown[] | undefined) ?? [],
          user: botUserId,
          ...(body.thread_ts ? { thread_ts: str(body.thread_ts) } : {}),
          ...(body.metadata ? { metadata: body.metadata } : {}),
        };
        addMessage(msg);
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
      }
      case 'chat.update': {
        const msg = channels.get(channel)?.find((m) => m.ts === body.ts);
        if (!msg) return { ok: false, error: 'message_not_found' };
        msg.text = body.text === undefined ? msg.text : str(body.text);
        if (body.blocks) msg.blocks = body.blocks as unknown[];
        msg.edited = true;
        dirty.add(msg);
        return { ok: true, channel, ts: msg.ts, text: msg.text };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: storeEphemeral(str(body.user), channel, body.text, body.blocks) };
      case 'chat.getPermalink':
        return {
          ok: true,
          channel,
          permalink: `https://baton-test.slack.com/archives/${channel}/p${str(body.message_ts).replace('.', '')}`,
        };
      case 'conversations.history': {
        const oldest = Number(body.oldest ?? 0);
        const withMeta = body.include_all_metadata === true || body.include_all_metadata === 'true';
        // Like Slack: newest first, `limit` a page (at most 999), an opaque cursor for the next page.
        const limit = Math.min(999, Number(body.limit ?? 100));
        const offset = body.cursor
          ? Number(Buffer.from(str(body.cursor), 'base64').toString('utf8').replace('offset:', ''))
          : 0;
        const all = (channels.get(channel) ?? [])
          .filter((m) => m.thread_ts === undefined && Number(m.ts) >= oldest)
          .reverse();
        const page = all.slice(offset, offset + limit);
        const hasMore = offset + limit < all.length;
        return {
          ok: true,
          has_more: hasMore,
          messages: page.map((m) => ({
            type: 'message',
            user: m.user,
            text: m.text,
            ts: m.ts,
            ...(m.files ? { files: m.files } : {}),
            ...(withMeta && m.metadata ? { metadata: m.metadata } : {}),
          })),
          response_metadata: { next_cursor: hasMore ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '' },
        };
      }
      case 'conversations.replies': {
        const withMeta = body.include_all_metadata === true || body.include_all_metadata === 'true';
        const list = (channels.get(channel) ?? []).filter((m) => m.ts === body.ts || m.thread_ts === body.ts);
        if (!list.some((m) => m.ts === body.ts)) return { ok: false, error: 'thread_not_found' };
        return {
          ok: true,
          has_more: false,
          messages: list.map((m) => ({
            type: 'message',
            user: m.user,
            text: m.text,
            ts: m.ts,
            thread_ts: m.thread_ts ?? m.ts,
            ...(withMeta && m.metadata ? { metadata: m.metadata } : {}),
          })),
        };
      }
      case 'files.getUploadURLExternal': {
        const length = Number(body.length);
        if (str(body.filename) === '' || !Number.isInteger(length) || length <= 0)
          return { ok: false, error: 'invalid_arguments' };
        fileSeq += 1;
        const id = `F${String(fileSeq).padStart(9, '0')}`;
        files.set(id, {
          id,
          filename: str(body.filename),
          length,
          ...(body.alt_text !== undefined ? { altText: str(body.alt_text) } : {}),
        });
        return { ok: true, upload_url: `${base}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        // Like Slack: the bytes must have arrived, whole, before the upload is completed.
        const listed = (Array.isArray(body.files) ? body.files : []) as { id?: unknown; title?: unknown }[];
        const complete = listed.map((f) => ({ file: files.get(str(f.id)), title: str(f.title) }));
        if (
          complete.length === 0 ||
          complete.some((f) => f.file?.bytes?.length !== f.file?.length || f.file === undefined)
        )
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
          addMessage({
            ts: nextTs(),
            channel: target,
            text: str(body.initial_comment),
            blocks: [],
            user: botUserId,
            files: refs,
            ...(body.thread_ts ? { thread_ts: str(body.thread_ts) } : {}),
          });
        }
        return { ok: true, files: refs.map((r) => ({ id: r.id, title: r.title })) };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: dmChannelFor(str(body.users)) } };
      case 'users.info': {
        const user = str(body.user);
        const known = opts.users?.[user];
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
      }
      case 'users.lookupByEmail': {
        const email = str(body.email).toLowerCase();
        const found = Object.entries(opts.users ?? {}).find(([, u]) => u.email?.toLowerCase() === email);
        return found
          ? {
              ok: true,
              user: {
                id: found[0],
                real_name: found[1].real_name,
                tz: found[1].tz,
                profile: { email: found[1].email },
              },
            }
          : { ok: false, error: 'users_not_found' };
      }
      case 'views.open':
      case 'views.push': {
        const user = triggers.get(str(body.trigger_id));
        // Slack cannot tell whose screen an unknown trigger is for; a stand-in used without the
        // sandbox page registers none, and gets the plain answer without a stored modal.
        const v = newView(body.view);
        if (user !== undefined)
          modalStacks.set(user, method === 'views.open' ? [v] : [...(modalStacks.get(user) ?? []), v]);
        return viewAnswer(v);
      }
      case 'views.update': {
        const at = findView(str(body.view_id));
        if (!at)
          return {
            ok: true,
            view: {
              id: `V${String(calls.length).padStart(8, '0')}`,
              ...(body.view as Record<string, unknown> | undefined),
            },
          };
        const stack = modalStacks.get(at.user) ?? [];
        const v = newView(body.view, str(body.view_id));
        stack[at.index] = v;
        return viewAnswer(v);
      }
      case 'views.publish': {
        const v = newView(body.view, homes.get(str(body.user_id))?.id);
        homes.set(str(body.user_id), v);
        return viewAnswer(v);
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  function notify(): void {
    for (const w of [...waiters]) w();
  }

  /** The upload URL files.getUploadURLExternal hands out, and the file's bytes for url_private. */
  async function handleFileBytes(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const [, kind, id] = url.pathname.split('/');
    const file = files.get(id ?? '');
    if (kind === 'upload' && file && req.method === 'POST') {
      const bytes = uploadedBytes(req, body);
      calls.push({
        method: 'file_upload',
        at: new Date(),
        body: { file_id: file.id, bytes: bytes.length },
        headers: req.headers,
      });
      file.bytes = bytes;
      filesDone.add(file);
      await persist();
      notify();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`OK - ${bytes.length}`);
      return;
    }
    if (kind === 'files' && file?.bytes && req.method === 'GET') {
      res.writeHead(200, {
        'content-type': file.filename.endsWith('.png') ? 'image/png' : 'application/octet-stream',
        'content-length': file.bytes.length,
      });
      res.end(file.bytes);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('file_not_found');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (/^\/(upload|files)\//.test(url.pathname)) {
      await handleFileBytes(req, res, url, Buffer.concat(chunks));
      return;
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    const isResponseUrl = url.pathname.startsWith('/response/');
    const method = isResponseUrl ? 'response_url' : url.pathname.replace(/^\/api\//, '');
    const body = decodeBody(raw, req.headers['content-type'] ?? '');
    calls.push({ method, at: new Date(), body, headers: req.headers });
    notify();

    const failure = pickFailure(method);
    if (failure) {
      if ('hang' in failure) {
        hanging.add(res);
        return;
      }
      if ('lostAnswer' in failure) {
        answer(method, body);
        await persist();
        res.socket?.destroy();
        return;
      }
      if ('status' in failure) {
        res.writeHead(failure.status, {
          'content-type': 'application/json',
          ...(failure.status === 429 ? { 'retry-after': String(failure.retryAfterSeconds) } : {}),
        });
        res.end(JSON.stringify({ ok: false, error: failure.status === 429 ? 'ratelimited' : 'internal_error' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(failure));
      return;
    }
    if (isResponseUrl) {
      applyResponseUrl(url.pathname, body);
      await persist();
      changed();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    const auth = req.headers.authorization ?? `Bearer ${str(body.token)}`;
    const result =
      method === 'apps.connections.open'
        ? auth === `Bearer ${appToken}`
          ? { ok: true, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link` }
          : { ok: false, error: 'invalid_auth' }
        : auth === `Bearer ${token}`
          ? answer(method, body)
          : { ok: false, error: 'invalid_auth' };
    await persist();
    if (result.ok === true) changed();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result));
  }

  /** A response_url made by responseUrlFor: /response/<user>/<channel>/<message ts or ->/<nonce>. */
  function applyResponseUrl(pathname: string, body: Record<string, unknown>): void {
    const [user, channel, messageTs] = pathname.split('/').slice(2, 5).map(decodeURIComponent);
    if (user === undefined || channel === undefined || messageTs === undefined) return;
    if (body.delete_original === true) {
      removeMessage(channel, messageTs);
      return;
    }
    const original = channels.get(channel)?.find((m) => m.ts === messageTs);
    if (body.replace_original === true && original) {
      original.text = str(body.text);
      original.blocks = Array.isArray(body.blocks) ? (body.blocks as unknown[]) : [];
      original.edited = true;
      dirty.add(original);
      return;
    }
    if (body.response_type === 'in_channel') {
      addMessage({
        ts: nextTs(),
        channel,
        text: str(body.text),
        blocks: Array.isArray(body.blocks) ? (body.blocks as unknown[]) : [],
        user: botUserId,
      });
      return;
    }
    storeEphemeral(user, channel, body.text, body.blocks);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, sock, head) => {
    wss.handleUpgrade(req, sock, head, (ws) => {
      socket = ws;
      ws.on('message', (data: Buffer) => {
        const ack = JSON.parse(data.toString('utf8')) as { envelope_id?: string; payload?: unknown };
        if (ack.envelope_id !== undefined)
          acks.get(ack.envelope_id)?.({ envelope_id: ack.envelope_id, payload: ack.payload });
      });
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          debug_info: { host: 'standin', approximate_connection_time: 18060 },
          connection_info: { app_id: 'A0BATON' },
        }),
      );
      for (const w of [...socketWaiters]) w();
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve();
    }),
  );
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  // What an earlier run kept; its files are served from this run's address.
  for (const f of kept?.files ?? []) {
    files.set(f.id, f);
    fileSeq = Math.max(fileSeq, Number(f.id.slice(1)) || 0);
  }
  for (const m of kept?.messages ?? []) {
    const [seconds = '0', micros = '0'] = m.ts.split('.');
    lastTs = Math.max(lastTs, Number(seconds) * 1_000_000 + Number(micros));
    channels.set(m.channel, [
      ...(channels.get(m.channel) ?? []),
      m.files ? { ...m, files: m.files.map((f) => ({ ...f, url_private: `${base}/files/${f.id}` })) } : m,
    ]);
  }

  const matcher = (match: string | ((c: RecordedCall) => boolean)) =>
    typeof match === 'string' ? (c: RecordedCall) => c.method === match : match;

  return {
    url: `${base}/api/`,
    responseUrl: `${base}/response`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitFor(match, { count = 1, timeoutMs = 10_000 } = {}) {
      const test = matcher(match);
      return waitForCalls(calls, waiters, test, {
        count,
        timeoutMs,
        failure: (seen) => `stand-in: waited ${timeoutMs} ms for ${count} call(s), saw ${seen}`,
      });
    },
    failNext(method, failure, times = 1) {
      scripted.set(method, [...(scripted.get(method) ?? []), ...Array.from({ length: times }, () => failure)]);
    },
    failRandomly(method, { rate, failures, seed = 42 }) {
      chaos = { method, rate, failures, random: prng(seed) };
    },
    stopFailing() {
      scripted.clear();
      chaos = undefined;
    },
    messages: (channel) => channels.get(channel) ?? [],
    deleteMessage(channel, ts) {
      removeMessage(channel, ts);
      changed();
    },
    archiveChannel(channel) {
      archived.add(channel);
    },
    ephemeral: (user) => ephemerals.get(user) ?? [],
    addEphemeral(user, channel, reply) {
      storeEphemeral(user, channel, reply.text, reply.blocks);
      changed();
    },
    modals: (user) => modalStacks.get(user) ?? [],
    applyViewResponse(user, viewId, response) {
      const r = (typeof response === 'object' && response !== null ? response : {}) as Record<string, unknown>;
      const stack = modalStacks.get(user) ?? [];
      const index = stack.findIndex((v) => v.id === viewId);
      // Slack's rules: no answer closes the submitted view; clear closes all; errors keep it open.
      if (r.response_action === 'errors') return;
      if (r.response_action === 'clear') modalStacks.set(user, []);
      else if (r.response_action === 'update' && index >= 0) stack[index] = newView(r.view, viewId);
      else if (r.response_action === 'push') stack.push(newView(r.view));
      else if (index >= 0) stack.splice(index, 1);
      changed();
    },
    home: (user) => homes.get(user),
    registerTrigger(triggerId, user) {
      triggers.set(triggerId, user);
    },
    responseUrlFor: (user, channel, messageTs) =>
      `${base}/response/${[user, channel, messageTs ?? '-', randomUUID()].map(encodeURIComponent).join('/')}`,
    file: (id) => files.get(id),
    channelIds: () => [...channels.keys()],
    version: () => changes,
    onChange(listener) {
      changeListeners.add(listener);
      return () => {
        changeListeners.delete(listener);
      };
    },
    socketConnected(timeoutMs = 10_000) {
      if (socket) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error('stand-in: no Socket Mode connection'));
        }, timeoutMs);
        socketWaiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    sendEnvelope(type, payload, timeoutMs = 5_000) {
      const ws = socket;
      if (!ws) return Promise.reject(new Error('stand-in: no Socket Mode connection'));
      const envelopeId = randomUUID();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          acks.delete(envelopeId);
          reject(new Error(`stand-in: envelope ${type} not acknowledged`));
        }, timeoutMs);
        acks.set(envelopeId, (ack) => {
          clearTimeout(timer);
          acks.delete(envelopeId);
          resolve(ack);
        });
        ws.send(
          JSON.stringify({
            envelope_id: envelopeId,
            type,
            payload,
            accepts_response_payload: true,
            retry_attempt: 0,
            retry_reason: '',
          }),
        );
      });
    },
    reset() {
      calls.length = 0;
      channels.clear();
      archived.clear();
      ephemerals.clear();
      modalStacks.clear();
      homes.clear();
      triggers.clear();
      files.clear();
      fileSeq = 0;
      dirty.clear();
      removed.clear();
      filesDone.clear();
      scripted.clear();
      chaos = undefined;
    },
    async close() {
      // What a test changed by hand (deleteMessage) is kept too.
      await persist();
      for (const res of hanging) res.destroy();
      for (const client of wss.clients) client.terminate();
      wss.close();
      hanging.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
