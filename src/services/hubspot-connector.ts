import type { HubspotConfig } from '../config/env.js';
import { createHubspotClient, type HubspotClient } from '../hubspot/client.js';
import type { ServiceContext } from './context.js';
import { hubspotPace, paceHubspot } from './hubspot.js';
import { createOwnerMatcher, type OwnerMatcher, type PeopleDirectory } from './hubspot-owners.js';
import { consumeHubspotEcho } from '../db/repo/hubspot.js';
import {
  DEFAULT_HUBSPOT_TUNING,
  startHubspotWorker,
  type HubspotWorker,
  type HubspotWorkerTuning,
} from './hubspot-sync.js';
import type { IntakeQueue } from './intake.js';

/** The HubSpot connector's parts, made once at start-up when HUBSPOT_ACCESS_TOKEN is set. */
export interface HubspotConnector {
  client: HubspotClient;
  owners: OwnerMatcher;
  /** Set once started. */
  worker: HubspotWorker | undefined;
  start(): void;
  stop(): Promise<void>;
}

export function createHubspotConnector(
  ctx: ServiceContext,
  config: HubspotConfig,
  deps: { intake: IntakeQueue; directory: PeopleDirectory; onHandoff(): void; tuning?: Partial<HubspotWorkerTuning> },
): HubspotConnector {
  const pace = hubspotPace(config.rateLimit);
  const client = createHubspotClient({
    accessToken: config.accessToken,
    apiUrl: config.apiUrl,
    beforeRequest: () => paceHubspot(ctx, pace),
  });
  const owners = createOwnerMatcher(ctx.policy, client, deps.directory);
  const connector: HubspotConnector = {
    client,
    owners,
    worker: undefined,
    start() {
      connector.worker = startHubspotWorker(
        ctx,
        {
          client,
          intake: deps.intake,
          owners,
          pace,
          onHandoff: () => {
            deps.onHandoff();
          },
          isEcho: (e) =>
            e.propertyName === null
              ? Promise.resolve(false)
              : consumeHubspotEcho(ctx.db, ctx.workspaceId, {
                  contactId: e.objectId,
                  property: e.propertyName,
                  value: e.propertyValue ?? '',
                  occurredAt: e.occurredAt,
                }),
        },
        { ...DEFAULT_HUBSPOT_TUNING, ...deps.tuning },
      );
    },
    async stop() {
      await connector.worker?.stop();
    },
  };
  return connector;
}
