import { randomBytes } from 'node:crypto';
import { startBaton, type Baton, type StartOptions } from '../baton.js';
import { openDatabase } from '../db/client.js';
import { policyPeople } from './people.js';
import { sandboxRoutes } from './routes.js';
import { startSlackStandIn, type SlackStandIn } from './slack-standin.js';
import { databaseStandInStore } from './store.js';

const SANDBOX_TEAM = 'T0SANDBOX';

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
  let standIn: SlackStandIn;
  try {
    await database.migrate();
    standIn = await startSlackStandIn({
      token: config.slack.botToken,
      teamId: SANDBOX_TEAM,
      users: Object.fromEntries(people.map((p) => [p.id, { real_name: p.name, tz: p.timeZone }])),
      store: databaseStandInStore(database.db, SANDBOX_TEAM),
    });
  } catch (err) {
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
      config: { ...config, slack: { ...config.slack, apiUrl: standIn.url }, intakeToken, reportsToken },
      routes: [...(opts.routes ?? []), ...sandboxRoutes({ standIn, policy, signingSecret: config.slack.signingSecret, intakeToken, reportsToken, teamId: SANDBOX_TEAM, now })],
    });
    logger.info(
      { port: baton.port, sandbox: true },
      `Sandbox mode (no SLACK_BOT_TOKEN set): try Baton at http://localhost:${String(baton.port)}/sandbox — to connect a real workspace, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (README.md, "Configuration")`,
    );
    return {
      ...baton,
      async stop() {
        await baton.stop();
        await standIn.close();
        await closeDatabase();
      },
    };
  } catch (err) {
    await standIn.close();
    await closeDatabase();
    throw err;
  }
}
