import { z } from 'zod';
import { ConfigError, issuesToLines } from './errors.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** SPEC §7: the whole environment contract. Nothing else in the code base reads process.env. */
const envSchema = z.object({
  SLACK_BOT_TOKEN: optionalText.pipe(z.string({ error: 'is required: the Bot User OAuth Token (xoxb-…) from your Slack app\'s "OAuth & Permissions" page' })).pipe(z.string().regex(/^xoxb-\S+$/, 'must be a bot token starting with "xoxb-"')),
  SLACK_SIGNING_SECRET: optionalText.pipe(z.string({ error: 'is required: the Signing Secret from your Slack app\'s "Basic Information" page' })).pipe(z.string().regex(/^[0-9a-zA-Z]{16,}$/, 'must be the Signing Secret from "Basic Information" (16+ letters and digits)')),
  SLACK_APP_TOKEN: optionalText.pipe(z.string().regex(/^xapp-\S+$/, 'must be an app-level token starting with "xapp-" (or unset for HTTP mode)').optional()),
  SLACK_API_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://slack.com/api/' }).optional()),
  DATABASE_URL: optionalText.pipe(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (or unset for the embedded database)').optional()),
  DATA_DIR: optionalText.transform((v) => v ?? '.data/pglite'),
  POLICY_FILE: optionalText.transform((v) => v ?? 'policy.example.yml'),
  // Unset → that API answers 503 not_configured: there is no default token to leak.
  INTAKE_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters (the bearer token for POST /api/leads)').optional()),
  REPORTS_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters (the bearer token for GET /api/reports/*)').optional()),
  // Posts per second per channel; Slack allows about 1. Higher only for a stand-in or a raised limit.
  OUTBOX_CHANNEL_RATE: optionalText.pipe(z.string().regex(/^\d+(\.\d+)?$/, 'must be a number of posts per second, e.g. 1').transform(Number).refine((n) => n > 0 && n <= 1000, 'must be between 0 and 1000').optional()).transform((v) => v ?? 1),
  PORT: optionalText.pipe(z.string().regex(/^\d{1,5}$/, 'must be a port number from 0 to 65535').transform(Number).refine((n) => n <= 65535, 'must be a port number from 0 to 65535').optional()).transform((v) => v ?? 3000),
  LOG_LEVEL: optionalText.pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional()).transform((v) => v ?? 'info'),
});

export type Env = z.output<typeof envSchema>;

export interface Config {
  slack: { botToken: string; signingSecret: string; appToken: string | undefined; apiUrl: string | undefined };
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };
  policyFile: string;
  intakeToken: string | undefined;
  reportsToken: string | undefined;
  port: number;
  outboxChannelRate: number;
  logLevel: (typeof LOG_LEVELS)[number];
}

const databaseSchema = envSchema.pick({ DATABASE_URL: true, DATA_DIR: true });

/** Only the database settings: enough for `npm run db:migrate`, which needs no Slack tokens. */
export function loadDatabaseConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config['database'] {
  const parsed = databaseSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(issuesToLines(parsed.error.issues));
  return toDatabase(parsed.data);
}

function toDatabase(e: Pick<Env, 'DATABASE_URL' | 'DATA_DIR'>): Config['database'] {
  return e.DATABASE_URL !== undefined ? { kind: 'postgres', url: e.DATABASE_URL } : { kind: 'pglite', dataDir: e.DATA_DIR };
}

/** Parses the environment once; every problem is one line of the thrown ConfigError. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(issuesToLines(parsed.error.issues));
  const e = parsed.data;
  return {
    slack: { botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET, appToken: e.SLACK_APP_TOKEN, apiUrl: e.SLACK_API_URL },
    database: toDatabase(e),
    policyFile: e.POLICY_FILE,
    intakeToken: e.INTAKE_TOKEN,
    reportsToken: e.REPORTS_TOKEN,
    port: e.PORT,
    outboxChannelRate: e.OUTBOX_CHANNEL_RATE,
    logLevel: e.LOG_LEVEL,
  };
}
