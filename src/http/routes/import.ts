import type { ServiceContext } from '../../services/context.js';
import { requireBearer } from '../auth.js';
import { requireJson } from '../body.js';
import { arrayItems, ndjsonItems, runImport, type ImportFailure } from '../import-stream.js';
import type { Route } from '../server.js';

const NDJSON_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/ndjson'];

/** POST /api/leads/import: history backfill (SPEC §7); posts nothing to Slack. */
export function importRoutes(ctx: ServiceContext, intakeToken: string | undefined): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/leads/import',
      async handle(req) {
        requireBearer(req, intakeToken, 'INTAKE_TOKEN');
        const type = requireJson(req, NDJSON_TYPES);
        const source = req as AsyncIterable<Buffer>;
        const failed: ImportFailure[] = [];
        const counts = await runImport(ctx, type === 'application/json' ? arrayItems(source) : ndjsonItems(source), { onFailure: (f) => failed.push(f) });
        failed.sort((a, b) => a.index - b.index);
        return { status: 200, json: { imported: counts.imported, skipped: counts.skipped, failed } };
      },
    },
  ];
}
