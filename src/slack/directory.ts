import { ttlCache } from '../ttl-cache.js';
import type { WebClient } from './client.js';
import { slackErrorCode } from './failures.js';

/**
 * Who a workspace member is by e-mail and back (users.lookupByEmail, users.info; scopes users:read
 * and users:read.email in manifest.yml). Answers are cached: a CRM owner is matched on every MQL,
 * and the people change rarely. An unknown e-mail is cached for less long, so a rep who joins
 * Slack is found soon after. A failed call (Slack down) throws: the caller retries later rather
 * than routing without the owner.
 */
export interface SlackDirectory {
  userIdByEmail(email: string): Promise<string | undefined>;
  emailOfUser(userId: string): Promise<string | undefined>;
}

const FOUND_TTL_MS = 60 * 60_000;
const MISSING_TTL_MS = 5 * 60_000;

export function createSlackDirectory(client: WebClient, now: () => number = Date.now): SlackDirectory {
  const cached = ttlCache<string | undefined>((value) => (value === undefined ? MISSING_TTL_MS : FOUND_TTL_MS), now);
  return {
    userIdByEmail: (email) =>
      cached(`email:${email.toLowerCase()}`, async () => {
        try {
          return (await client.users.lookupByEmail({ email })).user?.id;
        } catch (err) {
          if (slackErrorCode(err) === 'users_not_found') return undefined;
          throw err;
        }
      }),
    emailOfUser: (userId) =>
      cached(`user:${userId}`, async () => {
        try {
          return (await client.users.info({ user: userId })).user?.profile?.email;
        } catch (err) {
          if (slackErrorCode(err) === 'user_not_found') return undefined;
          throw err;
        }
      }),
  };
}
