import { ttlCache } from '../ttl-cache.js';
import type { Policy } from '../config/policy.js';
import type { HubspotClient } from '../hubspot/client.js';

/** Who answers "which Slack user has this e-mail" and back: Slack's directory (src/slack/directory.ts). */
export interface PeopleDirectory {
  userIdByEmail(email: string): Promise<string | undefined>;
  emailOfUser(userId: string): Promise<string | undefined>;
}

/** HubSpot owners ↔ Baton reps, matched by e-mail (README, "Connecting HubSpot"). */
export interface OwnerMatcher {
  /** The Slack user id of the rep a HubSpot owner is, if any: the owner hint. */
  repForOwner(ownerId: string): Promise<string | undefined>;
  /** The HubSpot owner id of a rep, if HubSpot has one with the rep's e-mail: what write-back sets. */
  ownerForRep(userId: string): Promise<string | undefined>;
}

const TTL_MS = 60 * 60_000;

/**
 * The rep's `email` in the policy wins; otherwise Slack is asked. Owners and their e-mails are
 * cached for an hour: they change rarely, and HubSpot's calls are counted against the account.
 */
export function createOwnerMatcher(
  policy: Policy,
  client: HubspotClient,
  directory: PeopleDirectory,
  now: () => number = Date.now,
): OwnerMatcher {
  const reps = policy.teams.flatMap((t) => t.reps);
  const cached = ttlCache<string | undefined>(() => TTL_MS, now);
  return {
    async repForOwner(ownerId) {
      const email = await cached(`owner:${ownerId}`, async () => (await client.getOwner(ownerId))?.email ?? undefined);
      if (email === undefined) return undefined;
      const named = reps.find((r) => r.email?.toLowerCase() === email.toLowerCase());
      return named ? named.user : directory.userIdByEmail(email);
    },
    async ownerForRep(userId) {
      const email = reps.find((r) => r.user === userId)?.email ?? (await directory.emailOfUser(userId));
      if (email === undefined) return undefined;
      return cached(`email:${email.toLowerCase()}`, async () => (await client.findOwnerByEmail(email))?.id);
    },
  };
}
