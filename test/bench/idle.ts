/*
 * bench:idle — what `npm start` leaves running on a laptop: Baton in sandbox mode (no Slack
 * settings, embedded database) started exactly as a user starts it, with `npm start`, on a new
 * data folder and then again on the same folder (a restart). Each time it waits for /readyz,
 * lets the process settle (BENCH_SETTLE_SECONDS, default 15), samples the resident memory of the
 * whole process tree once a second for BENCH_SAMPLE_SECONDS (default 10) and prints the
 * processes and their summed RSS (the median sample) as its last lines. Linux only (/proc).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { percentile } from './measure.js';
import { childEnv, freePort, REPO, waitForStatus } from '../helpers/process.js';

const SETTLE_S = Number(process.env.BENCH_SETTLE_SECONDS ?? 15);
const SAMPLE_S = Number(process.env.BENCH_SAMPLE_SECONDS ?? 10);
const MIB = 1024 * 1024;

interface ProcessInfo {
  pid: number;
  command: string;
  rss: number;
}

function readProcess(pid: number): { ppid: number; command: string; rss: number } | undefined {
  try {
    const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((a) => path.basename(a))
      .slice(0, 3)
      .join(' ');
    return { ppid, command, rss };
  } catch {
    // the process ended while we looked
    return undefined;
  }
}

/** `root` and every process descended from it, with their current RSS. */
function processTree(root: number): ProcessInfo[] {
  const all = new Map<number, { ppid: number; command: string; rss: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProcess(Number(entry));
    if (info) all.set(Number(entry), info);
  }
  const tree: ProcessInfo[] = [];
  const visit = (pid: number): void => {
    const info = all.get(pid);
    if (!info) return;
    tree.push({ pid, command: info.command, rss: info.rss });
    for (const [child, c] of all) if (c.ppid === pid) visit(child);
  };
  visit(root);
  return tree;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const groupAlive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM to every process of the group, SIGKILL to what is left after 10 s; resolves once none is left. */
async function stopGroup(pgid: number): Promise<void> {
  if (groupAlive(pgid)) process.kill(-pgid, 'SIGTERM');
  for (let waited = 0; groupAlive(pgid); waited += 100) {
    if (waited === 10_000) process.kill(-pgid, 'SIGKILL');
    await sleep(100);
  }
}

/** Starts `npm start` on `dataDir`, measures its process tree once idle, stops it. */
async function measure(dataDir: string): Promise<{ total: number; processes: ProcessInfo[]; readyMs: number }> {
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: REPO,
    env: childEnv({ PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
    stdio: ['ignore', 'ignore', 'inherit'],
    // Its own process group, so that the whole tree is stopped with it.
    detached: true,
  });
  try {
    const readyMs = await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 120_000);
    await sleep(SETTLE_S * 1000);
    const samples: { total: number; processes: ProcessInfo[] }[] = [];
    for (let i = 0; i < SAMPLE_S; i++) {
      const processes = processTree(child.pid!);
      samples.push({ total: processes.reduce((s, p) => s + p.rss, 0), processes });
      await sleep(1000);
    }
    const median = percentile(
      samples.map((s) => s.total).sort((a, b) => a - b),
      0.5,
    );
    return { ...samples.find((s) => s.total === median)!, readyMs };
  } finally {
    await stopGroup(child.pid!);
  }
}

function report(label: string, r: Awaited<ReturnType<typeof measure>>): string[] {
  return [
    `${label}: ready in ${(r.readyMs / 1000).toFixed(1)} s; ${r.processes.map((p) => `${p.command} (pid ${p.pid}) ${(p.rss / MIB).toFixed(0)} MiB`).join(', ')}`,
    `${label}: idle RSS of everything npm start runs: ${(r.total / MIB).toFixed(0)} MiB in ${r.processes.length} process${r.processes.length === 1 ? '' : 'es'}`,
  ];
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'baton-idle-'));
  try {
    const first = await measure(dataDir);
    const restart = await measure(dataDir);
    for (const line of [...report('new data folder', first), ...report('restart on it', restart)]) console.log(line);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
