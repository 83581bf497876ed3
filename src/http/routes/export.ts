import { exportLeads } from '../../services/export.js';
import type { ServiceContext } from '../../services/context.js';
import { requireBearer } from '../auth.js';
import type { Route } from '../server.js';

async function* ndjson(rows: AsyncIterable<unknown>): AsyncGenerator<string> {
  for await (const row of rows) yield `${JSON.stringify(row)}\n`;
}

/** GET /api/leads/export: every lead with its history as NDJSON, the import's own format (issue 17). */
export function exportRoutes(ctx: ServiceContext, reportsToken: string | undefined): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/leads/export',
      handle(req) {
        requireBearer(req, reportsToken, 'REPORTS_TOKEN');
        return Promise.resolve({
          status: 200,
          contentType: 'application/x-ndjson; charset=utf-8',
          stream: ndjson(exportLeads(ctx)),
        });
      },
    },
  ];
}
