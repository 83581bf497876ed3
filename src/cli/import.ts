import { createReadStream, createWriteStream, rmSync, statSync, type WriteStream } from 'node:fs';
import { loadImportConfig } from '../config/env.js';
import { ConfigError } from '../config/errors.js';
import { loadPolicy } from '../config/policy.js';
import { openDatabase, type Database } from '../db/client.js';
import { workspaceIds } from '../db/repo/workspaces.js';
import { HttpError } from '../http/errors.js';
import { arrayItems, ndjsonItems, runImport, type ImportCounts, type ImportFailure } from '../http/import-stream.js';
import { createLogger } from '../log.js';

/** Exit codes scripts can rely on. */
const EXIT = { ok: 0, someLinesFailed: 1, usage: 2, aborted: 3 } as const;

const USAGE = 'usage: npm run import -- <leads.ndjson | leads.json | -> [--dry-run]';

class UsageError extends Error {}

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

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
}

/** The one workspace this database serves: learnt from Slack when Baton first started. */
async function workspaceOf(database: Database): Promise<string> {
  const ids = await workspaceIds(database.db);
  if (ids.length === 1) return ids[0]!;
  throw new UsageError(ids.length === 0 ? 'This database has no workspace yet: start Baton once (npm start) so it learns its Slack workspace, then import.' : `This database serves ${ids.length} workspaces; an import needs exactly one.`);
}

/**
 * `npm run import -- leads.ndjson | leads.json | - [--dry-run]`: the HTTP import's code against
 * DATABASE_URL or the embedded database, with a progress bar on stderr, a summary on stdout and
 * the failed lines (index, externalId, problems) in `<file>.failed.ndjson`.
 */
async function run(argv: readonly string[]): Promise<number> {
  const { file, dryRun } = parseArgs(argv);
  const settings = loadImportConfig();
  const policy = loadPolicy(settings.policyFile);
  const database = await openDatabase(settings.database);
  try {
    await database.migrate();
    const workspaceId = await workspaceOf(database);
    const logger = createLogger(settings.logLevel === 'info' ? 'warn' : settings.logLevel, process.stderr);
    const ctx = { db: database.db, policy, workspaceId, now: () => new Date(), logger };
    const total = file === '-' ? undefined : statSync(file).size;
    let read = 0;
    const input = counted((file === '-' ? process.stdin : createReadStream(file)) as AsyncIterable<Buffer>, (n) => (read += n));
    const items = file.endsWith('.json') ? arrayItems(input) : ndjsonItems(input);
    const failuresFile = `${file === '-' ? 'stdin' : file}.failed.ndjson`;
    // A previous run's failures would be mistaken for this one's.
    rmSync(failuresFile, { force: true });
    let failures: WriteStream | undefined;
    const started = Date.now();
    const tty = process.stderr.isTTY;
    let lastDrawn = 0;
    const draw = (c: ImportCounts, final = false): void => {
      const now = Date.now();
      if (!final && now - lastDrawn < (tty ? 200 : 5000)) return;
      lastDrawn = now;
      const elapsed = (now - started) / 1000;
      const rate = c.done / Math.max(elapsed, 0.001);
      const eta = total !== undefined && read > 0 && !final ? ` · ETA ${duration((elapsed * (total - read)) / read)}` : '';
      const pct = total !== undefined && total > 0 ? ` ${Math.floor((100 * read) / total)}%` : '';
      process.stderr.write(`${tty ? '\r\x1b[K' : ''}${fmt(c.done)} leads${pct} · ${fmt(rate)}/s${eta} · imported ${fmt(c.imported)}, skipped ${fmt(c.skipped)}, failed ${fmt(c.failed)}${tty && !final ? '' : '\n'}`);
    };
    const onFailure = (f: ImportFailure): void => {
      failures ??= createWriteStream(failuresFile);
      failures.write(`${JSON.stringify(f)}\n`);
    };
    const counts = await runImport(ctx, items, { dryRun, onFailure, onProgress: (c) => { draw(c); } });
    draw(counts, true);
    if (failures) await new Promise<void>((resolve, reject) => failures!.end((err?: Error | null) => {
      if (err) reject(err);
      else resolve();
    }));
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `${dryRun ? 'dry run: ' : ''}${fmt(counts.done)} leads in ${duration(seconds)} (${fmt(counts.done / Math.max(seconds, 0.001))}/s): ${dryRun ? 'valid' : 'imported'} ${fmt(counts.imported)}, skipped ${fmt(counts.skipped)} (already there), failed ${fmt(counts.failed)}${counts.failed > 0 ? ` (see ${failuresFile})` : ''}\n`,
    );
    return counts.failed > 0 ? EXIT.someLinesFailed : EXIT.ok;
  } finally {
    await database.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) process.stderr.write(`${err.message}\n`);
    else if (err instanceof ConfigError) process.stderr.write(err.lines.map((l) => `config error: ${l}\n`).join(''));
    else if (err instanceof HttpError) process.stderr.write(`import refused: ${err.message}\n`);
    else process.stderr.write(`import stopped: ${err instanceof Error ? err.message : String(err)}\nLeads already imported stay; run the same command again to resume (what is there is skipped).\n`);
    process.exitCode = err instanceof UsageError || err instanceof ConfigError || err instanceof HttpError ? EXIT.usage : EXIT.aborted;
  },
);
