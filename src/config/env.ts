import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, issuesToLines } from './errors.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** HubSpot's API, unless HUBSPOT_API_URL names another (a stand-in). */
export const HUBSPOT_API_URL = 'https://api.hubapi.com';

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** The HTTP server's timeouts and connection cap (README, "HTTP"). */
export interface HttpLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 512,
};

function milliseconds(fallback: number) {
  return optionalText
    .pipe(
      z
        .string()
        .regex(/^\d+$/, 'must be a whole number of milliseconds, e.g. 30000')
        .transform(Number)
        .refine((n) => n >= 100 && n <= 3_600_000, 'must be between 100 and 3600000 (one hour)')
        .optional(),
    )
    .transform((v) => v ?? fallback);
}

/** The whole environment contract (README.md, "Configuration"). Nothing else in the code base reads process.env. */
const envSchema = z.object({
  // Both unset (and no app token) → sandbox mode; the cross-field rules are in slackProblems.
  SLACK_BOT_TOKEN: optionalText.pipe(
    z
      .string()
      .regex(/^xoxb-\S+$/, 'must be a bot token starting with "xoxb-"')
      .optional(),
  ),
  SLACK_SIGNING_SECRET: optionalText.pipe(
    z
      .string()
      .regex(/^[0-9a-zA-Z]{16,}$/, 'must be the Signing Secret from "Basic Information" (16+ letters and digits)')
      .optional(),
  ),
  SLACK_APP_TOKEN: optionalText.pipe(
    z
      .string()
      .regex(/^xapp-\S+$/, 'must be an app-level token starting with "xapp-" (or unset for HTTP mode)')
      .optional(),
  ),
  SLACK_API_URL: optionalText.pipe(
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://slack.com/api/' }).optional(),
  ),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (or unset for the embedded database)')
      .optional(),
  ),
  DATA_DIR: optionalText.transform((v) => v ?? '.data/pglite'),
  POLICY_FILE: optionalText.transform((v) => v ?? 'policy.example.yml'),
  // Unset → that API answers 503 not_configured: there is no default token to leak.
  INTAKE_TOKEN: optionalText.pipe(
    z.string().min(16, 'must be at least 16 characters (the bearer token for POST /api/leads)').optional(),
  ),
  REPORTS_TOKEN: optionalText.pipe(
    z.string().min(16, 'must be at least 16 characters (the bearer token for GET /api/reports/*)').optional(),
  ),
  // Unset → /metrics answers this machine only.
  METRICS_TOKEN: optionalText.pipe(
    z.string().min(16, 'must be at least 16 characters (the bearer token for GET /metrics)').optional(),
  ),
  // Posts per second per channel; Slack allows about 1. Higher only for a stand-in or a raised limit.
  OUTBOX_CHANNEL_RATE: optionalText
    .pipe(
      z
        .string()
        .regex(/^\d+(\.\d+)?$/, 'must be a number of posts per second, e.g. 1')
        .transform(Number)
        .refine((n) => n > 0 && n <= 1000, 'must be between 0 and 1000')
        .optional(),
    )
    .transform((v) => v ?? 1),
  // Done deliveries and done SLA steps are kept this long, then purged (their dedupe keys with them).
  RETENTION_DAYS: optionalText
    .pipe(
      z
        .string()
        .regex(/^\d+$/, 'must be a whole number of days, e.g. 30')
        .transform(Number)
        .refine((n) => n >= 1 && n <= 36_500, 'must be between 1 and 36500 days')
        .optional(),
    )
    .transform((v) => v ?? 30),
  PORT: optionalText
    .pipe(
      z
        .string()
        .regex(/^\d{1,5}$/, 'must be a port number from 0 to 65535')
        .transform(Number)
        .refine((n) => n <= 65535, 'must be a port number from 0 to 65535')
        .optional(),
    )
    .transform((v) => v ?? 3000),
  // The HubSpot connector: on when the private app's token is set (docs/hubspot.md).
  HUBSPOT_ACCESS_TOKEN: optionalText,
  HUBSPOT_CLIENT_SECRET: optionalText,
  // Where HubSpot calls Baton (scheme and host) when a proxy is in front: the URI HubSpot signs.
  PUBLIC_URL: optionalText.pipe(
    z
      .url({
        protocol: /^https?$/,
        error: 'must be the public http(s) URL HubSpot calls, such as https://baton.example.com',
      })
      .optional(),
  ),
  // HubSpot's API base URL; a local stand-in in tests and in the sandbox.
  // The account's burst limit (requests per 10 s): 100 on Free/Starter, 190 on Professional/Enterprise.
  HUBSPOT_RATE_LIMIT: optionalText
    .pipe(
      z
        .string()
        .regex(/^\d+$/, 'must be a whole number of requests per 10 seconds, e.g. 100')
        .transform(Number)
        .refine((n) => n >= 10 && n <= 10_000, 'must be between 10 and 10000 requests per 10 seconds')
        .optional(),
    )
    .transform((v) => v ?? 100),
  HUBSPOT_API_URL: optionalText
    .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://api.hubapi.com' }).optional())
    .transform((v) => v ?? HUBSPOT_API_URL),
  LOG_LEVEL: optionalText
    .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional())
    .transform((v) => v ?? 'info'),
  // A stalled client holds a connection only this long; a whole request (an import too) must arrive
  // within the request timeout.
  HTTP_HEADERS_TIMEOUT_MS: milliseconds(DEFAULT_HTTP_LIMITS.headersTimeoutMs),
  HTTP_REQUEST_TIMEOUT_MS: milliseconds(DEFAULT_HTTP_LIMITS.requestTimeoutMs),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: milliseconds(DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs),
  HTTP_MAX_CONNECTIONS: optionalText
    .pipe(
      z
        .string()
        .regex(/^\d+$/, 'must be a whole number of connections, e.g. 512')
        .transform(Number)
        .refine((n) => n >= 1 && n <= 1_000_000, 'must be between 1 and 1000000')
        .optional(),
    )
    .transform((v) => v ?? DEFAULT_HTTP_LIMITS.maxConnections),
});

export type Env = z.output<typeof envSchema>;

export interface Config {
  /** No Slack token set: Baton talks to its built-in Slack stand-in and serves /sandbox. */
  sandbox: boolean;
  slack: { botToken: string; signingSecret: string; appToken: string | undefined; apiUrl: string | undefined };
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };
  policyFile: string;
  intakeToken: string | undefined;
  reportsToken: string | undefined;
  metricsToken: string | undefined;
  port: number;
  outboxChannelRate: number;
  http: HttpLimits;
  /** Undefined: the HubSpot connector is off. */
  hubspot: HubspotConfig | undefined;
  /** Days a done delivery or SLA step is kept before the purge job removes it. */
  retentionDays: number;
  logLevel: (typeof LOG_LEVELS)[number];
}

export interface HubspotConfig {
  accessToken: string;
  clientSecret: string;
  publicUrl: string | undefined;
  apiUrl: string;
  /** HubSpot's burst limit for the account, requests per 10 s, shared by every replica. */
  rateLimit: number;
}

/** The values the logger removes from every line it writes, wherever they appear. */
export function configSecrets(config: Config): string[] {
  return [
    config.slack.botToken,
    config.slack.signingSecret,
    config.slack.appToken,
    config.intakeToken,
    config.reportsToken,
    config.metricsToken,
    config.hubspot?.accessToken,
    config.hubspot?.clientSecret,
  ].filter((s): s is string => s !== undefined);
}

const databaseSchema = envSchema.pick({ DATABASE_URL: true, DATA_DIR: true });

/** Only the database settings: enough for `npm run db:migrate`, which needs no Slack tokens. */
export function loadDatabaseConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Config['database'] {
  const parsed = databaseSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(issuesToLines(parsed.error.issues));
  return toDatabase(parsed.data);
}

const importSchema = envSchema.pick({ DATABASE_URL: true, DATA_DIR: true, POLICY_FILE: true, LOG_LEVEL: true });

/** What `npm run import` needs: the database and the policy, no Slack tokens. */
export function loadImportConfig(env: Readonly<Record<string, string | undefined>> = process.env): {
  database: Config['database'];
  policyFile: string;
  logLevel: Config['logLevel'];
} {
  const parsed = importSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(issuesToLines(parsed.error.issues));
  return { database: toDatabase(parsed.data), policyFile: parsed.data.POLICY_FILE, logLevel: parsed.data.LOG_LEVEL };
}

const backfillSchema = envSchema.pick({
  DATABASE_URL: true,
  DATA_DIR: true,
  POLICY_FILE: true,
  LOG_LEVEL: true,
  HUBSPOT_ACCESS_TOKEN: true,
  HUBSPOT_API_URL: true,
  HUBSPOT_RATE_LIMIT: true,
  SLACK_BOT_TOKEN: true,
  SLACK_API_URL: true,
});

/** What `npm run hubspot:backfill` needs: the import's settings, HubSpot's token, and Slack's when owners are matched through it. */
export function loadBackfillConfig(env: Readonly<Record<string, string | undefined>> = process.env): {
  database: Config['database'];
  policyFile: string;
  logLevel: Config['logLevel'];
  hubspot: { accessToken: string; apiUrl: string; rateLimit: number };
  slack: { botToken: string; apiUrl: string | undefined } | undefined;
} {
  const parsed = backfillSchema.safeParse(env);
  const lines = parsed.success ? [] : issuesToLines(parsed.error.issues);
  if (parsed.success && parsed.data.HUBSPOT_ACCESS_TOKEN === undefined)
    lines.push(
      'HUBSPOT_ACCESS_TOKEN: is required: the HubSpot private app\'s access token (README, "Connecting HubSpot")',
    );
  if (!parsed.success || lines.length > 0) throw new ConfigError(lines);
  const e = parsed.data;
  return {
    database: toDatabase(e),
    policyFile: e.POLICY_FILE,
    logLevel: e.LOG_LEVEL,
    hubspot: { accessToken: e.HUBSPOT_ACCESS_TOKEN!, apiUrl: e.HUBSPOT_API_URL, rateLimit: e.HUBSPOT_RATE_LIMIT },
    slack: e.SLACK_BOT_TOKEN !== undefined ? { botToken: e.SLACK_BOT_TOKEN, apiUrl: e.SLACK_API_URL } : undefined,
  };
}

function toDatabase(e: Pick<Env, 'DATABASE_URL' | 'DATA_DIR'>): Config['database'] {
  return e.DATABASE_URL !== undefined
    ? { kind: 'postgres', url: e.DATABASE_URL }
    : { kind: 'pglite', dataDir: e.DATA_DIR };
}

/** The bot token the sandbox's stand-in accepts; it never leaves this process. */
export const SANDBOX_BOT_TOKEN = 'xoxb-sandbox';

const BOT_TOKEN_REQUIRED =
  'SLACK_BOT_TOKEN: is required: the Bot User OAuth Token (xoxb-…) from your Slack app\'s "OAuth & Permissions" page';
const SIGNING_SECRET_REQUIRED =
  'SLACK_SIGNING_SECRET: is required: the Signing Secret from your Slack app\'s "Basic Information" page';

/** A real workspace needs the bot token and the signing secret together; neither alone is the sandbox. */
function slackProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const set = (key: string): boolean => (env[key] ?? '').trim() !== '';
  const lines: string[] = [];
  if (!set('SLACK_BOT_TOKEN') && set('SLACK_APP_TOKEN')) lines.push(BOT_TOKEN_REQUIRED);
  if (set('SLACK_BOT_TOKEN') && !set('SLACK_SIGNING_SECRET')) lines.push(SIGNING_SECRET_REQUIRED);
  return lines;
}

/** Node refuses a headers timeout longer than the request timeout that contains it. */
function httpProblems(e: Env): string[] {
  return e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS
    ? [`HTTP_HEADERS_TIMEOUT_MS: must not be longer than HTTP_REQUEST_TIMEOUT_MS (${e.HTTP_REQUEST_TIMEOUT_MS})`]
    : [];
}

const HUBSPOT_SECRET_REQUIRED =
  'HUBSPOT_CLIENT_SECRET: is required with HUBSPOT_ACCESS_TOKEN: the client secret that signs HubSpot\'s webhooks (your app\'s "Auth" tab)';

function hubspotProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const set = (key: string): boolean => (env[key] ?? '').trim() !== '';
  return set('HUBSPOT_ACCESS_TOKEN') && !set('HUBSPOT_CLIENT_SECRET') ? [HUBSPOT_SECRET_REQUIRED] : [];
}

/** Parses the environment once; every problem is one line of the thrown ConfigError. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const lines = [
    ...(parsed.success ? httpProblems(parsed.data) : issuesToLines(parsed.error.issues)),
    ...slackProblems(env),
    ...hubspotProblems(env),
  ];
  if (!parsed.success || lines.length > 0) throw new ConfigError(lines);
  const e = parsed.data;
  const sandbox = e.SLACK_BOT_TOKEN === undefined;
  return {
    sandbox,
    slack: {
      botToken: e.SLACK_BOT_TOKEN ?? SANDBOX_BOT_TOKEN,
      // The sandbox signs its own requests: a secret nobody else knows is enough.
      signingSecret: e.SLACK_SIGNING_SECRET ?? randomBytes(16).toString('hex'),
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
    },
    database: toDatabase(e),
    policyFile: e.POLICY_FILE,
    intakeToken: e.INTAKE_TOKEN,
    reportsToken: e.REPORTS_TOKEN,
    metricsToken: e.METRICS_TOKEN,
    port: e.PORT,
    outboxChannelRate: e.OUTBOX_CHANNEL_RATE,
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
    },
    hubspot:
      e.HUBSPOT_ACCESS_TOKEN !== undefined && e.HUBSPOT_CLIENT_SECRET !== undefined
        ? {
            accessToken: e.HUBSPOT_ACCESS_TOKEN,
            clientSecret: e.HUBSPOT_CLIENT_SECRET,
            publicUrl: e.PUBLIC_URL,
            apiUrl: e.HUBSPOT_API_URL,
            rateLimit: e.HUBSPOT_RATE_LIMIT,
          }
        : undefined,
    retentionDays: e.RETENTION_DAYS,
    logLevel: e.LOG_LEVEL,
  };
}
