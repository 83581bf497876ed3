import webApi from '@slack/web-api';
import type { WebClientOptions } from '@slack/web-api';
import type { Logger } from '../log.js';
import { boltLogger } from './logger.js';

// @slack/web-api is CommonJS: named imports of its values fail from ESM, the default works.
const { WebClient, ErrorCode } = webApi;
export type WebClient = InstanceType<typeof WebClient>;

export interface SlackSettings {
  botToken: string;
  apiUrl: string | undefined;
}

/*
 * Deliberate client behaviour: the outbox paces itself and owns retries, so the client neither
 * sleeps through a 429 for every caller nor retries 5xx for half an hour, and never waits forever.
 */
export function slackClientOptions(settings: SlackSettings, logger: Logger): WebClientOptions {
  return {
    ...(settings.apiUrl !== undefined ? { slackApiUrl: settings.apiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: 10_000,
    logger: boltLogger(logger),
  };
}

export function createWebClient(settings: SlackSettings, logger: Logger): WebClient {
  return new WebClient(settings.botToken, slackClientOptions(settings, logger));
}

export interface BotIdentity {
  workspaceId: string;
  workspaceName: string | undefined;
  botId: string;
  botUserId: string;
}

/** Whether a Slack API failure is Slack refusing the request (final) rather than not answering. */
export function isPlatformError(err: unknown): err is { code: string; data: { error: string } } {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === ErrorCode.PlatformError;
}

/**
 * Resolves who the bot is before Bolt starts: Bolt's own auth.test in the App constructor turns a
 * bad token into an unhandled rejection. A refused token is a configuration error; an unreachable
 * Slack is retried a few times before giving up.
 */
export async function resolveBotIdentity(client: WebClient, attempts = 5): Promise<BotIdentity> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await client.auth.test();
      if (!res.team_id || !res.user_id || !res.bot_id)
        throw new Error('auth.test answered without team_id, user_id or bot_id');
      return { workspaceId: res.team_id, workspaceName: res.team, botId: res.bot_id, botUserId: res.user_id };
    } catch (err) {
      if (isPlatformError(err))
        throw new SlackAuthError(
          `SLACK_BOT_TOKEN: Slack refused the token (${err.data.error}); copy the Bot User OAuth Token from "OAuth & Permissions"`,
        );
      if (attempt >= attempts)
        throw new SlackAuthError(
          `SLACK_API_URL: could not reach Slack at ${client.slackApiUrl} (${err instanceof Error ? err.message : String(err)})`,
        );
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  }
}

export class SlackAuthError extends Error {
  override name = 'SlackAuthError';
}
