import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import type { Policy } from '../config/policy.js';
import { ONE_MEGABYTE, readJson } from '../http/body.js';
import { HttpError } from '../http/errors.js';
import type { HttpResult, Route } from '../http/server.js';
import { parseOr400 } from '../http/validation.js';
import { policyChannels, policyPeople, type SandboxPerson } from './people.js';
import { demoHistory, sampleLead } from './samples.js';
import { FORM_TYPE, interactionBody, sendSigned, type SlackReply } from './sign.js';
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

/** The URL of this very server: the page's requests reach /slack/events the way Slack's would. */
function selfUrl(req: IncomingMessage): string {
  return `http://127.0.0.1:${String(req.socket.localPort)}`;
}

const isLoopback = (address: string | undefined): boolean =>
  address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

const triggerId = (): string => `${Date.now()}.${Math.floor(Math.random() * 1e10)}.${randomBytes(16).toString('hex')}`;

function failed(reply: SlackReply, what: string): HttpError {
  return new HttpError(
    502,
    'internal',
    `Baton answered ${String(reply.status)} to the ${what}: ${reply.body.slice(0, 300)}`,
  );
}

export function sandboxRoutes(s: SandboxSettings): Route[] {
  const people = policyPeople(s.policy);
  const channels = policyChannels(s.policy, people);
  const personOf = (id: string): SandboxPerson => {
    const p = people.find((x) => x.id === id);
    if (!p) throw new HttpError(400, 'validation_failed', `${id} is not named in the policy.`);
    return p;
  };
  const userField = (p: SandboxPerson): Record<string, string> => ({
    id: p.id,
    username: p.name.toLowerCase().replace(/\s+/g, '.'),
    name: p.name.toLowerCase().replace(/\s+/g, '.'),
    team_id: s.teamId,
  });
  const channelName = (id: string): string => channels.find((c) => c.id === id)?.name ?? id;

  function state(req: IncomingMessage): Record<string, unknown> {
    const known = new Set(channels.map((c) => c.id));
    const extra = s.standIn
      .channelIds()
      .filter((id) => !known.has(id))
      .map((id) => ({ id, name: id, kind: 'other' }));
    return {
      version: s.standIn.version(),
      teamId: s.teamId,
      // Card times are in the policy's zone; the page shows message times in it too.
      timeZone: s.policy.calendar.timeZone,
      // The tokens the sandbox made up, for trying the API by hand: only to this machine.
      api: isLoopback(req.socket.remoteAddress)
        ? { intakeToken: s.intakeToken, reportsToken: s.reportsToken }
        : undefined,
      people,
      channels: [...channels, ...extra],
      messages: Object.fromEntries(
        [...channels.map((c) => c.id), ...extra.map((c) => c.id)].map((id) => [id, s.standIn.messages(id)]),
      ),
      ephemeral: Object.fromEntries(people.map((p) => [p.id, s.standIn.ephemeral(p.id)])),
      modals: Object.fromEntries(people.map((p) => [p.id, s.standIn.modals(p.id)])),
      homes: Object.fromEntries(people.map((p) => [p.id, s.standIn.home(p.id) ?? null])),
    };
  }

  async function waitForChange(since: number): Promise<void> {
    // Any other version is news: a change since, or a restarted sandbox whose count began again.
    if (s.standIn.version() !== since) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve();
      }, LONG_POLL_MS);
      const off = s.standIn.onChange(() => {
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  async function signedForm(req: IncomingMessage, rawBody: string): Promise<SlackReply> {
    return sendSigned(`${selfUrl(req)}/slack/events`, s.signingSecret, rawBody, FORM_TYPE);
  }

  const json = (body: unknown): HttpResult => ({ status: 200, json: body });

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
    {
      method: 'GET',
      path: '/sandbox/state',
      async handle(req, url) {
        const since = url.searchParams.get('since');
        if (since !== null && /^\d+$/.test(since)) await waitForChange(Number(since));
        return { status: 200, json: state(req), headers: { 'cache-control': 'no-store' } };
      },
    },
    {
      method: 'POST',
      path: '/sandbox/command',
      async handle(req) {
        const c = parseOr400(commandSchema, await readJson(req, ONE_MEGABYTE), 'command');
        const p = personOf(c.user);
        const [command = '', ...rest] = c.text.split(/\s+/);
        if (!COMMANDS.includes(command.toLowerCase())) {
          const text = command.startsWith('/')
            ? `\`${command}\` is not a Baton command. ${TRY}`
            : `The sandbox has no one to chat with: messages here are slash commands, starting with \`/\`. ${TRY}`;
          s.standIn.addEphemeral(p.id, c.channel, { text });
          return json({ ok: true });
        }
        const trigger = triggerId();
        s.standIn.registerTrigger(trigger, p.id);
        const fields = {
          token: 'sandbox-verification-token',
          team_id: s.teamId,
          team_domain: 'baton-sandbox',
          channel_id: c.channel,
          channel_name: channelName(c.channel),
          user_id: p.id,
          user_name: userField(p).username ?? p.id,
          command,
          text: rest.join(' '),
          api_app_id: 'A0BATON',
          response_url: s.standIn.responseUrlFor(p.id, c.channel),
          trigger_id: trigger,
        };
        const reply = await signedForm(req, new URLSearchParams(fields).toString());
        if (reply.status !== 200) throw failed(reply, command);
        // An answer in the acknowledgement is shown to the user who typed the command, like Slack.
        if (typeof reply.json === 'object' && reply.json !== null) s.standIn.addEphemeral(p.id, c.channel, reply.json);
        else if (reply.body.trim() !== '') s.standIn.addEphemeral(p.id, c.channel, { text: reply.body });
        return json({ ok: true });
      },
    },
    {
      method: 'POST',
      path: '/sandbox/click',
      async handle(req) {
        const c = parseOr400(clickSchema, await readJson(req, ONE_MEGABYTE), 'click');
        const p = personOf(c.user);
        const trigger = triggerId();
        s.standIn.registerTrigger(trigger, p.id);
        const actionTs = String(Date.now() / 1000);
        const action = c.selected
          ? {
              action_id: c.actionId,
              block_id: c.blockId ?? 'actions',
              type: 'static_select',
              selected_option: {
                text: { type: 'plain_text', text: c.selected.text, emoji: true },
                value: c.selected.value,
              },
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
        const common = {
          type: 'block_actions',
          user: userField(p),
          api_app_id: 'A0BATON',
          token: 'sandbox-verification-token',
          trigger_id: trigger,
          team: { id: s.teamId, domain: 'baton-sandbox' },
          enterprise: null,
          is_enterprise_install: false,
          actions: [action],
        };
        let payload: Record<string, unknown>;
        const viewId = c.viewId ?? c.view;
        if (viewId !== undefined) {
          const home = s.standIn.home(p.id);
          const modal = s.standIn.modals(p.id).find((v) => v.id === viewId);
          const view = home?.id === viewId ? { ...home.view, type: 'home' } : modal?.view;
          if (!view) throw new HttpError(404, 'not_found', `No view ${viewId} is open for ${p.name}.`);
          payload = {
            ...common,
            container: { type: 'view', view_id: viewId },
            view: {
              ...view,
              id: viewId,
              ...(modal ? { hash: modal.hash } : {}),
              team_id: s.teamId,
              state: { values: {} },
              app_id: 'A0BATON',
            },
          };
        } else {
          if (c.channel === undefined || c.ts === undefined)
            throw new HttpError(400, 'validation_failed', 'A click needs either viewId or channel and ts.');
          const message = s.standIn.messages(c.channel).find((m) => m.ts === c.ts);
          // A button in an ephemeral message: Slack sends no message body for those, only the container.
          const ephemeral = message
            ? undefined
            : s.standIn.ephemeral(p.id).find((m) => m.ts === c.ts && m.channel === c.channel);
          if (!message && !ephemeral) throw new HttpError(404, 'not_found', `No message ${c.ts} in ${c.channel}.`);
          payload = {
            ...common,
            container: {
              type: 'message',
              message_ts: c.ts,
              channel_id: c.channel,
              is_ephemeral: ephemeral !== undefined,
            },
            channel: { id: c.channel, name: channelName(c.channel) },
            ...(message
              ? {
                  message: {
                    type: 'message',
                    user: message.user,
                    ts: message.ts,
                    text: message.text,
                    blocks: message.blocks,
                    ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
                  },
                }
              : {}),
            state: { values: {} },
            response_url: s.standIn.responseUrlFor(p.id, c.channel, c.ts),
          };
        }
        const reply = await signedForm(req, interactionBody(payload));
        if (reply.status !== 200) throw failed(reply, 'button click');
        return json({ ok: true });
      },
    },
    {
      method: 'POST',
      path: '/sandbox/submit',
      async handle(req) {
        const c = parseOr400(submitSchema, await readJson(req, ONE_MEGABYTE), 'submission');
        const p = personOf(c.user);
        const stored = s.standIn.modals(p.id).find((v) => v.id === c.viewId);
        if (!stored) throw new HttpError(404, 'not_found', `No modal ${c.viewId} is open for ${p.name}.`);
        const payload = {
          type: 'view_submission',
          team: { id: s.teamId, domain: 'baton-sandbox' },
          user: userField(p),
          api_app_id: 'A0BATON',
          token: 'sandbox-verification-token',
          trigger_id: triggerId(),
          view: {
            ...stored.view,
            id: stored.id,
            hash: stored.hash,
            team_id: s.teamId,
            type: 'modal',
            state: { values: c.values },
            app_id: 'A0BATON',
          },
          response_urls: [],
          is_enterprise_install: false,
          enterprise: null,
        };
        const reply = await signedForm(req, interactionBody(payload));
        if (reply.status !== 200) throw failed(reply, 'form submission');
        s.standIn.applyViewResponse(p.id, c.viewId, reply.json);
        const answer = (reply.json ?? {}) as { response_action?: unknown; errors?: unknown };
        return json({
          ok: answer.response_action !== 'errors',
          errors: answer.response_action === 'errors' ? answer.errors : undefined,
        });
      },
    },
    {
      method: 'POST',
      path: '/sandbox/close',
      async handle(req) {
        const c = parseOr400(closeSchema, await readJson(req, ONE_MEGABYTE), 'close');
        // Baton asks for no view_closed events (no notify_on_close), so Slack would just close it.
        s.standIn.applyViewResponse(personOf(c.user).id, c.viewId, undefined);
        return json({ ok: true });
      },
    },
    {
      method: 'POST',
      path: '/sandbox/home',
      async handle(req) {
        const p = personOf(parseOr400(homeSchema, await readJson(req, ONE_MEGABYTE), 'home').user);
        const nowSeconds = Date.now() / 1000;
        const envelope = {
          token: 'sandbox-verification-token',
          team_id: s.teamId,
          api_app_id: 'A0BATON',
          event: { type: 'app_home_opened', user: p.id, channel: p.dm, tab: 'home', event_ts: nowSeconds.toFixed(6) },
          type: 'event_callback',
          event_id: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
          event_time: Math.floor(nowSeconds),
          authorizations: [
            {
              enterprise_id: null,
              team_id: s.teamId,
              user_id: 'U0BATONBOT',
              is_bot: true,
              is_enterprise_install: false,
            },
          ],
          is_ext_shared_channel: false,
        };
        const reply = await sendSigned(
          `${selfUrl(req)}/slack/events`,
          s.signingSecret,
          JSON.stringify(envelope),
          'application/json',
        );
        if (reply.status !== 200) throw failed(reply, 'app_home_opened event');
        return json({ ok: true });
      },
    },
    {
      method: 'POST',
      path: '/sandbox/lead',
      async handle(req) {
        const res = await fetch(`${selfUrl(req)}/api/leads`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${s.intakeToken}` },
          body: JSON.stringify(sampleLead(s.now())),
        });
        return { status: res.status, json: await res.json() };
      },
    },
    {
      method: 'POST',
      path: '/sandbox/demo',
      async handle(req) {
        const res = await fetch(`${selfUrl(req)}/api/leads/import`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${s.intakeToken}` },
          body: JSON.stringify(demoHistory(s.policy, s.now())),
        });
        return { status: res.status, json: await res.json() };
      },
    },
  ];
}
