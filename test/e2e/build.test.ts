import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, freePort, REPO, spawnBaton, waitForStatus, type BatonProcess } from '../helpers/process.js';

/** `pid` and every process descended from it, with its command line (`ps`: Linux and macOS alike). */
function processTree(pid: number): string[] {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] ?? '' }));
  const tree: string[] = [];
  const visit = (p: number): void => {
    for (const row of rows.filter((r) => r.ppid === p)) {
      tree.push(row.args);
      visit(row.pid);
    }
  };
  visit(pid);
  return tree;
}

describe('npm run build', () => {
  let baton: BatonProcess | undefined;
  afterAll(async () => {
    baton?.child.kill('SIGTERM');
    await baton?.exited;
  });

  it('compiles a Baton that runs with plain node and serves the sandbox page and its assets', async () => {
    execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'pipe' });
    const port = await freePort();
    baton = spawnBaton(
      {
        PORT: String(port),
        DATA_DIR: path.join(mkdtempSync(path.join(tmpdir(), 'baton-dist-')), 'pglite'),
        LOG_LEVEL: 'warn',
      },
      [],
      'dist',
    );
    // Deadlines for a hang, not speed: on a machine busy with other work the type-checked build
    // takes a minute and a new embedded database half a minute more.
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 90_000);
    for (const asset of ['/sandbox', '/sandbox/app.js', '/sandbox/app.css']) {
      const res = await fetch(`http://127.0.0.1:${port}${asset}`);
      expect(res.status, asset).toBe(200);
      expect((await res.text()).length, asset).toBeGreaterThan(100);
    }
  }, 240_000);

  // tsx compiles on the fly and keeps an esbuild helper process running (README, "Idle memory"):
  // what `npm start` leaves running is npm and one node on the compiled code.
  it('`npm start` builds first and then runs the compiled code: no tsx, no esbuild helper left running', async () => {
    const port = await freePort();
    const child = spawn('npm', ['start'], {
      cwd: REPO,
      env: childEnv({
        PORT: String(port),
        DATA_DIR: path.join(mkdtempSync(path.join(tmpdir(), 'baton-start-')), 'pglite'),
        LOG_LEVEL: 'warn',
      }),
      stdio: 'ignore',
      // Its own process group, so that the whole tree stops with it.
      detached: true,
    });
    const exited = new Promise<void>((resolve) => {
      child.on('exit', () => {
        resolve();
      });
    });
    try {
      await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 120_000);
      const running = processTree(child.pid ?? -1);
      expect(
        running.some((args) => /\bnode\b.*dist\/main\.js/.test(args)),
        running.join('\n'),
      ).toBe(true);
      expect(
        running.filter((args) => /tsx|esbuild/.test(args)),
        running.join('\n'),
      ).toEqual([]);
    } finally {
      process.kill(-(child.pid ?? 0), 'SIGTERM');
      await exited;
    }
  }, 180_000);
});
