import type { AddressInfo } from 'node:net';
import { ConfigError } from './config/errors.js';
import type { Config } from './config/env.js';
import type { Policy } from './config/policy.js';
import { openDatabase, type Database } from './db/client.js';
import { ensureWorkspace } from './db/repo/workspaces.js';
import { healthRoutes } from './http/routes/health.js';
import { hubspotRoutes } from './http/routes/hubspot.js';
import { exportRoutes } from './http/routes/export.js';
import { importRoutes } from './http/routes/import.js';
import { leadRoutes } from './http/routes/leads.js';
import { metricsRoutes } from './http/routes/metrics.js';
import { observeRequests } from './http/observe.js';
import { reportRoutes } from './http/routes/report-api.js';
import { routePreviewRoutes } from './http/routes/route.js';
import { createHttpServer, type Route } from './http/server.js';
import type { Logger } from './log.js';
import { createMetrics } from './metrics.js';
import { createSlackApp, SLACK_EVENTS_PATH } from './slack/app.js';
import { createWebClient, resolveBotIdentity, type BotIdentity } from './slack/client.js';
import { slackSenders } from './slack/senders.js';
import { createSlackDirectory } from './slack/directory.js';
import { createHubspotConnector, type HubspotConnector } from './services/hubspot-connector.js';
import { HUBSPOT_LANE } from './services/delivery-catalogue.js';
import { hubspotSenders } from './services/hubspot-writeback.js';
import { registerListeners } from './slack/register.js';
import type { ServiceContext } from './services/context.js';
import { createIntakeQueue } from './services/intake.js';
import { countedDeliverer, scrapeMetrics } from './services/metrics.js';
import { scheduledJobs, startCron } from './services/jobs.js';
import {
  DEFAULT_OUTBOX_TUNING,
  dispatch,
  startOutboxWorker,
  type OutboxTuning,
  type OutboxWorker,
} from './services/outbox.js';

export interface Baton {
  url: string;
  port: number;
  identity: BotIdentity;
  database: Database;
  context: ServiceContext;
  outbox: OutboxWorker;
  /** The HubSpot connector, when HUBSPOT_ACCESS_TOKEN is set. */
  hubspot: HubspotConnector | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  policy: Policy;
  logger: Logger;
  /** Tests hand in their own database; otherwise the config's is opened, migrated and closed with Baton. */
  database?: Database;
  /** The clock every use case reads; tests move it. */
  now?: () => Date;
  outboxTuning?: Partial<OutboxTuning>;
  /** More routes on the same server (the sandbox's page and its API). */
  routes?: readonly Route[];
}

/** Starts the whole app in this process: database, Slack, HTTP. Used by main and by tests alike. */
export async function startBaton(opts: StartOptions): Promise<Baton> {
  const { config, logger } = opts;
  // Who the bot is comes first: a refused token should fail in a second, not after migrations.
  const identity = await resolveBotIdentity(
    createWebClient({ botToken: config.slack.botToken, apiUrl: config.slack.apiUrl }, logger),
  );
  const database = opts.database ?? (await openDatabase(config.database));
  const ownsDatabase = opts.database === undefined;
  try {
    await database.migrate();
    await ensureWorkspace(database.db, identity);

    const context: ServiceContext = {
      db: database.db,
      policy: opts.policy,
      workspaceId: identity.workspaceId,
      now: opts.now ?? (() => new Date()),
      logger,
      hubspot: config.hubspot !== undefined,
    };
    const slack = createSlackApp(config.slack, identity, logger);
    registerListeners(slack.app, context, logger);
    // Started once the server listens, so a failed start-up leaves no worker behind.
    const outbox: { worker?: OutboxWorker } = {};

    const metrics = createMetrics();
    const intake = createIntakeQueue(context);
    const hubspot = config.hubspot
      ? createHubspotConnector(context, config.hubspot, {
          intake,
          directory: createSlackDirectory(slack.app.client),
          onHandoff: () => {
            outbox.worker?.nudge();
          },
        })
      : undefined;
    const routes = [
      ...healthRoutes(() => database.ready(), logger),
      ...leadRoutes(intake, config.intakeToken, () => {
        outbox.worker?.nudge();
      }),
      ...importRoutes(context, config.intakeToken),
      ...routePreviewRoutes(context, config.intakeToken),
      ...exportRoutes(context, config.reportsToken),
      ...reportRoutes(context, config.reportsToken),
      ...hubspotRoutes(context, config.hubspot, () => {
        hubspot?.worker?.nudge();
      }),
      ...metricsRoutes(() => scrapeMetrics(context, metrics), config.metricsToken),
      ...(opts.routes ?? []),
    ];
    const server = createHttpServer({
      routes,
      mounts: slack.httpListener ? [{ path: SLACK_EVENTS_PATH, methods: ['POST'], listener: slack.httpListener }] : [],
      limits: config.http,
      logger,
    });
    observeRequests(server, metrics, [...routes.map((r) => r.path), SLACK_EVENTS_PATH]);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        // The one start-up failure a person fixes by hand: say which variable, without a stack trace.
        reject(
          err.code === 'EADDRINUSE'
            ? new ConfigError([
                `PORT: port ${config.port} is already in use (another Baton, or another program, listens there). Set PORT to a free port, e.g. PORT=${config.port + 1}.`,
              ])
            : err,
        );
      });
      // The sandbox has no login (anyone on the page acts as anyone in the policy): this machine only.
      if (config.sandbox)
        server.listen(config.port, '127.0.0.1', () => {
          resolve();
        });
      else
        server.listen(config.port, () => {
          resolve();
        });
    });
    await slack.start();
    const worker = startOutboxWorker(
      context,
      countedDeliverer(
        dispatch({ ...slackSenders(context, slack.app.client), ...hubspotSenders(context, hubspot) }),
        metrics,
      ),
      {
        ...DEFAULT_OUTBOX_TUNING,
        channelRate: config.outboxChannelRate,
        selfPaced: [HUBSPOT_LANE],
        ...opts.outboxTuning,
      },
    );
    outbox.worker = worker;
    hubspot?.start();
    const cron = startCron(scheduledJobs(context, { retentionDays: config.retentionDays }), context, logger);
    const port = (server.address() as AddressInfo).port;
    logger.info(
      {
        port,
        database: database.kind,
        socketMode: config.slack.appToken !== undefined,
        workspace: identity.workspaceId,
      },
      `Baton is listening on http://localhost:${port}`,
    );

    return {
      url: `http://127.0.0.1:${port}`,
      port,
      identity,
      database,
      context,
      outbox: worker,
      hubspot,
      async stop() {
        await cron.stop();
        await hubspot?.stop();
        await slack.stop();
        const closed = new Promise<void>((resolve) =>
          server.close(() => {
            resolve();
          }),
        );
        server.closeIdleConnections();
        // In-flight requests get a few seconds to finish; then the connections are cut.
        const force = setTimeout(() => {
          server.closeAllConnections();
        }, 5_000);
        await closed;
        clearTimeout(force);
        await worker.stop();
        if (ownsDatabase) await database.close();
      },
    };
  } catch (err) {
    if (ownsDatabase) await database.close();
    throw err;
  }
}
