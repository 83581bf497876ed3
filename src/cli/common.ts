import { ConfigError } from '../config/errors.js';
import type { Database } from '../db/client.js';
import { workspaceIds } from '../db/repo/workspaces.js';
import type { ImportCounts } from '../http/import-stream.js';

/** Wrong arguments or a database not ready: said in one line, exit code 2. */
export class UsageError extends Error {}

/** Exit codes scripts can rely on, the same for every import command. */
export const EXIT = { ok: 0, someFailed: 1, usage: 2, aborted: 3 } as const;

/**
 * Runs an import command and exits with its code. A refusal (wrong arguments, a bad configuration,
 * or what `refusal` recognises) is said in one line and exits 2; any other error stopped the run
 * midway: `stopped` says so and how to resume, and it exits 3.
 */
export function runImportCommand(
  run: () => Promise<number>,
  say: { refusal?: (err: unknown) => string | undefined; stopped: (message: string) => string },
): void {
  run().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const refused =
        err instanceof UsageError
          ? err.message
          : err instanceof ConfigError
            ? err.lines.map((l) => `config error: ${l}`).join('\n')
            : say.refusal?.(err);
      process.stderr.write(`${refused ?? say.stopped(err instanceof Error ? err.message : String(err))}\n`);
      process.exitCode = refused === undefined ? EXIT.aborted : EXIT.usage;
    },
  );
}

/** The one workspace this database serves: learnt from Slack when Baton first started. */
export async function workspaceOf(database: Database): Promise<string> {
  const ids = await workspaceIds(database.db);
  if (ids.length === 1) return ids[0]!;
  throw new UsageError(
    ids.length === 0
      ? 'This database has no workspace yet: start Baton once (npm start) so it learns its Slack workspace, then import.'
      : `This database serves ${ids.length} workspaces; an import needs exactly one.`,
  );
}

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
/** "1 lead", "2,000 leads". */
export const leadCount = (n: number): string => `${fmt(n)} ${n === 1 ? 'lead' : 'leads'}`;

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600
    ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m ${s % 60}s`
      : `${s}s`;
}

/**
 * An import's progress line on stderr: leads done, %, rate, ETA and the counts, redrawn in place
 * on a terminal (at most 5 times a second), a line every 5 s otherwise. `fraction` says how far
 * the input is read, when that is known.
 */
export function importProgress(fraction: () => number | undefined): (c: ImportCounts, final?: boolean) => void {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let lastDrawn = 0;
  return (c, final = false) => {
    const now = Date.now();
    if (!final && now - lastDrawn < (tty ? 200 : 5000)) return;
    lastDrawn = now;
    const elapsed = (now - started) / 1000;
    const rate = c.done / Math.max(elapsed, 0.001);
    const f = fraction();
    const eta = f !== undefined && f > 0 && !final ? ` · ETA ${duration((elapsed * (1 - f)) / f)}` : '';
    const pct = f !== undefined ? ` ${Math.floor(100 * Math.min(1, f))}%` : '';
    process.stderr.write(
      `${tty ? '\r\x1b[K' : ''}${leadCount(c.done)}${pct} · ${fmt(rate)}/s${eta} · imported ${fmt(c.imported)}, skipped ${fmt(c.skipped)}, failed ${fmt(c.failed)}${tty && !final ? '' : '\n'}`,
    );
  };
}
