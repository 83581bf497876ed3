import { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeAction, HANDOFF_ACTIONS, SHARE_REPORT_ACTION_ID, SHOW_CHART_ACTION_ID } from '../../src/slack/ids.js';
import { LOST_CALLBACK, QUALIFY_CALLBACK } from '../../src/slack/views/progress-modals.js';
import { REJECT_BLOCKS, REJECT_CALLBACK } from '../../src/slack/views/reject-modal.js';
import { startTestBaton, type TestBaton } from '../helpers/app.js';
import { readManifest, type Manifest } from '../helpers/manifest.js';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-standin.js';

/*
 * What Slack sends Baton is declared in manifest.yml (slash commands, bot events, interactivity);
 * what Baton answers is whatever src/slack/register.ts registers on Bolt. The two lists are read
 * off the real app as it starts (Bolt's own registration methods, watched) and must agree: a
 * command declared but not handled would meet users with Slack's "dispatch_failed", one handled
 * but not declared is dead code.
 */

type Constraint = string | RegExp;
interface Registered {
  commands: Constraint[];
  events: Constraint[];
  actions: Constraint[];
  views: Constraint[];
}

/** Every action id Baton's views put on a button or a dispatching input (as block/action), and every modal Baton opens. */
const RENDERED_ACTION_IDS = [
  ...HANDOFF_ACTIONS.map((kind) => encodeAction({ kind, handoffId: '00000000-0000-4000-8000-000000000000' })),
  SHARE_REPORT_ACTION_ID,
  SHOW_CHART_ACTION_ID,
  `${REJECT_BLOCKS.reason}/value`,
];
const OPENED_MODALS = [REJECT_CALLBACK, QUALIFY_CALLBACK, LOST_CALLBACK];

const matches = (constraint: Constraint, id: string): boolean =>
  typeof constraint === 'string' ? constraint === id : constraint.test(id);
const show = (c: Constraint): string => (typeof c === 'string' ? c : String(c));

function listenerProblems(registered: Registered, manifest: Manifest): string[] {
  const problems: string[] = [];
  const declaredCommands = (manifest.features?.slash_commands ?? []).map((c) => c.command);
  const declaredEvents = manifest.settings?.event_subscriptions?.bot_events ?? [];
  const pair = (what: string, declared: string[], handled: Constraint[]): void => {
    for (const name of declared)
      if (!handled.some((c) => matches(c, name)))
        problems.push(`${what} ${name} is declared in manifest.yml but not handled`);
    for (const c of handled)
      if (!declared.some((name) => matches(c, name)))
        problems.push(`${what} ${show(c)} is handled but not declared in manifest.yml`);
  };
  pair('slash command', declaredCommands, registered.commands);
  pair('bot event', declaredEvents, registered.events);
  pair('action', RENDERED_ACTION_IDS, registered.actions);
  pair('modal', OPENED_MODALS, registered.views);
  for (const id of RENDERED_ACTION_IDS) {
    const handlers = registered.actions.filter((c) => matches(c, id));
    if (handlers.length > 1) problems.push(`action ${id} is handled by ${String(handlers.length)} listeners`);
  }
  const interactive = registered.actions.length + registered.views.length > 0;
  if (interactive && manifest.settings?.interactivity?.is_enabled !== true)
    problems.push('buttons and modals are handled but interactivity is not enabled in manifest.yml');
  return problems;
}

let slack: SlackStandIn;
let baton: TestBaton;
let registered: Registered;

beforeAll(async () => {
  // Watched on the prototype (calls go through), so the listeners the real start-up adds are seen.
  const spies = {
    commands: vi.spyOn(App.prototype, 'command'),
    events: vi.spyOn(App.prototype, 'event'),
    actions: vi.spyOn(App.prototype, 'action'),
    views: vi.spyOn(App.prototype, 'view'),
  };
  slack = await startSlackStandIn();
  baton = await startTestBaton({ slackApiUrl: slack.url });
  const constraints = (spy: { mock: { calls: unknown[][] } }): Constraint[] =>
    spy.mock.calls.map(([constraint]) => {
      if (typeof constraint === 'string' || constraint instanceof RegExp) return constraint;
      // A listener for one input of one block (a modal's dispatching select): named block/action.
      const c = constraint as { block_id?: unknown; action_id?: unknown };
      if (
        typeof c.block_id === 'string' &&
        typeof c.action_id === 'string' &&
        Object.keys(constraint as object).length === 2
      )
        return `${c.block_id}/${c.action_id}`;
      throw new Error(
        `a listener was registered with constraints this test cannot read: ${JSON.stringify(constraint)}`,
      );
    });
  registered = {
    commands: constraints(spies.commands),
    events: constraints(spies.events),
    actions: constraints(spies.actions),
    views: constraints(spies.views),
  };
});

afterAll(async () => {
  vi.restoreAllMocks();
  await baton.close();
  await slack.close();
});

describe('Slack listeners against manifest.yml', () => {
  it('registers exactly what the manifest declares, and a listener for every button and modal', () => {
    expect(registered.commands.length).toBeGreaterThan(0);
    expect(listenerProblems(registered, readManifest())).toEqual([]);
  });

  it.each<[string, (m: Manifest, r: Registered) => void, RegExp]>([
    [
      'a command declared but not handled',
      (m) => {
        m.features!.slash_commands!.push({ command: '/pipeline', description: 'x' });
      },
      /slash command \/pipeline is declared in manifest.yml but not handled/,
    ],
    [
      'a command handled but not declared',
      (m) => {
        m.features!.slash_commands = m.features!.slash_commands!.filter((c) => c.command !== '/velocity');
      },
      /slash command \/velocity is handled but not declared/,
    ],
    [
      'an event declared but not handled',
      (m) => {
        m.settings!.event_subscriptions!.bot_events!.push('app_mention');
      },
      /bot event app_mention is declared in manifest.yml but not handled/,
    ],
    [
      'an event handled but not declared',
      (m) => {
        m.settings!.event_subscriptions!.bot_events = [];
      },
      /bot event app_home_opened is handled but not declared/,
    ],
    [
      'a button nobody handles',
      (_m, r) => {
        r.actions = r.actions.filter((c) => c !== SHARE_REPORT_ACTION_ID);
      },
      /action baton:share:v1 is declared .* but not handled/,
    ],
    [
      'a modal nobody handles',
      (_m, r) => {
        r.views = r.views.filter((c) => c !== LOST_CALLBACK);
      },
      /modal baton:lost is declared .* but not handled/,
    ],
    [
      'interactivity switched off',
      (m) => {
        m.settings!.interactivity!.is_enabled = false;
      },
      /interactivity is not enabled/,
    ],
  ])('the check fails on %s', (_name, mutate, problem) => {
    const m = readManifest();
    const r: Registered = {
      commands: [...registered.commands],
      events: [...registered.events],
      actions: [...registered.actions],
      views: [...registered.views],
    };
    mutate(m, r);
    expect(listenerProblems(r, m).join('\n')).toMatch(problem);
  });
});
