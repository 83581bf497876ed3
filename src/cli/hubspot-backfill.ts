import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadBackfillConfig } from '../config/env.js';
import { loadPolicy } from '../config/policy.js';
import { openDatabase } from '../db/client.js';
import { createHubspotClient } from '../hubspot/client.js';
import { runImport, type ImportFailure } from '../http/import-stream.js';
import { createLogger } from '../log.js';
import { hubspotImportLines, SEARCH_PAGE } from '../services/hubspot-backfill.js';
import { hubspotPace, paceHubspot } from '../services/hubspot.js';
import { createOwnerMatcher } from '../services/hubspot-owners.js';
import { createWebClient } from '../slack/client.js';
import { createSlackDirectory } from '../slack/directory.js';
import { duration, EXIT, fmt, importProgress, runImportCommand, UsageError, workspaceOf } from './common.js';

const USAGE =
  'usage: npm run hubspot:backfill -- --since 2026-01-01 [--state FILE] (failed lines go beside it, in <FILE>.failed.ndjson)';

function parseArgs(argv: readonly string[]): { since: string; state: string; failures: string } {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const since = value('--since');
  if (since === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(since) || Number.isNaN(Date.parse(since)))
    throw new UsageError(USAGE);
  const state = value('--state') ?? 'hubspot-backfill.state.json';
  return {
    since: `${since}T00:00:00.000Z`,
    state,
    failures: `${state.replace(/\.state\.json$|\.json$/, '')}.failed.ndjson`,
  };
}

/** Written whole, then renamed into place: a run killed while saving leaves the previous state, never half of one. */
function saveState(file: string, state: { since: string; createdFrom: string }): void {
  writeFileSync(`${file}.next`, JSON.stringify(state));
  renameSync(`${file}.next`, file);
}

/**
 * `npm run hubspot:backfill -- --since 2026-01-01`: HubSpot contacts created since then, with
 * their lifecycle history, through the import of POST /api/leads/import. A progress bar on
 * stderr, a summary on stdout. Resumable: the state file says from which creation time a rerun
 * starts; whatever a rerun meets again is skipped (imports are idempotent).
 */
async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  const settings = loadBackfillConfig();
  const policy = loadPolicy(settings.policyFile);
  const logger = createLogger(
    settings.logLevel === 'info' ? 'warn' : settings.logLevel,
    process.stderr,
    [settings.hubspot.accessToken, settings.slack?.botToken].filter((s): s is string => s !== undefined),
  );
  const database = await openDatabase(settings.database);
  try {
    await database.migrate();
    const workspaceId = await workspaceOf(database);
    const ctx = { db: database.db, policy, workspaceId, now: () => new Date(), logger };
    const pace = hubspotPace(settings.hubspot.rateLimit);
    const client = createHubspotClient({ ...settings.hubspot, beforeRequest: () => paceHubspot(ctx, pace) });
    const directory = settings.slack
      ? createSlackDirectory(createWebClient(settings.slack, logger))
      : { userIdByEmail: () => Promise.resolve(undefined), emailOfUser: () => Promise.resolve(undefined) };
    const owners = createOwnerMatcher(policy, client, directory);

    const saved = existsSync(args.state)
      ? (JSON.parse(readFileSync(args.state, 'utf8')) as { since?: string; createdFrom?: string })
      : {};
    const from = saved.since === args.since && saved.createdFrom !== undefined ? saved.createdFrom : args.since;
    if (from !== args.since) process.stderr.write(`resuming: contacts created from ${from} (${args.state})\n`);
    rmSync(args.failures, { force: true });

    let total: number | undefined;
    // Each line's creation time, so the state only ever names a point every earlier line is committed behind.
    const positions = new Map<number, string>();
    let index = 0;
    async function* lines(): AsyncGenerator {
      for await (const { line, position } of hubspotImportLines(policy, client, owners, from, {
        onTotal: (n) => {
          total = n;
        },
      })) {
        positions.set(index++, position.createdFrom);
        yield line;
      }
    }
    const draw = importProgress(() => (total !== undefined && total > 0 ? index / total : undefined));
    const failures: ImportFailure[] = [];
    const started = Date.now();
    const counts = await runImport(ctx, lines(), {
      // A page a chunk: a kill loses the pages being written, not thousands of contacts read.
      chunkSize: SEARCH_PAGE,
      onFailure: (f) => {
        failures.push(f);
      },
      onProgress: (c, settled) => {
        draw(c);
        // Every line before `settled` is committed: a rerun starts at the last of them (met again, it is skipped).
        const createdFrom = positions.get(settled - 1);
        if (createdFrom !== undefined) saveState(args.state, { since: args.since, createdFrom });
        for (const k of positions.keys()) if (k < settled - 1) positions.delete(k);
      },
    });
    draw(counts, true);
    if (failures.length > 0) writeFileSync(args.failures, failures.map((f) => JSON.stringify(f)).join('\n') + '\n');
    for (const f of [args.state, `${args.state}.next`]) rmSync(f, { force: true });
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `${fmt(counts.done)} HubSpot contacts in ${duration(seconds)}: imported ${fmt(counts.imported)}, skipped ${fmt(counts.skipped)} (already there), failed ${fmt(counts.failed)}${counts.failed > 0 ? ` (see ${args.failures})` : ''}\n`,
    );
    return counts.failed > 0 ? EXIT.someFailed : EXIT.ok;
  } finally {
    await database.close();
  }
}

runImportCommand(() => run(process.argv.slice(2)), {
  stopped: (message) =>
    `backfill stopped: ${message}\nContacts already imported stay; run the same command again to resume.`,
});
