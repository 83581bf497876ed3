import { planImport, writeImport, type ImportOutcome, type PlannedImport, type Problem } from '../services/import.js';
import type { ServiceContext } from '../services/context.js';
import { HttpError } from './errors.js';
import { boundedLines } from './lines.js';
import { importLeadSchema } from './schemas/import.js';
import { validationDetails } from './validation.js';

const IMPORT_LINE_LIMIT = 1024 * 1024;
/** A JSON array is parsed whole, so it has a cap of its own; NDJSON streams and only bounds each line. */
const IMPORT_ARRAY_LIMIT = 64 * 1024 * 1024;
/**
 * Leads per transaction, and transactions in flight. Measured with bench:import (README,
 * Performance): a chunk's transaction is a dozen statements, each waiting on this process to send
 * the next, so several in flight keep both of a small server's cores busy; larger chunks gained
 * little more and hold more in memory.
 */
export const IMPORT_CHUNK = 2000;
const IMPORT_IN_FLIGHT = 3;
/** Leads read between turns of the event loop (about a millisecond of work). */
const YIELD_EVERY = 20;

/** A line that is not a lead at all; it still counts as one for the indexes reported back. */
class LineError {
  constructor(readonly message: string) {}
}

export interface ImportFailure {
  index: number;
  /** As sent (when the line has one), so the sender can find the lead without counting lines. */
  externalId?: string;
  problems: Problem[];
}

export interface ImportCounts {
  /** Lines read so far, good or bad. */
  done: number;
  imported: number;
  skipped: number;
  failed: number;
}

/** NDJSON leads, one per line, each line held to `IMPORT_LINE_LIMIT` while it is read. */
export async function* ndjsonItems(source: AsyncIterable<Uint8Array | string>): AsyncGenerator {
  for await (const line of boundedLines(source, IMPORT_LINE_LIMIT)) {
    if (typeof line !== 'string') {
      yield new LineError(`is over ${IMPORT_LINE_LIMIT / 1024} KB (it was skipped without being read)`);
      continue;
    }
    try {
      yield JSON.parse(line) as unknown;
    } catch {
      yield new LineError('is not valid JSON');
    }
  }
}

/** A JSON array of leads, refused past `IMPORT_ARRAY_LIMIT` bytes before it is parsed. */
export async function* arrayItems(source: AsyncIterable<Uint8Array | string>): AsyncGenerator {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    size += buf.length;
    if (size > IMPORT_ARRAY_LIMIT)
      throw new HttpError(
        413,
        'payload_too_large',
        `A JSON array is at most ${IMPORT_ARRAY_LIMIT / 1024 / 1024} MB; send larger imports as NDJSON (one lead per line).`,
      );
    chunks.push(buf);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'validation_failed', 'The body is not valid JSON.');
  }
  if (!Array.isArray(parsed))
    throw new HttpError(
      400,
      'validation_failed',
      'Send a JSON array of leads, or NDJSON (one lead per line) as application/x-ndjson.',
    );
  yield* parsed;
}

function sentExternalId(item: unknown): { externalId?: string } {
  const value = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).externalId : undefined;
  return typeof value === 'string' && value.trim() !== '' ? { externalId: value.slice(0, 500) } : {};
}

/** A chunk's leads in one transaction; should the database refuse it, each lead alone, so one bad lead fails alone. */
async function writeOrIsolate(
  ctx: ServiceContext,
  plans: readonly PlannedImport[],
  dryRun: boolean,
): Promise<ImportOutcome[]> {
  try {
    return await writeImport(ctx, plans, { dryRun });
  } catch (err) {
    if (plans.length === 1) throw err;
    // Only the SQLSTATE: the driver's message carries the statement's parameters, the leads' personal data.
    const sqlState =
      typeof err === 'object' && err !== null && 'cause' in err
        ? (err.cause as { code?: unknown } | undefined)?.code
        : undefined;
    ctx.logger.warn({ sqlState, leads: plans.length }, 'import chunk failed; taking its leads one by one');
    const outcomes: ImportOutcome[] = [];
    for (const plan of plans) outcomes.push(...(await writeImport(ctx, [plan], { dryRun })));
    return outcomes;
  }
}

/**
 * The import over any source of items, for the HTTP endpoint and the CLI
 * alike: items are validated as they stream in, gathered into chunks, and each chunk is written
 * while the next one is read and validated. Only a chunk or two is held at any time; failures go
 * to `onFailure` as they are found, progress to `onProgress` after every chunk.
 */
export async function runImport(
  ctx: ServiceContext,
  items: AsyncIterable<unknown>,
  opts: {
    dryRun?: boolean;
    chunkSize?: number;
    onFailure(failure: ImportFailure): void;
    /** After every chunk; every item before index `settled` is written, skipped or failed: where a resumed run may start. */
    onProgress?(counts: ImportCounts, settled: number): void;
  },
): Promise<ImportCounts> {
  const dryRun = opts.dryRun === true;
  const chunkSize = opts.chunkSize ?? IMPORT_CHUNK;
  const counts: ImportCounts = { done: 0, imported: 0, skipped: 0, failed: 0 };
  const fail = (failure: ImportFailure): void => {
    counts.failed++;
    opts.onFailure(failure);
  };
  // The chunk being gathered: each lead planned as it is read (so the event loop is never held long
  // while earlier chunks wait on it to send their next statement), and where each was in the file.
  let plans: PlannedImport[] = [];
  let at: { index: number; externalId: string }[] = [];
  let now = ctx.now();
  // Chunks being written while the next one is read, each settling to its error if any, so a
  // failure surfaces at the next flush instead of as an unhandled rejection. The key locks keep
  // them from importing a lead twice.
  const writing: Promise<Error | undefined>[] = [];
  // The first index of each chunk being written: chunks may finish out of order.
  const unsettled = new Set<number>();
  // Items read so far.
  let index = 0;
  const settle = async (): Promise<void> => {
    const err = await writing.shift();
    if (err !== undefined) throw err;
  };
  const flush = async (): Promise<void> => {
    const chunk = plans;
    const where = at;
    plans = [];
    at = [];
    now = ctx.now();
    while (writing.length >= IMPORT_IN_FLIGHT) await settle();
    if (chunk.length === 0) return;
    const first = where[0]!.index;
    unsettled.add(first);
    writing.push(
      writeOrIsolate(ctx, chunk, dryRun).then(
        (outcomes) => {
          outcomes.forEach((outcome, i) => {
            if (outcome === 'imported') counts.imported++;
            else if (outcome === 'skipped') counts.skipped++;
            else fail({ ...where[i]!, problems: outcome.problems });
          });
          counts.done = Math.max(counts.done, where[where.length - 1]!.index + 1);
          unsettled.delete(first);
          opts.onProgress?.({ ...counts }, Math.min(...unsettled, at[0]?.index ?? index));
          return undefined;
        },
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      ),
    );
  };
  for await (const item of items) {
    const line = index++;
    if (item instanceof LineError) {
      fail({ index: line, problems: [{ path: '(line)', message: item.message }] });
      continue;
    }
    const parsed = importLeadSchema.safeParse(item);
    if (!parsed.success) {
      fail({ index: line, ...sentExternalId(item), problems: validationDetails(parsed.error.issues) });
      continue;
    }
    plans.push(planImport(ctx, parsed.data, now));
    at.push({ index: line, externalId: parsed.data.externalId });
    if (plans.length >= chunkSize) await flush();
    // A file read ahead feeds this loop for many leads without a turn of the event loop, while the
    // chunks being written wait on it to send their next statement: let them have it regularly.
    else if (plans.length % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await flush();
  while (writing.length > 0) await settle();
  counts.done = index;
  return counts;
}
