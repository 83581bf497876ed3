import type { RequestListener } from 'node:http';
import type { Logger } from '../log.js';

/** Slack's advice: refuse a request whose timestamp is more than five minutes from our clock. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/**
 * Bolt refuses timestamps too far in the past only; one too far ahead would let a captured
 * request be replayed until that moment. A missing or garbled timestamp is Bolt's to refuse.
 */
export function isFromTheFuture(header: string | string[] | undefined, nowMs: number): boolean {
  if (typeof header !== 'string' || !/^\d+$/.test(header.trim())) return false;
  return Number(header) > Math.floor(nowMs / 1000) + MAX_CLOCK_SKEW_SECONDS;
}

/** Bolt's request listener behind the check for the other direction; refused like Bolt refuses (401, no body). */
export function refuseFutureRequests(listener: RequestListener, logger: Logger): RequestListener {
  return (req, res) => {
    if (!isFromTheFuture(req.headers['x-slack-request-timestamp'], Date.now())) {
      listener(req, res);
      return;
    }
    logger.warn(
      { path: '/slack/events' },
      'Slack request refused: its timestamp is more than 5 minutes ahead of our clock',
    );
    // The body is never read: close rather than drain it.
    res.writeHead(401, { connection: 'close', 'content-length': 0 }).end();
  };
}
