import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { startBaton } from '../../src/baton.js';
import { configSecrets, loadConfigAndPolicy } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';

/*
 * The real app as a child process, as src/main.ts starts it, on a clock the test sets: startBaton's
 * `now` (the clock in-process tests move) reads the file BATON_TEST_CLOCK_FILE at every call, so a
 * test can kill the process at 8 s of an SLA clock and start it again at 100 s without waiting for
 * either, and move time on while it runs. Timers (the 5-second sweep, the outbox's polls) still run
 * on real time: only what Baton reads as "now" is the test's.
 */

interface ClockFile {
  at: string;
  /** Set: the clock runs on from `at` as real time passes since this instant (ms); else it stands still. */
  runningSince?: number;
}

/**
 * Sets the instant every process started with `clockFile` reads as now: standing still there, or
 * running on from it (written whole, then renamed into place, so a reader never sees half of it).
 */
export function setClock(clockFile: string, at: Date, opts: { running?: boolean } = {}): void {
  const clock: ClockFile = { at: at.toISOString(), ...(opts.running ? { runningSince: Date.now() } : {}) };
  writeFileSync(`${clockFile}.next`, JSON.stringify(clock));
  renameSync(`${clockFile}.next`, clockFile);
}

function readClock(clockFile: string): Date {
  const clock = JSON.parse(readFileSync(clockFile, 'utf8')) as ClockFile;
  const at = new Date(clock.at).getTime();
  return new Date(clock.runningSince === undefined ? at : at + Date.now() - clock.runningSince);
}

async function main(): Promise<void> {
  const clockFile = process.env.BATON_TEST_CLOCK_FILE;
  if (clockFile === undefined) throw new Error('BATON_TEST_CLOCK_FILE is not set');
  const { config, policy } = loadConfigAndPolicy();
  const logger = createLogger(config.logLevel, undefined, configSecrets(config));
  const baton = await startBaton({ config, policy, logger, now: () => readClock(clockFile) });
  process.on('SIGTERM', () => {
    baton.stop().then(
      () => {
        process.exit(0);
      },
      () => {
        process.exit(1);
      },
    );
  });
}

// Imported by a test for setClock, this module starts nothing; run as the entry point, it starts Baton.
if (process.argv[1] === import.meta.filename) {
  main().catch((err: unknown) => {
    process.stderr.write(`Baton did not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
