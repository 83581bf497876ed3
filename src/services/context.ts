import type { Policy } from '../config/policy.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../log.js';

/** What every use case needs: the store, the rules, whose workspace, and the clock (passed in, never read). */
export interface ServiceContext {
  db: Db;
  policy: Policy;
  workspaceId: string;
  now(): Date;
  logger: Logger;
  /** The HubSpot connector is on: changes to leads that came from HubSpot are written back to it. */
  hubspot?: boolean | undefined;
}
