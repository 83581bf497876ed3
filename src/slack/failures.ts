import webApi from '@slack/web-api';

const { ErrorCode } = webApi;

/** How a failed Web API call should be treated by whoever retries it. */
export type SlackFailure =
  | { kind: 'rate_limited'; retryAfterMs: number; error: string }
  | { kind: 'transient'; error: string }
  /** Retrying the same request can never succeed (bad blocks, channel gone, message deleted): the delivery ends. */
  | { kind: 'permanent'; error: string }
  /** An admin can fix it (invite the bot, reinstall the app); `hint` says exactly what to do, and retries continue meanwhile. */
  | { kind: 'fixable'; error: string; hint: string };

const TRANSIENT_PLATFORM = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

/** Slack's answers that the same request will always get. */
const PERMANENT_PLATFORM = new Set([
  // Our request is malformed.
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'invalid_arguments',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'too_many_attachments',
  'no_text',
  // What the request points at is gone.
  'channel_not_found',
  'is_archived',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'thread_not_found',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'messages_tab_disabled',
]);

/** What an admin does about each refusal they can fix; `where` names the channel (or user) of the delivery. */
const FIXABLE_PLATFORM: Record<string, (where: string) => string> = {
  not_in_channel: (where) =>
    `Baton is not a member of channel ${where}: invite it there (/invite @Baton); the delivery is retried until then`,
  invalid_auth: () => "Slack refused the bot token: set SLACK_BOT_TOKEN to the app's current Bot User OAuth Token",
  not_authed: () => 'no bot token reached Slack: set SLACK_BOT_TOKEN',
  token_revoked: () => 'the bot token was revoked: reinstall the app and set SLACK_BOT_TOKEN to the new token',
  token_expired: () => 'the bot token expired: reinstall the app and set SLACK_BOT_TOKEN to the new token',
  account_inactive: () => 'the app was removed from the workspace: reinstall it and set SLACK_BOT_TOKEN',
  missing_scope: () => 'the bot token lacks a scope: reinstall the app from manifest.yml',
  restricted_action: (where) => `a workspace setting stops Baton posting in ${where}: ask a Slack admin to allow it`,
};

/** The `error` string of a Slack platform answer (`ok: false`), if that is what `err` is. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = err as { code?: string; data?: { error?: string } } | undefined;
  return e?.code === ErrorCode.PlatformError ? (e.data?.error ?? 'unknown_error') : undefined;
}

export function classifySlackFailure(err: unknown, where: string): SlackFailure {
  const e = err as {
    code?: string;
    retryAfter?: number;
    statusCode?: number;
    data?: { error?: string };
    message?: string;
  };
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return { kind: 'rate_limited', retryAfterMs: Math.max(1, e.retryAfter ?? 1) * 1000, error: 'ratelimited' };
    case ErrorCode.HTTPError:
      return { kind: 'transient', error: `http_${e.statusCode ?? 'error'}` };
    case ErrorCode.RequestError:
      return { kind: 'transient', error: `request_error: ${e.message ?? ''}` };
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      if (code === 'ratelimited') return { kind: 'rate_limited', retryAfterMs: 30_000, error: code };
      if (TRANSIENT_PLATFORM.has(code)) return { kind: 'transient', error: code };
      if (PERMANENT_PLATFORM.has(code)) return { kind: 'permanent', error: code };
      const hint = FIXABLE_PLATFORM[code];
      // An answer we do not know is retried (it may be an admin's to fix), and said so.
      return {
        kind: 'fixable',
        error: code,
        hint: hint ? hint(where) : `Slack answered "${code}", which Baton does not know; retrying`,
      };
    }
    default:
      // Timeouts surface as plain errors from the HTTP layer; anything unclassified is retried.
      return { kind: 'transient', error: e.message ?? String(err) };
  }
}
