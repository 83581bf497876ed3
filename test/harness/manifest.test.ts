import { describe, expect, it } from 'vitest';
import { manifestSchema, readManifest, readManifestYaml, type Manifest } from '../helpers/manifest.js';

/*
 * manifest.yml is checked against the project's own schema of the parts Baton uses
 * (test/helpers/manifest.ts), then against the rules Slack enforces on install that no schema
 * expresses. Where Slack's published schema is at hand, `.ci/run` also validates against it
 * (test/harness/slack-schema.ts).
 */

/** Scopes Baton might ask for, with the events each unlocks; anything else is a typo or unneeded. */
const KNOWN_BOT_SCOPES = new Set([
  'chat:write',
  'chat:write.public',
  'commands',
  'channels:history',
  'groups:history',
  'im:history',
  'im:write',
  'users:read',
  'users:read.email',
  'channels:read',
  'groups:read',
  'app_mentions:read',
  'reactions:write',
  'files:write',
]);
const EVENT_SCOPE: Record<string, string | null> = {
  app_home_opened: null,
  app_mention: 'app_mentions:read',
  'message.im': 'im:history',
  'message.channels': 'channels:history',
};
const COMMANDS = ['/funnel', '/velocity', '/leadgoal', '/baton'];

/** The rules Slack enforces on install that its schema does not express. */
function crossFieldProblems(m: Manifest): string[] {
  const problems: string[] = [];
  const socket = m.settings?.socket_mode_enabled === true;
  const scopes = m.oauth_config?.scopes?.bot ?? [];
  const urls: [string, string | undefined][] = [
    ['settings.interactivity.request_url', m.settings?.interactivity?.request_url],
    ['settings.event_subscriptions.request_url', m.settings?.event_subscriptions?.request_url],
    ...(m.features?.slash_commands ?? []).map((c): [string, string | undefined] => [
      `slash command ${c.command} url`,
      c.url,
    ]),
  ];
  if (m.settings?.interactivity?.is_enabled && !socket && !m.settings.interactivity.request_url)
    problems.push('interactivity is enabled without a request_url');
  if (
    (m.settings?.event_subscriptions?.bot_events ?? []).length > 0 &&
    !socket &&
    !m.settings?.event_subscriptions?.request_url
  )
    problems.push('bot events without an event request_url');
  for (const [where, url] of urls) {
    if (url === undefined) {
      if (!socket && where.startsWith('slash')) problems.push(`${where} is missing`);
    } else if (!url.startsWith('https://')) problems.push(`${where} must be https: ${url}`);
  }
  for (const scope of scopes) if (!KNOWN_BOT_SCOPES.has(scope)) problems.push(`unknown or unneeded bot scope ${scope}`);
  for (const event of m.settings?.event_subscriptions?.bot_events ?? []) {
    if (!(event in EVENT_SCOPE)) problems.push(`unknown bot event ${event}`);
    else {
      const needed = EVENT_SCOPE[event];
      if (needed && !scopes.includes(needed)) problems.push(`bot event ${event} needs scope ${needed}`);
    }
  }
  const commands = (m.features?.slash_commands ?? []).map((c) => c.command).sort();
  if (JSON.stringify(commands) !== JSON.stringify([...COMMANDS].sort()))
    problems.push(`slash commands are ${commands.join(', ')}, expected ${COMMANDS.join(', ')}`);
  if (commands.length > 0 && !scopes.includes('commands')) problems.push('slash commands need the commands scope');
  if (m.features?.app_home?.home_tab_enabled !== true) problems.push('the App Home tab must be enabled');
  return problems;
}

describe('manifest.yml', () => {
  it('fits the schema of the manifest parts Baton uses', () => {
    const result = manifestSchema.safeParse(readManifestYaml());
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it.each<[string, (m: Record<string, unknown>) => void, string]>([
    [
      'an app without a name',
      (m) => {
        m.display_information = { description: 'no name' };
      },
      'display_information.name',
    ],
    [
      'a misspelt key',
      (m) => {
        m.setings = {};
      },
      '',
    ],
    [
      'a command without a slash',
      (m) => {
        (m as Manifest).features!.slash_commands![0]!.command = 'funnel';
      },
      'features.slash_commands.0.command',
    ],
    [
      'a name longer than Slack allows',
      (m) => {
        (m as Manifest).display_information.name = 'B'.repeat(36);
      },
      'display_information.name',
    ],
    [
      'a repeated bot event',
      (m) => {
        (m as Manifest).settings!.event_subscriptions!.bot_events!.push('app_home_opened');
      },
      'settings.event_subscriptions.bot_events',
    ],
  ])('the schema refuses %s', (_name, mutate, where) => {
    const m = readManifestYaml() as Record<string, unknown>;
    mutate(m);
    const result = manifestSchema.safeParse(m);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(where);
  });

  it('passes the cross-field rules the schema misses', () => {
    expect(crossFieldProblems(readManifest())).toEqual([]);
  });

  it.each<[string, (m: Manifest) => void, RegExp]>([
    [
      'interactivity without a URL',
      (m) => {
        delete m.settings!.interactivity!.request_url;
      },
      /interactivity is enabled without a request_url/,
    ],
    [
      'an http:// URL',
      (m) => {
        m.settings!.event_subscriptions!.request_url = 'http://baton.example.com/slack/events';
      },
      /must be https/,
    ],
    [
      'an unknown scope',
      (m) => {
        m.oauth_config!.scopes!.bot!.push('chat:write:bot');
      },
      /unknown or unneeded bot scope chat:write:bot/,
    ],
    [
      'an event without its scope',
      (m) => {
        m.settings!.event_subscriptions!.bot_events!.push('app_mention');
      },
      /needs scope app_mentions:read/,
    ],
    [
      'a missing command',
      (m) => {
        m.features!.slash_commands!.pop();
      },
      /slash commands are/,
    ],
    [
      'no home tab',
      (m) => {
        m.features!.app_home!.home_tab_enabled = false;
      },
      /App Home tab/,
    ],
  ])('the checker refuses %s', (_name, mutate, problem) => {
    const m = readManifest();
    mutate(m);
    expect(crossFieldProblems(m).join('\n')).toMatch(problem);
  });
});
