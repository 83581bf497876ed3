import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const SCHEMAS = path.resolve(import.meta.dirname, '../../../shared/schemas/slack-app-manifest');
const MANIFEST = path.resolve(import.meta.dirname, '../../manifest.yml');
const REMOTE = 'https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function schemaValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const load = (file: string) => JSON.parse(readFileSync(path.join(SCHEMAS, file), 'utf8')) as Record<string, unknown>;
  // The dispatching schema refers to the versioned ones by their published URLs.
  ajv.addSchema(load('manifest.schema.1.0.0.json'), `${REMOTE}manifest.schema.1.0.0.json`);
  ajv.addSchema(load('manifest.schema.2.0.0.json'), `${REMOTE}manifest.schema.2.0.0.json`);
  return ajv.compile(load('manifest.schema.json'));
}

/** Scopes Baton might ask for, with the events each unlocks; anything else is a typo or unneeded. */
const KNOWN_BOT_SCOPES = new Set(['chat:write', 'chat:write.public', 'commands', 'channels:history', 'groups:history', 'im:history', 'im:write', 'users:read', 'users:read.email', 'channels:read', 'groups:read', 'app_mentions:read', 'reactions:write']);
const EVENT_SCOPE: Record<string, string | null> = { app_home_opened: null, app_mention: 'app_mentions:read', 'message.im': 'im:history', 'message.channels': 'channels:history' };
const COMMANDS = ['/funnel', '/velocity', '/leadgoal', '/baton'];

interface Manifest {
  features?: { app_home?: { home_tab_enabled?: boolean }; slash_commands?: { command: string; url?: string }[] };
  oauth_config?: { scopes?: { bot?: string[] } };
  settings?: { interactivity?: { is_enabled?: boolean; request_url?: string }; event_subscriptions?: { request_url?: string; bot_events?: string[] }; socket_mode_enabled?: boolean };
}

/** The rules Slack enforces on install that its JSON Schema does not express. */
function crossFieldProblems(m: Manifest): string[] {
  const problems: string[] = [];
  const socket = m.settings?.socket_mode_enabled === true;
  const scopes = m.oauth_config?.scopes?.bot ?? [];
  const urls: [string, string | undefined][] = [
    ['settings.interactivity.request_url', m.settings?.interactivity?.request_url],
    ['settings.event_subscriptions.request_url', m.settings?.event_subscriptions?.request_url],
    ...(m.features?.slash_commands ?? []).map((c): [string, string | undefined] => [`slash command ${c.command} url`, c.url]),
  ];
  if (m.settings?.interactivity?.is_enabled && !socket && !m.settings.interactivity.request_url) problems.push('interactivity is enabled without a request_url');
  if ((m.settings?.event_subscriptions?.bot_events ?? []).length > 0 && !socket && !m.settings?.event_subscriptions?.request_url) problems.push('bot events without an event request_url');
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
  if (JSON.stringify(commands) !== JSON.stringify([...COMMANDS].sort())) problems.push(`slash commands are ${commands.join(', ')}, expected ${COMMANDS.join(', ')}`);
  if (commands.length > 0 && !scopes.includes('commands')) problems.push('slash commands need the commands scope');
  if (m.features?.app_home?.home_tab_enabled !== true) problems.push('the App Home tab must be enabled');
  return problems;
}

const manifest = (): Manifest & Record<string, unknown> => parse(readFileSync(MANIFEST, 'utf8')) as Manifest & Record<string, unknown>;

describe('manifest.yml', () => {
  it("validates against Slack's manifest schema", () => {
    const validate = schemaValidator();
    const ok = validate(manifest());
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema itself catches a structural mistake', () => {
    const validate = schemaValidator();
    expect(validate({ ...manifest(), display_information: { description: 'no name' } })).toBe(false);
  });

  it('passes the cross-field rules the schema misses', () => {
    expect(crossFieldProblems(manifest())).toEqual([]);
  });

  it.each<[string, (m: Manifest) => void, RegExp]>([
    ['interactivity without a URL', (m) => { delete m.settings!.interactivity!.request_url; }, /interactivity is enabled without a request_url/],
    ['an http:// URL', (m) => { m.settings!.event_subscriptions!.request_url = 'http://baton.example.com/slack/events'; }, /must be https/],
    ['an unknown scope', (m) => { m.oauth_config!.scopes!.bot!.push('chat:write:bot'); }, /unknown or unneeded bot scope chat:write:bot/],
    ['an event without its scope', (m) => { m.settings!.event_subscriptions!.bot_events!.push('app_mention'); }, /needs scope app_mentions:read/],
    ['a missing command', (m) => { m.features!.slash_commands!.pop(); }, /slash commands are/],
    ['no home tab', (m) => { m.features!.app_home!.home_tab_enabled = false; }, /App Home tab/],
  ])('the checker refuses %s', (_name, mutate, problem) => {
    const m = manifest();
    mutate(m);
    expect(crossFieldProblems(m).join('\n')).toMatch(problem);
  });
});
