import webApi from '@slack/web-api';

const { ErrorCode } = webApi;

/** How a failed Web API call should be treated by whoever retries it. */
export type SlackFailure =
  | { kind: 'rate_limited'; retryAfterMs: number; error: string }
  | { kind: 'transient'; error: string }
  /** Our request is wrong (bad blocks, too long): retrying the same thing cannot help. */
  | { kind: 'invalid'; error: string }
  /** Slack refused for a reason an admin can fix (channel missing, bot not invited, token revoked). */
  | { kind: 'refused'; error: string };

const TRANSIENT_PLATFORM = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);
const INVALID_PLATFORM = new Set(['invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'invalid_arguments', 'invalid_metadata_format', 'invalid_metadata_schema', 'too_many_attachments', 'no_text']);

export function classifySlackFailure(err: unknown): SlackFailure {
  const e = err as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string }; message?: string };
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
      if (INVALID_PLATFORM.has(code)) return { kind: 'invalid', error: code };
      return { kind: 'refused', error: code };
    }
    default:
      // Timeouts surface as plain errors from the HTTP layer; anything unclassified is retried.
      return { kind: 'transient', error: e.message ?? String(err) };
  }
}
