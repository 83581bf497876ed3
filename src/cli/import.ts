import { createReadStream, createWriteStream, rmSync, statSync, type WriteStream } from 'node:fs';
import { loadImportConfig } from '../config/env.js';
import { loadPolicy } from '../config/policy.js';
import { openDatabase } from '../db/client.js';
import { HttpError } from '../http/errors.js';
import { arrayItems, ndjsonItems, runImport, type ImportFailure } from '../http/import-stream.js';
import { createLogger } from '../log.js';
import { duration, EXIT, fmt, importProgress, leadCount, runImportCommand, UsageError, workspaceOf } from './common.js';

const USAGE = 'usage: npm run import -- <leads.ndjson | leads.json | -> [--dry-run]';

function parseArgs(argv: readonly string[]): { file: string; dryRun: boolean } {
  const dryRun = argv.includes('--dry-run');
  const rest = argv.filter((a) => a !== '--dry-run');
  if (rest.length !== 1 || (rest[0]!.startsWith('-') && rest[0] !== '-')) throw new UsageError(USAGE);
  return { file: rest[0]!, dryRun };
}

/** Counts the bytes read, for the progress bar's ETA. */
async function* counted(source: AsyncIterable<Buffer>, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    onBytes(chunk.length);
    yield chunk;
  }
}

/**
 * `npm run import -- leads.ndjson | leads.json | - [--dry-run]`: the HTTP import's code against
 * DATABASE_URL or the embedded database, with a progress bar on stderr, a summary on stdout and
 * the failed lines (index, externalId, problems) in `<file>.failed.ndjson`.
 */
async function run(argv: readonly string[]): Promise<number> {
  const { file, dryRun } = parseArgs(argv);
  // A mistyped path is a wrong call, told before anything is opened (or the database's own complaint hides it).
  const stat = file === '-' ? undefined : statSync(file, { throwIfNoEntry: false });
  if (file !== '-' && stat?.isFile() !== true)
    throw new UsageError(`${file}: ${stat === undefined ? 'no such file' : 'not a file'}\n${USAGE}`);
  const settings = loadImportConfig();
  const policy = loadPolicy(settings.policyFile);
  const database = await openDatabase(settings.database);
  try {
    await database.migrate();
    const workspaceId = await workspaceOf(database);
    const logger = createLogger(settings.logLevel === 'info' ? 'warn' : settings.logLevel, process.stderr);
    const ctx = { db: database.db, policy, workspaceId, now: () => new Date(), logger };
    const total = stat?.size;
    let read = 0;
    const input = counted(
      (file === '-' ? process.stdin : createReadStream(file)) as AsyncIterable<Buffer>,
      (n) => (read += n),
    );
    const items = file.endsWith('.json') ? arrayItems(input) : ndjsonItems(input);
    const failuresFile = `${file === '-' ? 'stdin' : file}.failed.ndjson`;
    // A previous run's failures would be mistaken for this one's.
    rmSync(failuresFile, { force: true });
    let failures: WriteStream | undefined;
    const started = Date.now();
    const draw = importProgress(() => (total !== undefined && total > 0 ? read / total : undefined));
    const onFailure = (f: ImportFailure): void => {
      failures ??= createWriteStream(failuresFile);
      failures.write(`${JSON.stringify(f)}\n`);
    };
    const counts = await runImport(ctx, items, {
      dryRun,
      onFailure,
      onProgress: (c) => {
        draw(c);
      },
    });
    draw(counts, true);
    if (failures)
      await new Promise<void>((resolve, reject) =>
        failures!.end((err?: Error | null) => {
          if (err) reject(err);
          else resolve();
        }),
      );
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `${dryRun ? 'dry run: ' : ''}${leadCount(counts.done)} in ${duration(seconds)} (${fmt(counts.done / Math.max(seconds, 0.001))}/s): ${dryRun ? 'valid' : 'imported'} ${fmt(counts.imported)}, skipped ${fmt(counts.skipped)} (already there), failed ${fmt(counts.failed)}${counts.failed > 0 ? ` (see ${failuresFile})` : ''}\n`,
    );
    return counts.failed > 0 ? EXIT.someFailed : EXIT.ok;
  } finally {
    await database.close();
  }
}

runImportCommand(() => run(process.argv.slice(2)), {
  refusal: (err) => (err instanceof HttpError ? `import refused: ${err.message}` : undefined),
  stopped: (message) =>
    `import stopped: ${message}\nLeads already imported stay; run the same command again to resume (what is there is skipped).`,
});
