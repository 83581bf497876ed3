import type { IncomingMessage } from 'node:http';
import { DomainError } from '../../domain/errors.js';
import { importLead } from '../../services/import.js';
import type { ServiceContext } from '../../services/context.js';
import { requireBearer } from '../auth.js';
import { ONE_MEGABYTE, readBody, requireJson } from '../body.js';
import { HttpError } from '../errors.js';
import { boundedLines } from '../lines.js';
import { importLeadSchema } from '../schemas/import.js';
import type { Route } from '../server.js';
import { validationDetails } from '../validation.js';

const NDJSON_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/ndjson'];
/** A JSON array is parsed whole; NDJSON streams line by line and only bounds each line. */
const ARRAY_LIMIT = 64 * ONE_MEGABYTE;
const LINE_LIMIT = ONE_MEGABYTE;

interface Failure {
  index: number;
  /** As sent (when the line has one), so the sender can find the lead without counting lines. */
  externalId?: string;
  problems: { path: string; message: string }[];
}

/** A line that is not a lead at all; it still counts as one for the indexes reported back. */
class LineError {
  constructor(readonly message: string) {}
}

async function* ndjsonLines(req: IncomingMessage): AsyncGenerator {
  for await (const line of boundedLines(req as AsyncIterable<Buffer>, LINE_LIMIT)) {
    if (typeof line !== 'string') {
      yield new LineError(`is over ${LINE_LIMIT / 1024} KB (it was skipped without being read)`);
      continue;
    }
    try {
      yield JSON.parse(line) as unknown;
    } catch {
      yield new LineError('is not valid JSON');
    }
  }
}

async function* arrayItems(req: IncomingMessage): AsyncGenerator {
  let parsed: unknown;
  try {
    parsed = JSON.parse((await readBody(req, ARRAY_LIMIT)).toString('utf8')) as unknown;
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, 'validation_failed', 'The body is not valid JSON.');
  }
  if (!Array.isArray(parsed)) throw new HttpError(400, 'validation_failed', 'Send a JSON array of leads, or NDJSON (one lead per line) as application/x-ndjson.');
  yield* parsed;
}

function sentExternalId(item: unknown): { externalId?: string } {
  const value = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).externalId : undefined;
  return typeof value === 'string' && value.trim() !== '' ? { externalId: value.slice(0, 500) } : {};
}

/** POST /api/leads/import: history backfill (SPEC §7); posts nothing to Slack. */
export function importRoutes(ctx: ServiceContext, intakeToken: string | undefined): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/leads/import',
      async handle(req) {
        requireBearer(req, intakeToken, 'INTAKE_TOKEN');
        const type = requireJson(req, NDJSON_TYPES);
        const items = type === 'application/json' ? arrayItems(req) : ndjsonLines(req);
        let imported = 0;
        let skipped = 0;
        const failed: Failure[] = [];
        let index = 0;
        for await (const item of items) {
          const at = index++;
          if (item instanceof LineError) {
            failed.push({ index: at, problems: [{ path: '(line)', message: item.message }] });
            continue;
          }
          const parsed = importLeadSchema.safeParse(item);
          const externalId = sentExternalId(item);
          if (!parsed.success) {
            failed.push({ index: at, ...externalId, problems: validationDetails(parsed.error.issues) });
            continue;
          }
          try {
            if ((await importLead(ctx, parsed.data)) === 'imported') imported++;
            else skipped++;
          } catch (err) {
            if (!(err instanceof DomainError) || err.code !== 'validation_failed') throw err;
            failed.push({ index: at, ...externalId, problems: (err.details as Failure['problems'] | undefined) ?? [{ path: '(lead)', message: err.message }] });
          }
        }
        return { status: 200, json: { imported, skipped, failed } };
      },
    },
  ];
}
