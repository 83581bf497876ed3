/**
 * `npm run bench:import`: BENCH_LEADS (default 1,000,000) generated leads with realistic
 * histories (the mix of bench:reports, written as import lines) imported by `npm run import`
 * as its own process into a fresh database on the PostgreSQL server (TEST_DATABASE_URL or the
 * local one), or with BENCH_DB=embedded into a fresh embedded database. Prints leads/s, the
 * importer's peak RSS and the time to the first quarter funnel report afterwards. BENCH_PROFILE=1
 * writes the importer's CPU profile to /tmp/prof.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../../src/db/client.js';
import { ensureWorkspace } from '../../src/db/repo/workspaces.js';
import { createLogger } from '../../src/log.js';
import { funnelReport } from '../../src/services/reports.js';
import { examplePolicy } from '../helpers/app.js';
import { scratchServerDatabase } from '../helpers/db.js';
import { importLines } from '../helpers/import-lines.js';
import { REPO } from '../helpers/process.js';
import { cpuSecondsByName, cpuSecondsOf, rssOf } from './measure.js';

const LEADS = Number(process.env.BENCH_LEADS ?? 1_000_000);
const EMBEDDED = process.env.BENCH_DB === 'embedded';
const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function writeFile(file: string): Promise<void> {
  const out = createWriteStream(file);
  for (const line of importLines(LEADS, {
    from: new Date('2024-12-01T00:00:00Z'),
    to: new Date('2026-11-30T00:00:00Z'),
    seed: 2026,
  })) {
    if (!out.write(`${JSON.stringify(line)}\n`))
      await new Promise<void>((resolve) =>
        out.once('drain', () => {
          resolve();
        }),
      );
  }
  await new Promise<void>((resolve) => {
    out.end(() => {
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'baton-bench-import-'));
  const file = path.join(scratch, 'leads.ndjson');
  const server = EMBEDDED ? undefined : await scratchServerDatabase('baton_bench_import', SERVER);
  const target = server
    ? ({ kind: 'postgres', url: server.url } as const)
    : ({ kind: 'pglite', dataDir: path.join(scratch, 'db') } as const);
  try {
    const generated = Date.now();
    await writeFile(file);
    console.log(
      `generated ${LEADS.toLocaleString('en-US')} leads (${Math.round(statSync(file).size / 1024 / 1024)} MB) in ${((Date.now() - generated) / 1000).toFixed(1)} s`,
    );
    let database: Database = await openDatabase(target);
    await database.migrate();
    await ensureWorkspace(database.db, { workspaceId: 'T0BENCH', workspaceName: 'Bench', botUserId: 'U0BATON' });
    // The embedded database is one process's files: the importer opens it on its own.
    if (EMBEDDED) await database.close();

    const started = Date.now();
    const postgresBefore = cpuSecondsByName('postgres');
    // Backends that serve the import end with it: their CPU is read while they run.
    const postgresLast = new Map<number, number>();
    // As `npm run import` starts it (package.json).
    const child = spawn(
      process.execPath,
      [
        '--max-semi-space-size=32',
        '--heap-growing-percent=50',
        ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
        '--import',
        'tsx',
        path.join(REPO, 'src/cli/import.ts'),
        file,
      ],
      {
        cwd: REPO,
        env: {
          PATH: process.env.PATH ?? '',
          ...(server ? { DATABASE_URL: server.url } : { DATA_DIR: path.join(scratch, 'db') }),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let summary = '';
    child.stdout.on('data', (d: Buffer) => (summary += d.toString()));
    let peak = 0;
    let importerCpu = 0;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, rssOf(child.pid!));
        importerCpu = cpuSecondsOf(child.pid!);
        for (const [pid, cpu] of cpuSecondsByName('postgres')) postgresLast.set(pid, cpu);
      } catch {
        // exited between samples
      }
    }, 200);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    // The embedded database works inside the importer's process: its CPU is the importer's.
    const postgresCpu = [...postgresLast].reduce((sum, [pid, cpu]) => sum + cpu - (postgresBefore.get(pid) ?? 0), 0);
    if (code !== 0) throw new Error(`import exited ${code}: ${summary}`);

    if (EMBEDDED) database = await openDatabase(target);
    const reportStarted = Date.now();
    await funnelReport(
      {
        db: database.db,
        policy: examplePolicy(),
        workspaceId: 'T0BENCH',
        now: () => new Date('2026-11-30T12:00:00Z'),
        logger: createLogger('warn'),
      },
      { kind: 'quarter' },
    );
    const firstReport = Date.now() - reportStarted;
    await database.close();

    console.log(summary.trim());
    console.log(`database: ${EMBEDDED ? 'embedded (PGlite)' : 'PostgreSQL server'}`);
    console.log(
      `import: ${LEADS.toLocaleString('en-US')} leads in ${seconds.toFixed(1)} s = ${Math.round(LEADS / seconds).toLocaleString('en-US')} leads/s (process start and migrations included)`,
    );
    const perLead = (cpu: number): string => `${((cpu * 1e6) / LEADS).toFixed(0)} µs per lead`;
    console.log(
      `CPU: importer ${importerCpu.toFixed(0)} s (${perLead(importerCpu)}; last reading, up to 0.2 s before it ended)${EMBEDDED ? '' : `, PostgreSQL ${postgresCpu.toFixed(0)} s (${perLead(postgresCpu)}, every backend of the server)`}`,
    );
    console.log(`importer peak RSS: ${Math.round(peak / 1024 / 1024)} MiB`);
    console.log(`first report after the import (funnel, quarter): ${firstReport} ms`);
  } finally {
    await server?.drop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
