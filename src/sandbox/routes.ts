import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import type { Policy } from '../config/policy.js';
import { ONE_MEGABYTE, readJson } from '../http/body.js';
import { HttpError } from '../http/errors.js';
import type { HttpResult, Route } from '../http/server.js';
import { parseOr400 } from '../http/validation.js';
import { nextChange } from './change-signal.js';
import { policyChannels, policyPeople, type SandboxChannel, type SandboxPerson } from './people.js';
import { demoHistory, sampleLead } from './samples.js';
import { FORM_TYPE, interactionBody, sendSigned, type SlackReply } from './sign.js';
import {
  appHomeOpened,
  blockActions,
  newTriggerId,
  slashCommandFields,
  viewSubmission,
  type ClickPlace,
} from './slack-payloads.js';
import type { SlackStandIn } from './slack-standin.js';

export interface SandboxSettings {
  standIn: SlackStandIn;
  policy: Policy;
  signingSecret: string;
  intakeToken: string;
  reportsToken: string;
  teamId: string;
  now: () => Date;
}

// The same folder whether this runs from src/ (tsx) or compiled in dist/: the page has no build step.
const PUBLIC_DIR = path.resolve(import.meta.dirname, '../../src/sandbox/public');
const STATIC: Record<string, { file: string; type: string }> = {
  '/sandbox': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/sandbox/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/sandbox/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};
/** A long poll waits at most this long for a change before answering with the same state. */
const LONG_POLL_MS = 15_000;

const user = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a user id from the policy');
const commandSchema = z.object({
  user,
  channel: z.string().min(1),
  text: z.string().trim().min(1, 'type a command, e.g. /funnel week').max(4000),
});

/** Baton's slash commands (manifest.yml). Slack itself answers anything else, at once, as here. */
const COMMANDS = ['/baton', '/funnel', '/velocity', '/leadgoal'];
const TRY = 'Try `/baton help`, `/funnel week`, `/velocity`, `/leadgoal revenue=1m deal=50k close=25% sql=20%`.';
const clickSchema = z.object({
  user,
  actionId: z.string().min(1).max(255),
  blockId: z.string().max(255).optional(),
  value: z.string().max(2000).optional(),
  /** A select that dispatches its choice (dispatch_action): the option picked, instead of a button press. */
  selected: z.object({ value: z.string().max(150), text: z.string().max(200) }).optional(),
  channel: z.string().optional(),
  ts: z.string().optional(),
  /** A button in a modal or the App Home; `view` is accepted as another name for it. */
  viewId: z.string().optional(),
  view: z.string().optional(),
});
const submitSchema = z.object({
  user,
  viewId: z.string().min(1),
  values: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))),
});
const homeSchema = z.object({ user });
const closeSchema = z.object({ user, viewId: z.string().min(1) });

const isLoopback = (address: string | undefined): boolean =>
  address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

/** The URL of this very server: the page's requests reach Baton the way Slack's and a sender's would. */
function selfUrl(req: IncomingMessage): string {
  return `http://127.0.0.1:${String(req.socket.localPort)}`;
}

const ok = (): HttpResult => ({ status: 200, json: { ok: true } });

/**
 * What the sandbox page's routes share: the settings, the policy's people and channels, and the
 * way the page's actions reach Baton — signed as Slack signs them, at this very server.
 */
class SandboxPage {
  readonly people: SandboxPerson[];
  readonly channels: SandboxChannel[];

  constructor(readonly s: SandboxSettings) {
    this.people = policyPeople(s.policy);
    this.channels = policyChannels(s.policy, this.people);
  }

  personOf(id: string): SandboxPerson {
    const p = this.people.find((x) => x.id === id);
    if (!p) throw new HttpError(400, 'validation_failed', `${id} is not named in the policy.`);
    return p;
  }

  channel(id: string): { id: string; name: string } {
    return { id, name: this.channels.find((c) => c.id === id)?.name ?? id };
  }

  /** The request's JSON as `schema` reads it, and the person it names. */
  async read<S extends z.ZodType<{ user: string }>>(
    req: IncomingMessage,
    schema: S,
    what: string,
  ): Promise<{ c: z.output<S>; p: SandboxPerson }> {
    const c = parseOr400(schema, await readJson(req, ONE_MEGABYTE), what);
    return { c, p: this.personOf(c.user) };
  }

  /** A new trigger_id, registered as `p`'s so a modal it opens shows on their screen. */
  trigger(p: SandboxPerson): string {
    const id = newTriggerId();
    this.s.standIn.registerTrigger(id, p.id);
    return id;
  }

  /** Sends Baton's /slack/events what Slack would; any answer but 200 is a 502 naming `what`. */
  async toBaton(req: IncomingMessage, rawBody: string, contentType: string, what: string): Promise<SlackReply> {
    const reply = await sendSigned(`${selfUrl(req)}/slack/events`, this.s.signingSecret, rawBody, contentType);
    if (reply.status !== 200)
      throw new HttpError(
        502,
        'internal',
        `Baton answered ${String(reply.status)} to the ${what}: ${reply.body.slice(0, 300)}`,
      );
    return reply;
  }

  /** Everything the page draws. */
  state(req: IncomingMessage): Record<string, unknown> {
    const { standIn } = this.s;
    const known = new Set(this.channels.map((c) => c.id));
    const extra = standIn
      .channelIds()
      .filter((id) => !known.has(id))
      .map((id) => ({ id, name: id, kind: 'other' }));
    return {
      version: standIn.version(),
      teamId: this.s.teamId,
      // Card times are in the policy's zone; the page shows message times in it too.
      timeZone: this.s.policy.calendar.timeZone,
      // The tokens the sandbox made up, for trying the API by hand: only to this machine.
      api: isLoopback(req.socket.remoteAddress)
        ? { intakeToken: this.s.intakeToken, reportsToken: this.s.reportsToken }
        : undefined,
      people: this.people,
      channels: [...this.channels, ...extra],
      messages: Object.fromEntries(
        [...this.channels.map((c) => c.id), ...extra.map((c) => c.id)].map((id) => [id, standIn.messages(id)]),
      ),
      ephemeral: Object.fromEntries(this.people.map((p) => [p.id, standIn.ephemeral(p.id)])),
      modals: Object.fromEntries(this.people.map((p) => [p.id, standIn.modals(p.id)])),
      homes: Object.fromEntries(this.people.map((p) => [p.id, standIn.home(p.id) ?? null])),
    };
  }
}

async function stateRoute(page: SandboxPage, req: IncomingMessage, url: URL): Promise<HttpResult> {
  const since = url.searchParams.get('since');
  if (since !== null && /^\d+$/.test(since)) await nextChange(page.s.standIn, Number(since), LONG_POLL_MS);
  return { status: 200, json: page.state(req), headers: { 'cache-control': 'no-store' } };
}

/** A slash command typed in a channel: Baton's own go to Baton; anything else Slack answers itself. */
async function commandRoute(page: SandboxPage, req: IncomingMessage): Promise<HttpResult> {
  const { c, p } = await page.read(req, commandSchema, 'command');
  const { standIn } = page.s;
  const [command = '', ...rest] = c.text.split(/\s+/);
  if (!COMMANDS.includes(command.toLowerCase())) {
    const text = command.startsWith('/')
      ? `\`${command}\` is not a Baton command. ${TRY}`
      : `The sandbox has no one to chat with: messages here are slash commands, starting with \`/\`. ${TRY}`;
    standIn.addEphemeral(p.id, c.channel, { text });
    return ok();
  }
  const fields = slashCommandFields({
    teamId: page.s.teamId,
    person: p,
    channel: page.channel(c.channel),
    command,
    text: rest.join(' '),
    responseUrl: standIn.responseUrlFor(p.id, c.channel),
    triggerId: page.trigger(p),
  });
  const reply = await page.toBaton(req, new URLSearchParams(fields).toString(), FORM_TYPE, command);
  // An answer in the acknowledgement is shown to the user who typed the command, like Slack.
  if (typeof reply.json === 'object' && reply.json !== null) standIn.addEphemeral(p.id, c.channel, reply.json);
  else if (reply.body.trim() !== '') standIn.addEphemeral(p.id, c.channel, { text: reply.body });
  return ok();
}

/** Where the click happened, as the stand-in shows it to `p`; 404 when that is not on their screen. */
function clickPlace(page: SandboxPage, c: z.output<typeof clickSchema>, p: SandboxPerson): ClickPlace {
  const { standIn } = page.s;
  const viewId = c.viewId ?? c.view;
  if (viewId !== undefined) {
    const home = standIn.home(p.id);
    const modal = standIn.modals(p.id).find((v) => v.id === viewId);
    const view = home?.id === viewId ? { ...home.view, type: 'home' } : modal?.view;
    if (!view) throw new HttpError(404, 'not_found', `No view ${viewId} is open for ${p.name}.`);
    return { in: 'view', viewId, view, hash: modal?.hash };
  }
  if (c.channel === undefined || c.ts === undefined)
    throw new HttpError(400, 'validation_failed', 'A click needs either viewId or channel and ts.');
  const message = standIn.messages(c.channel).find((m) => m.ts === c.ts);
  const ephemeral = message ? undefined : standIn.ephemeral(p.id).find((m) => m.ts === c.ts && m.channel === c.channel);
  if (!message && !ephemeral) throw new HttpError(404, 'not_found', `No message ${c.ts} in ${c.channel}.`);
  return {
    in: 'message',
    channel: page.channel(c.channel),
    ts: c.ts,
    message,
    ephemeral,
    responseUrl: standIn.responseUrlFor(p.id, c.channel, c.ts),
  };
}

async function clickRoute(page: SandboxPage, req: IncomingMessage): Promise<HttpResult> {
  const { c, p } = await page.read(req, clickSchema, 'click');
  const triggerId = page.trigger(p);
  const payload = blockActions({
    teamId: page.s.teamId,
    person: p,
    triggerId,
    click: c,
    place: clickPlace(page, c, p),
  });
  await page.toBaton(req, interactionBody(payload), FORM_TYPE, 'button click');
  return ok();
}

async function submitRoute(page: SandboxPage, req: IncomingMessage): Promise<HttpResult> {
  const { c, p } = await page.read(req, submitSchema, 'submission');
  const modal = page.s.standIn.modals(p.id).find((v) => v.id === c.viewId);
  if (!modal) throw new HttpError(404, 'not_found', `No modal ${c.viewId} is open for ${p.name}.`);
  const payload = viewSubmission({
    teamId: page.s.teamId,
    person: p,
    triggerId: newTriggerId(),
    modal,
    values: c.values,
  });
  const reply = await page.toBaton(req, interactionBody(payload), FORM_TYPE, 'form submission');
  page.s.standIn.applyViewResponse(p.id, c.viewId, reply.json);
  const answer = (reply.json ?? {}) as { response_action?: unknown; errors?: unknown };
  return {
    status: 200,
    json: {
      ok: answer.response_action !== 'errors',
      errors: answer.response_action === 'errors' ? answer.errors : undefined,
    },
  };
}

async function closeRoute(page: SandboxPage, req: IncomingMessage): Promise<HttpResult> {
  const { c, p } = await page.read(req, closeSchema, 'close');
  // Baton asks for no view_closed events (no notify_on_close), so Slack would just close it.
  page.s.standIn.applyViewResponse(p.id, c.viewId, undefined);
  return ok();
}

async function homeRoute(page: SandboxPage, req: IncomingMessage): Promise<HttpResult> {
  const { p } = await page.read(req, homeSchema, 'home');
  const envelope = appHomeOpened(page.s.teamId, p);
  await page.toBaton(req, JSON.stringify(envelope), 'application/json', 'app_home_opened event');
  return ok();
}

/** Posts `body` to Baton's intake API at `apiPath` with the sandbox's intake token, and answers with its answer. */
async function intake(page: SandboxPage, req: IncomingMessage, apiPath: string, body: unknown): Promise<HttpResult> {
  const res = await fetch(`${selfUrl(req)}${apiPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${page.s.intakeToken}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

export function sandboxRoutes(s: SandboxSettings): Route[] {
  const page = new SandboxPage(s);
  const post = (p: string, handle: (req: IncomingMessage) => Promise<HttpResult>): Route => ({
    method: 'POST',
    path: p,
    handle,
  });
  return [
    // Whoever opens the printed address without the path lands on the page, not on a 404.
    {
      method: 'GET',
      path: '/',
      handle: () => Promise.resolve({ status: 302, text: 'See /sandbox', headers: { location: '/sandbox' } }),
    },
    ...Object.entries(STATIC).map(([p, { file, type }]): Route => ({
      method: 'GET',
      path: p,
      async handle() {
        return {
          status: 200,
          text: await readFile(path.join(PUBLIC_DIR, file), 'utf8'),
          contentType: type,
          headers: { 'cache-control': 'no-store' },
        };
      },
    })),
    { method: 'GET', path: '/sandbox/state', handle: (req, url) => stateRoute(page, req, url) },
    post('/sandbox/command', (req) => commandRoute(page, req)),
    post('/sandbox/click', (req) => clickRoute(page, req)),
    post('/sandbox/submit', (req) => submitRoute(page, req)),
    post('/sandbox/close', (req) => closeRoute(page, req)),
    post('/sandbox/home', (req) => homeRoute(page, req)),
    post('/sandbox/lead', (req) => intake(page, req, '/api/leads', sampleLead(s.now()))),
    post('/sandbox/demo', (req) => intake(page, req, '/api/leads/import', demoHistory(s.policy, s.now()))),
  ];
}
