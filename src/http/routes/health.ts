import type { Logger } from '../../log.js';
import type { Route } from '../server.js';

export type ReadinessCheck = () => Promise<{ ok: true } | { ok: false; reason: string; error?: unknown }>;

/** /healthz: the process answers. /readyz: the database answers and its migrations are applied. */
export function healthRoutes(ready: ReadinessCheck, logger: Logger): Route[] {
  return [
    { method: 'GET', path: '/healthz', handle: () => Promise.resolve({ status: 200, json: { ok: true } }) },
    {
      method: 'GET',
      path: '/readyz',
      handle: async () => {
        const state = await ready();
        if (!state.ok && state.error !== undefined) logger.warn({ err: state.error }, 'readiness check failed');
        return state.ok
          ? { status: 200, json: { ok: true } }
          : { status: 503, json: { ok: false, reason: state.reason } };
      },
    },
  ];
}
