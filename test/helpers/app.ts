import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { startBaton, type Baton } from '../../src/baton.js';
import { configSecrets, DEFAULT_HTTP_LIMITS, type Config } from '../../src/config/env.js';
import { parsePolicy, type Policy } from '../../src/config/policy.js';
import { createLogger } from '../../src/log.js';
import type { OutboxTuning } from '../../src/services/outbox.js';
import { freshDatabase, type TestDatabase } from './db.js';
import { startSlackStandIn, type SlackStandIn, type StandInOptions } from './slack-standin.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isSeq, parseDocument } from 'yaml';

export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const BOT_TOKEN = 'xoxb-test';
export const INTAKE_TOKEN = 'intake-token-0123456789';
export const REPORTS_TOKEN = 'reports-token-0123456789';
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export function examplePolicy(): Policy {
  return parsePolicy(readFileSync(path.join(REPO_ROOT, 'policy.example.yml'), 'utf8'));
}

const ALWAYS = ['00:00-24:00'];

/**
 * policy.example.yml as YAML, on a calendar open around the clock with one SLA tier, `minute`, of
 * one minute and these steps: an SLA test then sees its steps fall due within seconds at any hour.
 * `digests: false` drops the scheduled digests, so that only the sweep speaks.
 */
export function minuteTierPolicyText(
  steps: readonly { at: string; action: string }[],
  opts: { digests?: boolean } = {},
): string {
  const doc = parseDocument(readFileSync(path.join(REPO_ROOT, 'policy.example.yml'), 'utf8'));
  doc.setIn(
    ['calendar', 'week'],
    doc.createNode({ mon: ALWAYS, tue: ALWAYS, wed: ALWAYS, thu: ALWAYS, fri: ALWAYS, sat: ALWAYS, sun: ALWAYS }),
  );
  doc.setIn(['calendar', 'holidays'], doc.createNode([]));
  doc.setIn(['sla'], doc.createNode({ tiers: [{ id: 'minute', target: '1m', steps }] }));
  if (opts.digests === false) {
    const teams = doc.get('teams');
    if (isSeq(teams)) teams.items.forEach((_, i) => doc.deleteIn(['teams', i, 'digest']));
    doc.deleteIn(['reports', 'digest']);
  }
  return doc.toString();
}

export function testConfig(slackApiUrl: string, overrides: Partial<Config> = {}): Config {
  return {
    sandbox: false,
    slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: undefined, apiUrl: slackApiUrl },
    database: { kind: 'pglite', dataDir: 'unused-in-tests' },
    policyFile: 'policy.example.yml',
    intakeToken: INTAKE_TOKEN,
    reportsToken: REPORTS_TOKEN,
    metricsToken: undefined,
    port: 0,
    outboxChannelRate: 1,
    http: DEFAULT_HTTP_LIMITS,
    hubspot: undefined,
    retentionDays: 30,
    logLevel: 'warn',
    ...overrides,
  };
}

export interface TestBaton extends Baton {
  db: TestDatabase;
  /** Everything the app logged, one JSON object per line. */
  logs: string[];
  close(): Promise<void>;
}

/** The real app, in this process, on a fresh database, talking to the Slack stand-in at `slackApiUrl`. */
export async function startTestBaton(opts: {
  slackApiUrl: string;
  policy?: Policy;
  config?: Partial<Config>;
  db?: TestDatabase;
  outboxTuning?: Partial<OutboxTuning>;
  now?: () => Date;
}): Promise<TestBaton> {
  const db = opts.db ?? (await freshDatabase());
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const config = testConfig(opts.slackApiUrl, opts.config);
  // An override of the Slack settings still talks to this stand-in unless it names another.
  config.slack.apiUrl ??= opts.slackApiUrl;
  const baton = await startBaton({
    config,
    policy: opts.policy ?? examplePolicy(),
    logger: createLogger(config.logLevel, sink, configSecrets(config)),
    database: db,
    ...(opts.outboxTuning ? { outboxTuning: opts.outboxTuning } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  return {
    ...baton,
    db,
    logs,
    async close() {
      await baton.stop();
      if (!opts.db) await db.dispose();
    },
  };
}

export interface BatonWithSlack {
  slack: SlackStandIn;
  baton: TestBaton;
}

/**
 * The usual suite set-up: a Slack stand-in and the real app talking to it, started before the
 * suite and closed after it. Read the fields inside tests (they are set in beforeAll).
 */
export function useBatonWithSlack(
  opts: { standIn?: StandInOptions; baton?: Omit<Parameters<typeof startTestBaton>[0], 'slackApiUrl'> } = {},
): BatonWithSlack {
  const ctx = {} as BatonWithSlack;
  beforeAll(async () => {
    ctx.slack = await startSlackStandIn(opts.standIn);
    ctx.baton = await startTestBaton({ slackApiUrl: ctx.slack.url, ...opts.baton });
  });
  afterAll(async () => {
    await ctx.baton.close();
    await ctx.slack.close();
  });
  return ctx;
}
