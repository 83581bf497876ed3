import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CallLog } from './call-log.js';
import { ChangeSignal } from './change-signal.js';
import { FailurePlan } from './failure-plan.js';
import { listenOnLoopback, type Handler } from './loopback.js';
import { blockList, decodeBody, str, uploadedBytes } from './slack-body.js';
import { SlackJournal } from './slack-journal.js';
import { answerMethod, type MethodContext } from './slack-methods.js';
import type {
  Failure,
  RecordedCall,
  SlackUsers,
  StandInStore,
  StoredEphemeral,
  StoredFile,
  StoredMessage,
  StoredView,
} from './slack-records.js';
import { SlackScreens } from './slack-screens.js';
import { SocketModeLink } from './slack-socket.js';
import { SlackWorkspace } from './slack-workspace.js';

export { dmChannelFor } from './slack-methods.js';
export type {
  Failure,
  RecordedCall,
  SlackUsers,
  StandInChanges,
  StandInStore,
  StoredEphemeral,
  StoredFile,
  StoredFileRef,
  StoredMessage,
  StoredView,
} from './slack-records.js';

/*
 * A stand-in for Slack's Web API on loopback: it records every call and answers like Slack for
 * the methods Baton uses. It can be told to fail (429 with Retry-After, 5xx, a hang, ok:false)
 * so retry and exactly-once behaviour is tested against real HTTP. No test framework inside:
 * the sandbox can serve it too. Its parts: the call log (src/sandbox/call-log.ts), the failure
 * plan (src/sandbox/failure-plan.ts), the workspace's channels and files
 * (src/sandbox/slack-workspace.ts) saved through src/sandbox/slack-journal.ts, people's screens
 * (src/sandbox/slack-screens.ts), the methods (src/sandbox/slack-methods.ts), Socket Mode
 * (src/sandbox/slack-socket.ts); here, the HTTP side that puts them together.
 */

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

export interface StandInOptions {
  token?: string;
  appToken?: string;
  teamId?: string;
  botUserId?: string;
  botId?: string;
  users?: SlackUsers;
  store?: StandInStore;
}

/** What the stand-in's HTTP side works with. */
interface Served {
  log: CallLog<RecordedCall>;
  failures: FailurePlan<Failure>;
  journal: SlackJournal;
  workspace: SlackWorkspace;
  signal: ChangeSignal;
  methods: MethodContext;
  hold(res: ServerResponse): void;
  token: string;
  appToken: string;
  /** What apps.connections.open hands out. */
  socketUrl: string;
}

function slackHandler(s: Served): Handler {
  return async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (/^\/(upload|files)\//.test(url.pathname)) {
      await fileBytes(s, req, res, url, Buffer.concat(chunks));
      return;
    }
    const isResponseUrl = url.pathname.startsWith('/response/');
    const method = isResponseUrl ? 'response_url' : url.pathname.replace(/^\/api\//, '');
    const body = decodeBody(Buffer.concat(chunks).toString('utf8'), req.headers['content-type'] ?? '');
    s.log.record({ method, at: new Date(), body, headers: req.headers });
    s.log.announce();

    const failure = s.failures.next(method);
    if (failure) {
      await fail(s, failure, res, () => answerMethod(method, body, s.methods));
      return;
    }
    if (isResponseUrl) {
      applyResponseUrl(s, url.pathname, body);
      await s.journal.persist();
      s.signal.changed();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    const result = authorised(s, req, method, body);
    await s.journal.persist();
    if (result.ok === true) s.signal.changed();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result));
  };
}

/** A Web API call's answer: the app token opens Socket Mode, the bot token calls the methods. */
function authorised(
  s: Served,
  req: IncomingMessage,
  method: string,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const auth = req.headers.authorization ?? `Bearer ${str(body.token)}`;
  if (method === 'apps.connections.open')
    return auth === `Bearer ${s.appToken}` ? { ok: true, url: s.socketUrl } : { ok: false, error: 'invalid_auth' };
  return auth === `Bearer ${s.token}` ? answerMethod(method, body, s.methods) : { ok: false, error: 'invalid_auth' };
}

/** Answers with the failure the plan picked; `act` is the call's work, done when Slack acts before the answer is lost. */
async function fail(s: Served, failure: Failure, res: ServerResponse, act: () => void): Promise<void> {
  if ('hang' in failure) {
    s.hold(res);
    return;
  }
  if ('lostAnswer' in failure) {
    act();
    await s.journal.persist();
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
}

/** The upload URL files.getUploadURLExternal hands out, and the file's bytes for url_private. */
async function fileBytes(s: Served, req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
  const [, kind, id] = url.pathname.split('/');
  const file = s.workspace.file(id ?? '');
  if (kind === 'upload' && file && req.method === 'POST') {
    const bytes = uploadedBytes(req, body);
    s.log.record({
      method: 'file_upload',
      at: new Date(),
      body: { file_id: file.id, bytes: bytes.length },
      headers: req.headers,
    });
    s.workspace.receiveBytes(file, bytes);
    await s.journal.persist();
    s.log.announce();
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

/** A response_url made by responseUrlFor: /response/<user>/<channel>/<message ts or ->/<nonce>. */
function applyResponseUrl(s: Served, pathname: string, body: Record<string, unknown>): void {
  const [user, channel, messageTs] = pathname.split('/').slice(2, 5).map(decodeURIComponent);
  if (user === undefined || channel === undefined || messageTs === undefined) return;
  if (body.delete_original === true) {
    s.workspace.remove(channel, messageTs);
    return;
  }
  const original = s.workspace.message(channel, messageTs);
  if (body.replace_original === true && original) {
    s.workspace.edit(original, str(body.text), blockList(body.blocks));
    return;
  }
  if (body.response_type === 'in_channel') {
    s.workspace.post({ channel, text: str(body.text), blocks: blockList(body.blocks), user: s.methods.botUserId });
    return;
  }
  s.workspace.addEphemeral(user, channel, str(body.text), blockList(body.blocks));
}

export async function startSlackStandIn(opts: StandInOptions = {}): Promise<SlackStandIn> {
  const kept = opts.store ? await opts.store.load() : undefined;
  const log = new CallLog<RecordedCall>();
  const failures = new FailurePlan<Failure>();
  const journal = new SlackJournal(opts.store);
  const workspace = new SlackWorkspace(journal);
  const screens = new SlackScreens();
  const signal = new ChangeSignal();
  const loopback = await listenOnLoopback();
  const { base } = loopback;
  const socket = new SocketModeLink(loopback.server);
  const methods: MethodContext = {
    workspace,
    screens,
    teamId: opts.teamId ?? 'T0BATON',
    botUserId: opts.botUserId ?? 'U0BATONBOT',
    botId: opts.botId ?? 'B0BATON',
    users: opts.users,
    base,
    callCount: () => log.calls.length,
  };
  if (kept) workspace.restore(kept, base);
  loopback.serve(
    slackHandler({
      log,
      failures,
      journal,
      workspace,
      signal,
      methods,
      hold: loopback.hold,
      token: opts.token ?? 'xoxb-test',
      appToken: opts.appToken ?? 'xapp-test',
      socketUrl: `ws${base.slice('http'.length)}/link`,
    }),
  );

  return {
    url: `${base}/api/`,
    responseUrl: `${base}/response`,
    calls: log.calls,
    callsTo: (method) => log.matching((c) => c.method === method),
    waitFor(match, { count = 1, timeoutMs = 10_000 } = {}) {
      return log.waitFor(typeof match === 'string' ? (c) => c.method === match : match, {
        count,
        timeoutMs,
        failure: (seen) => `stand-in: waited ${timeoutMs} ms for ${count} call(s), saw ${seen}`,
      });
    },
    failNext(method, failure, times) {
      failures.failNext(method, failure, times);
    },
    failRandomly(method, random) {
      failures.failRandomly(method, random);
    },
    stopFailing() {
      failures.clear();
    },
    messages: (channel) => workspace.messages(channel),
    deleteMessage(channel, ts) {
      workspace.remove(channel, ts);
      signal.changed();
    },
    archiveChannel(channel) {
      workspace.archive(channel);
    },
    ephemeral: (user) => workspace.ephemeral(user),
    addEphemeral(user, channel, reply) {
      workspace.addEphemeral(user, channel, str(reply.text), blockList(reply.blocks));
      signal.changed();
    },
    modals: (user) => screens.modals(user),
    applyViewResponse(user, viewId, response) {
      if (screens.applyViewResponse(user, viewId, response)) signal.changed();
    },
    home: (user) => screens.home(user),
    registerTrigger(triggerId, user) {
      screens.registerTrigger(triggerId, user);
    },
    responseUrlFor: (user, channel, messageTs) =>
      `${base}/response/${[user, channel, messageTs ?? '-', randomUUID()].map(encodeURIComponent).join('/')}`,
    file: (id) => workspace.file(id),
    channelIds: () => workspace.channelIds(),
    version: () => signal.version(),
    onChange: (listener) => signal.onChange(listener),
    socketConnected: (timeoutMs = 10_000) => socket.connected(timeoutMs),
    sendEnvelope: (type, payload, timeoutMs = 5_000) => socket.send(type, payload, timeoutMs),
    reset() {
      log.clear();
      workspace.reset();
      screens.reset();
      failures.clear();
    },
    async close() {
      // What a test changed by hand (deleteMessage) is kept too.
      await journal.persist();
      socket.close();
      await loopback.close();
    },
  };
}
