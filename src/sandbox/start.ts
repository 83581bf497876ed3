import { randomBytes } from 'node:crypto';
import { startBaton, type Baton, type StartOptions } from '../baton.js';
import type { Policy } from '../config/policy.js';
import { openDatabase } from '../db/client.js';
import { sandboxHubspotRoutes } from './hubspot-routes.js';
import { startHubspotStandIn, type HubspotStandIn } from './hubspot-standin.js';
import { policyPeople } from './people.js';
import { sandboxRoutes } from './routes.js';
import { startSlackStandIn, type SlackStandIn } from './slack-standin.js';
import { databaseStandInStore } from './store.js';

const SANDBOX_TEAM = 'T0SANDBOX';

/** Each rep's e-mail: the policy's, else one made up, known to Slack and HubSpot alike so owners match. */
function repEmails(policy: Policy): Map<string, { email: string; name: string }> {
  return new Map(
    policy.teams.flatMap((t) =>
      t.reps.map(
        (r) =>
          [r.user, { email: r.email ?? `${r.user.toLowerCase()}@sandbox.example`, name: r.name ?? r.user }] as const,
      ),
    ),
  );
}

/** The built-in HubSpot stand-in, each rep one of its owners, unless a real HubSpot is connected. */
async function sandboxHubspot(
  opts: StartOptions,
): Promise<{ standIn: HubspotStandIn; config: NonNullable<StartOptions['config']['hubspot']> } | undefined> {
  if (opts.config.hubspot !== undefined) return undefined;
  const accessToken = `pat-sandbox-${randomBytes(8).toString('hex')}`;
  const standIn = await startHubspotStandIn({ token: accessToken });
  for (const { email, name } of repEmails(opts.policy).values()) {
    const [firstName = name, ...rest] = name.split(' ');
    standIn.addOwner({ email, firstName, lastName: rest.join(' ') });
  }
  return {
    standIn,
    config: {
      accessToken,
      clientSecret: randomBytes(16).toString('hex'),
      publicUrl: undefined,
      apiUrl: standIn.url,
      rateLimit: 100,
    },
  };
}

/**
 * Sandbox mode (no Slack token set): the built-in Slack stand-in runs on loopback in this
 * process, SLACK_API_URL points at it, and Baton starts exactly as in production. The page at
 * /sandbox plays Slack's part: its clicks and commands reach /slack/events signed.
 */
export async function startSandboxBaton(opts: StartOptions): Promise<Baton> {
  const { config, policy, logger } = opts;
  const people = policyPeople(policy);
  // Opened before the stand-in, which reads the messages it showed before a restart from it.
  const database = opts.database ?? (await openDatabase(config.database));
  const closeDatabase = async (): Promise<void> => {
    if (opts.database === undefined) await database.close();
  };
  const emails = repEmails(policy);
  let standIn: SlackStandIn;
  let hubspot: Awaited<ReturnType<typeof sandboxHubspot>>;
  try {
    await database.migrate();
    standIn = await startSlackStandIn({
      token: config.slack.botToken,
      teamId: SANDBOX_TEAM,
      users: Object.fromEntries(
        people.map((p) => [
          p.id,
          { real_name: p.name, tz: p.timeZone, ...(emails.has(p.id) ? { email: emails.get(p.id)!.email } : {}) },
        ]),
      ),
      store: databaseStandInStore(database.db, SANDBOX_TEAM),
    });
  } catch (err) {
    await closeDatabase();
    throw err;
  }
  try {
    hubspot = await sandboxHubspot(opts);
  } catch (err) {
    await standIn.close();
    await closeDatabase();
    throw err;
  }
  // The page sends leads through the real intake API, so it needs the tokens even when unset.
  const intakeToken = config.intakeToken ?? randomBytes(16).toString('hex');
  const reportsToken = config.reportsToken ?? randomBytes(16).toString('hex');
  const now = opts.now ?? (() => new Date());
  try {
    const baton = await startBaton({
      ...opts,
      database,
      config: {
        ...config,
        slack: { ...config.slack, apiUrl: standIn.url },
        intakeToken,
        reportsToken,
        hubspot: hubspot?.config ?? config.hubspot,
      },
      routes: [
        ...(opts.routes ?? []),
        ...sandboxRoutes({
          standIn,
          policy,
          signingSecret: config.slack.signingSecret,
          intakeToken,
          reportsToken,
          teamId: SANDBOX_TEAM,
          now,
        }),
        ...(hubspot ? sandboxHubspotRoutes(hubspot.standIn, now) : []),
      ],
    });
    hubspot?.standIn.subscribe({
      url: `http://127.0.0.1:${String(baton.port)}/hubspot/webhooks`,
      clientSecret: hubspot.config.clientSecret,
    });
    logger.info(
      { port: baton.port, sandbox: true },
      `Sandbox mode (no SLACK_BOT_TOKEN set): try Baton at http://localhost:${String(baton.port)}/sandbox — to connect a real workspace, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (README.md, "Configuration")`,
    );
    return {
      ...baton,
      async stop() {
        await baton.stop();
        await hubspot?.standIn.close();
        await standIn.close();
        await closeDatabase();
      },
    };
  } catch (err) {
    await hubspot?.standIn.close();
    await standIn.close();
    await closeDatabase();
    throw err;
  }
}
