import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './process.js';

/*
 * A PostgreSQL server of a suite's own, for tests that stop and restart the database under a
 * running Baton (the shared server must never be stopped). It needs the server binaries; like
 * the suites gated on TEST_DATABASE_URL (helpers/db.ts), those that use it run only when they
 * are installed: `describe.runIf(hasPostgresBinaries)`.
 */

function findBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  return versions
    .map((v) => path.join(root, v, 'bin'))
    .find((bin) => existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'postgres')));
}

const BIN = findBinaries();
export const hasPostgresBinaries = BIN !== undefined;

/** initdb and postgres refuse to run as root (CI runs as root): then they run as the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (line === undefined) throw new Error('running as root needs a "postgres" user to run the server as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export interface OwnPostgres {
  /** postgres://… of the `postgres` database on this server. */
  url: string;
  start(): Promise<void>;
  /** A fast shutdown, as an operator's `pg_ctl stop` (connections are told and closed). */
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

export async function createOwnPostgres(): Promise<OwnPostgres> {
  if (BIN === undefined) throw new Error('no PostgreSQL server binaries in /usr/lib/postgresql/*/bin');
  const bin = BIN;
  const user = runAs();
  const dir = mkdtempSync(path.join(tmpdir(), 'baton-own-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const init = spawnSync(
    path.join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'],
    { ...user, encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  let server: { child: ChildProcess; exited: Promise<void> } | undefined;

  async function start(): Promise<void> {
    // Its socket lives in the temp folder: nothing is shared with the machine's own server.
    const child = spawn(
      path.join(bin, 'postgres'),
      ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'max_connections=40'],
      { ...user, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        resolve();
      }),
    );
    server = { child, exited };
    const started = Date.now();
    while (!log.includes('ready to accept connections')) {
      if (child.exitCode !== null) throw new Error(`postgres did not start: ${log}`);
      if (Date.now() - started > 60_000) throw new Error(`postgres did not start within 60 s: ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function stop(): Promise<void> {
    if (!server) return;
    server.child.kill('SIGINT');
    await server.exited;
    server = undefined;
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
