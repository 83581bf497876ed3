import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { DatabaseTarget } from '../../src/db/client.js';
import { childDatabase } from './db.js';
import { batonEnv, freePort, startBatonProcess, type BatonProcess } from './process.js';

export interface ClockedChild {
  /** The suite's own folder, removed after it. */
  dir: string;
  /** The clock the child reads (set it with setClock from test/helpers/clocked-main.ts). */
  clockFile: string;
  port: number;
  /** The child's database, for the test to check on. */
  target: DatabaseTarget;
  /** Starts the app (again), ready to answer. */
  start(): Promise<BatonProcess>;
}

/**
 * The real app as a child process on a clock the test sets (test/helpers/clocked-main.ts), in a
 * folder and database of its own made before the suite and removed after it. `setup` gives the
 * Slack stand-in's URL and what the suite sets apart (a policy, the HubSpot stand-in); it runs in
 * a beforeAll after those registered before this call, so it may use stand-ins they started.
 * Read the fields inside tests.
 */
export function useClockedChild(
  name: string,
  setup: (dir: string) => { slackUrl: string; env: Record<string, string> },
): ClockedChild {
  const child = {} as ClockedChild;
  let env: Record<string, string> = {};
  let drop: () => Promise<void> = () => Promise.resolve();
  beforeAll(async () => {
    child.dir = mkdtempSync(path.join(tmpdir(), `${name.replaceAll('_', '-')}-`));
    child.clockFile = path.join(child.dir, 'clock');
    child.port = await freePort();
    const database = await childDatabase(name, child.dir);
    child.target = database.target;
    drop = () => database.drop();
    const { slackUrl, env: more } = setup(child.dir);
    env = batonEnv(slackUrl, child.port, { BATON_TEST_CLOCK_FILE: child.clockFile, ...more, ...database.env });
  });
  afterAll(async () => {
    await drop();
    rmSync(child.dir, { recursive: true, force: true });
  });
  child.start = () => startBatonProcess(env, child.port, 'clocked');
  return child;
}
