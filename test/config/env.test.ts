import { describe, expect, it } from 'vitest';
import { loadConfig, SANDBOX_BOT_TOKEN } from '../../src/config/env.js';
import { ConfigError } from '../../src/config/errors.js';

const GOOD = { SLACK_BOT_TOKEN: 'xoxb-1-2-3', SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5' };

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.lines;
    throw err;
  }
  return [];
}

describe('environment', () => {
  it('needs only the bot token and signing secret; everything else has a default', () => {
    const config = loadConfig(GOOD);
    expect(config).toMatchObject({
      port: 3000,
      logLevel: 'info',
      outboxChannelRate: 1,
      retentionDays: 30,
      database: { kind: 'pglite', dataDir: '.data/pglite' },
      policyFile: 'policy.example.yml',
      intakeToken: undefined,
      slack: { appToken: undefined, apiUrl: undefined },
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 5_000, maxConnections: 512 },
    });
  });

  it('reads every variable of the contract', () => {
    const config = loadConfig({
      ...GOOD,
      SLACK_APP_TOKEN: 'xapp-1-A',
      SLACK_API_URL: 'http://127.0.0.1:9999/api/',
      DATABASE_URL: 'postgres://u@h:5432/db',
      POLICY_FILE: '/etc/baton/policy.yml',
      INTAKE_TOKEN: 'i'.repeat(20),
      REPORTS_TOKEN: 'r'.repeat(20),
      PORT: '8080',
      LOG_LEVEL: 'debug',
      OUTBOX_CHANNEL_RATE: '2.5',
      HTTP_HEADERS_TIMEOUT_MS: '5000',
      HTTP_REQUEST_TIMEOUT_MS: '60000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
      HTTP_MAX_CONNECTIONS: '100',
      RETENTION_DAYS: '90',
    });
    expect(config).toEqual({
      sandbox: false,
      slack: {
        botToken: 'xoxb-1-2-3',
        signingSecret: GOOD.SLACK_SIGNING_SECRET,
        appToken: 'xapp-1-A',
        apiUrl: 'http://127.0.0.1:9999/api/',
      },
      database: { kind: 'postgres', url: 'postgres://u@h:5432/db' },
      policyFile: '/etc/baton/policy.yml',
      intakeToken: 'i'.repeat(20),
      reportsToken: 'r'.repeat(20),
      port: 8080,
      outboxChannelRate: 2.5,
      http: { headersTimeoutMs: 5_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 65_000, maxConnections: 100 },
      retentionDays: 90,
      logLevel: 'debug',
    });
  });

  it('turns the HubSpot connector on with its token and secret, talking to HubSpot unless HUBSPOT_API_URL names a stand-in', () => {
    const hubspot = { HUBSPOT_ACCESS_TOKEN: 'pat-na1-0000', HUBSPOT_CLIENT_SECRET: 'secret-1234' };
    expect(loadConfig(GOOD).hubspot).toBeUndefined();
    expect(loadConfig({ ...GOOD, ...hubspot }).hubspot).toEqual({
      accessToken: 'pat-na1-0000',
      clientSecret: 'secret-1234',
      publicUrl: undefined,
      apiUrl: 'https://api.hubapi.com',
      rateLimit: 100,
    });
    expect(
      loadConfig({
        ...GOOD,
        ...hubspot,
        HUBSPOT_API_URL: 'http://127.0.0.1:4010',
        PUBLIC_URL: 'https://baton.example.com',
        HUBSPOT_RATE_LIMIT: '190',
      }).hubspot,
    ).toMatchObject({ apiUrl: 'http://127.0.0.1:4010', publicUrl: 'https://baton.example.com', rateLimit: 190 });
    expect(problems({ ...GOOD, ...hubspot, HUBSPOT_API_URL: 'api.hubapi.com' })).toEqual([
      expect.stringMatching(/^HUBSPOT_API_URL: must be an http\(s\) URL/),
    ]);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ ...GOOD, SLACK_APP_TOKEN: '', DATABASE_URL: '  ' })).toMatchObject({
      slack: { appToken: undefined },
      database: { kind: 'pglite' },
    });
  });

  it.each([
    [{ SLACK_BOT_TOKEN: 'xoxp-user-token' }, /^SLACK_BOT_TOKEN: must be a bot token/],
    [{ SLACK_SIGNING_SECRET: undefined }, /^SLACK_SIGNING_SECRET: is required/],
    [{ SLACK_SIGNING_SECRET: '  ' }, /^SLACK_SIGNING_SECRET: is required/],
    [{ SLACK_SIGNING_SECRET: 'short' }, /^SLACK_SIGNING_SECRET: must be/],
    [{ SLACK_APP_TOKEN: 'xoxb-wrong-kind' }, /^SLACK_APP_TOKEN: must be an app-level token/],
    [{ SLACK_API_URL: 'ftp://x' }, /^SLACK_API_URL: must be an http\(s\) URL/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must be a postgres:\/\/ URL/],
    [{ INTAKE_TOKEN: 'short' }, /^INTAKE_TOKEN: must be at least 16 characters/],
    [{ REPORTS_TOKEN: 'short' }, /^REPORTS_TOKEN: must be at least 16 characters/],
    [{ PORT: 'eighty' }, /^PORT: must be a port number/],
    [{ PORT: '70000' }, /^PORT: must be a port number/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: must be one of/],
    [{ OUTBOX_CHANNEL_RATE: 'fast' }, /^OUTBOX_CHANNEL_RATE: must be a number/],
    [{ HTTP_REQUEST_TIMEOUT_MS: '30s' }, /^HTTP_REQUEST_TIMEOUT_MS: must be a whole number of milliseconds/],
    [{ HTTP_HEADERS_TIMEOUT_MS: '10' }, /^HTTP_HEADERS_TIMEOUT_MS: must be between 100 and 3600000/],
    [{ HTTP_KEEP_ALIVE_TIMEOUT_MS: '-1' }, /^HTTP_KEEP_ALIVE_TIMEOUT_MS: must be a whole number/],
    [{ HTTP_MAX_CONNECTIONS: '0' }, /^HTTP_MAX_CONNECTIONS: must be between 1 and/],
    [
      { HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' },
      /^HTTP_HEADERS_TIMEOUT_MS: must not be longer than HTTP_REQUEST_TIMEOUT_MS \(10000\)/,
    ],
    [{ RETENTION_DAYS: '30d' }, /^RETENTION_DAYS: must be a whole number of days/],
    [{ RETENTION_DAYS: '0' }, /^RETENTION_DAYS: must be between 1 and 36500 days/],
  ])('%o is refused with one line naming the key', (patch, line) => {
    const lines = problems({ ...GOOD, ...patch });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });

  it('reports every problem at once, one line each', () => {
    const lines = problems({ SLACK_BOT_TOKEN: 'xoxb-1', PORT: 'x', LOG_LEVEL: 'y' });
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT', 'SLACK_SIGNING_SECRET']);
  });

  describe('sandbox mode', () => {
    it('is what no Slack token means: a stand-in bot token and a fresh random signing secret', () => {
      const a = loadConfig({});
      const b = loadConfig({ SLACK_BOT_TOKEN: '  ' });
      expect(a).toMatchObject({
        sandbox: true,
        slack: { botToken: SANDBOX_BOT_TOKEN, appToken: undefined },
        intakeToken: undefined,
      });
      expect(a.slack.signingSecret).toMatch(/^[0-9a-f]{32}$/);
      expect(b.sandbox).toBe(true);
      expect(b.slack.signingSecret).not.toBe(a.slack.signingSecret);
    });

    it('keeps a signing secret that is set', () => {
      expect(loadConfig({ SLACK_SIGNING_SECRET: GOOD.SLACK_SIGNING_SECRET })).toMatchObject({
        sandbox: true,
        slack: { signingSecret: GOOD.SLACK_SIGNING_SECRET },
      });
    });

    it('is not entered when a real workspace is half configured', () => {
      expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1-2-3' })).toEqual([
        expect.stringMatching(/^SLACK_SIGNING_SECRET: is required: the Signing Secret/),
      ]);
      expect(problems({ SLACK_APP_TOKEN: 'xapp-1-A', SLACK_SIGNING_SECRET: GOOD.SLACK_SIGNING_SECRET })).toEqual([
        expect.stringMatching(/^SLACK_BOT_TOKEN: is required: the Bot User OAuth Token/),
      ]);
      expect(loadConfig(GOOD).sandbox).toBe(false);
    });
  });
});
