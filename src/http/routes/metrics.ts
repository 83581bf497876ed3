import type { IncomingMessage } from 'node:http';
import { requireBearer } from '../auth.js';
import { HttpError } from '../errors.js';
import type { Route } from '../server.js';

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (::ffff:127.0.0.1). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * Who may scrape: with METRICS_TOKEN set, whoever sends it as a bearer token (Prometheus'
 * `authorization` setting), from anywhere; unset, this machine only (a sidecar, or an SSH tunnel).
 */
function requireScraper(req: IncomingMessage, metricsToken: string | undefined): void {
  if (metricsToken !== undefined) {
    requireBearer(req, metricsToken, 'METRICS_TOKEN');
    return;
  }
  if (!isLoopback(req.socket.remoteAddress))
    throw new HttpError(
      403,
      'not_allowed',
      'Metrics are served to this machine only; set METRICS_TOKEN to scrape from elsewhere.',
    );
}

/** GET /metrics: Prometheus text format (README, "Metrics"). */
export function metricsRoutes(
  scrape: () => Promise<{ contentType: string; text: string }>,
  metricsToken: string | undefined,
): Route[] {
  return [
    {
      method: 'GET',
      path: '/metrics',
      async handle(req) {
        requireScraper(req, metricsToken);
        const { contentType, text } = await scrape();
        return { status: 200, text, contentType };
      },
    },
  ];
}
