import { createServer } from 'node:net';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { BOT_TOKEN, INTAKE_TOKEN, SIGNING_SECRET } from './app.js';

export const REPO = path.resolve(import.meta.dirname, '../..');

export interface BatonProcess {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Exactly `env`, with only what a child needs to find its programs and a home: no variable of this process leaks in. */
export function childEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env };
}

const ENTRIES = {
  src: ['--import', 'tsx', path.join(REPO, 'src/main.ts')],
  dist: [path.join(REPO, 'dist/main.js')],
  clocked: ['--import', 'tsx', path.join(REPO, 'test/helpers/clocked-main.ts')],
} as const;

/**
 * Runs the real entry point in a child process, with exactly the given environment: the sources
 * through tsx (node --import tsx src/main.ts), so a test runs the code as it is now without a
 * build, and without the V8 memory flags `npm start` adds for the embedded database, so that
 * benchmarks are unchanged; `entry: 'dist'` runs what `npm run build` compiled, as `npm start`
 * does (node dist/main.js); `entry: 'clocked'` the same app on a clock the test sets
 * (test/helpers/clocked-main.ts).
 */
export function spawnBaton(
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
  entry: keyof typeof ENTRIES = 'src',
): BatonProcess {
  const main = ENTRIES[entry];
  const child = spawn(process.execPath, [...nodeArgs, ...main], {
    cwd: REPO,
    env: childEnv(env),
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  return { child, output: () => out, exited };
}

/**
 * spawnBaton, resolved once the app answers ready on `port`; a child that never gets there is
 * killed, and the error carries what it printed.
 */
export async function startBatonProcess(
  env: Record<string, string>,
  port: number,
  entry: keyof typeof ENTRIES = 'src',
): Promise<BatonProcess> {
  const p = spawnBaton(env, [], entry);
  // The embedded database's start-up is slow on a busy machine: a generous limit, not a figure.
  await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 120_000).catch((err: unknown) => {
    p.child.kill('SIGKILL');
    throw new Error(`${String(err)}\n${p.output()}`);
  });
  return p;
}

/**
 * The environment of a Baton child process that talks to the Slack stand-in at `slackUrl`, takes
 * leads with INTAKE_TOKEN, listens on `port` and logs warnings only; `more` adds its database and
 * whatever a test sets apart, or overrides.
 */
export function batonEnv(slackUrl: string, port: number, more: Record<string, string>): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slackUrl,
    INTAKE_TOKEN,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...more,
  };
}

/** Polls `url` until it answers `status` or the deadline passes; returns how long that took. */
export async function waitForStatus(url: string, status: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status === status) return Date.now() - started;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A port nobody listens on right now, for a child process to take. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => {
        resolve(port);
      });
    });
  });
}
