import type { ServiceContext } from '../../services/context.js';
import { requireBearer } from '../auth.js';
import { requireJson } from '../body.js';
import { arrayItems, ndjsonItems, runImport, type ImportCounts, type ImportFailure } from '../import-stream.js';
import type { HttpResult, Route } from '../server.js';

const NDJSON_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/ndjson'];

type Summary = { imported: number; skipped: number; failed: ImportFailure[] };

/**
 * The import's lines as they come: a progress line after every chunk, the summary last. A
 * failure once streaming has begun can only cut the stream, so a client that does not see the
 * summary knows the import stopped (what was committed stays; sending the file again resumes).
 */
async function* progressLines(
  run: (onProgress: (c: ImportCounts) => void) => Promise<Summary>,
): AsyncGenerator<string> {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  const push = (value: unknown): void => {
    queue.push(`${JSON.stringify(value)}\n`);
    wake?.();
  };
  const done = run((c) => {
    push({ progress: c });
  }).then(
    (summary) => {
      push(summary);
      return undefined;
    },
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  void done.finally(() => {
    finished = true;
    wake?.();
  });
  for (;;) {
    const line = queue.shift();
    if (line !== undefined) {
      yield line;
      continue;
    }
    if (finished) break;
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
  const err = await done;
  if (err) throw err;
}

/** POST /api/leads/import: history backfill (README.md, "POST /api/leads/import"); posts nothing to Slack. */
export function importRoutes(ctx: ServiceContext, intakeToken: string | undefined): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/leads/import',
      async handle(req): Promise<HttpResult> {
        requireBearer(req, intakeToken, 'INTAKE_TOKEN');
        const type = requireJson(req, NDJSON_TYPES);
        const source = req as AsyncIterable<Buffer>;
        const run = async (onProgress?: (c: ImportCounts) => void): Promise<Summary> => {
          const failed: ImportFailure[] = [];
          const counts = await runImport(ctx, type === 'application/json' ? arrayItems(source) : ndjsonItems(source), {
            onFailure: (f) => failed.push(f),
            ...(onProgress ? { onProgress } : {}),
          });
          failed.sort((a, b) => a.index - b.index);
          return { imported: counts.imported, skipped: counts.skipped, failed };
        };
        // NDJSON in, NDJSON out: a long import reports its progress as it goes.
        if (type !== 'application/json' && (req.headers.accept ?? '').includes('application/x-ndjson')) {
          return { status: 200, contentType: 'application/x-ndjson; charset=utf-8', stream: progressLines(run) };
        }
        return { status: 200, json: await run() };
      },
    },
  ];
}
