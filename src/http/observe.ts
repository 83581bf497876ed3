import type { Server } from 'node:http';
import type { Metrics } from '../metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Counts and times every request the server answers, Slack's included. Labels are bounded: a path
 * that is no route of ours is "other", a method not in HTTP's usual set is "other", and a request
 * whose client went away before the answer was sent is status "aborted".
 */
export function observeRequests(server: Server, metrics: Metrics, paths: readonly string[]): void {
  const known = new Set(paths);
  server.on('request', (req, res) => {
    const end = metrics.httpDuration.startTimer();
    res.once('close', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const route = known.has(path) ? path : 'other';
      end({ route });
      metrics.httpRequests.inc({
        route,
        method: METHODS.has(req.method ?? '') ? req.method! : 'other',
        status: res.writableFinished ? String(res.statusCode) : 'aborted',
      });
    });
  });
}
