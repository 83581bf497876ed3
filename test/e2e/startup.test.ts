import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_SECRET } from '../helpers/app.js';
import { freePort, spawnBaton, waitForStatus } from '../helpers/process.js';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-standin.js';

let slack: SlackStandIn;
let scratch: string;
beforeAll(async () => {
  slack = await startSlackStandIn();
  scratch = mkdtempSync(path.join(tmpdir(), 'baton-startup-'));
});
afterAll(async () => {
  await slack.close();
  rmSync(scratch, { recursive: true, force: true });
});

const baseEnv = (): Record<string, string> => ({
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: slack.url,
  DATA_DIR: path.join(scratch, `db-${Math.random().toString(36).slice(2)}`),
});

/*
 * A deadline for a start-up that hangs, not a speed test: the embedded database alone can take
 * half a minute to open on a machine busy with other work.
 */
const READY_DEADLINE_MS = 90_000;

describe('npm start', { timeout: 120_000 }, () => {
  it('on the embedded database, with only the Slack variables set, gets ready and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const baton = spawnBaton({ ...baseEnv(), PORT: String(port) });
    try {
      await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, READY_DEADLINE_MS);
      expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ ok: true });
      expect(slack.callsTo('auth.test').length).toBeGreaterThan(0);
      baton.child.kill('SIGTERM');
      expect(await baton.exited).toEqual({ code: 0, signal: null });
      expect(baton.output()).toMatch(/Baton is listening/);
    } finally {
      baton.child.kill('SIGKILL');
    }
  });

  it('with no Slack settings at all starts the sandbox: gets ready, says where, stops cleanly', async () => {
    const port = await freePort();
    const baton = spawnBaton({
      PORT: String(port),
      DATA_DIR: path.join(scratch, `db-${Math.random().toString(36).slice(2)}`),
    });
    try {
      await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, READY_DEADLINE_MS);
      // The line is written once the sandbox's stand-ins are up, which on a busy machine can be a
      // moment after the server first answers.
      const sandboxLinesNow = (): string[] =>
        baton
          .output()
          .split('\n')
          .filter((l) => l.includes('Sandbox mode'));
      await expect.poll(sandboxLinesNow, { timeout: 10_000 }).toHaveLength(1);
      const sandboxLines = sandboxLinesNow();
      expect(sandboxLines[0]).toContain(`http://localhost:${port}/sandbox`);
      expect(sandboxLines[0]).toContain('set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET');
      const page = await fetch(`http://127.0.0.1:${port}/sandbox`);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('/sandbox/app.js');
      // The stand-in answered auth.test: the workspace is the sandbox's.
      expect(await (await fetch(`http://127.0.0.1:${port}/sandbox/state`)).json()).toMatchObject({
        teamId: 'T0SANDBOX',
      });
      baton.child.kill('SIGTERM');
      expect(await baton.exited).toEqual({ code: 0, signal: null });
    } finally {
      baton.child.kill('SIGKILL');
    }
  });

  it('prints one line per configuration problem and exits 1', async () => {
    const badPolicy = path.join(scratch, 'bad-policy.yml');
    writeFileSync(badPolicy, 'reportingTimeZone: Mars/Olympus\n');
    // A bot token without its signing secret is a half-configured workspace, not the sandbox.
    const baton = spawnBaton({
      SLACK_BOT_TOKEN: 'xoxb-test',
      LOG_LEVEL: 'loud',
      PORT: 'eighty',
      POLICY_FILE: badPolicy,
      DATA_DIR: path.join(scratch, 'unused'),
    });
    const { code } = await baton.exited;
    expect(code).toBe(1);
    const lines = baton.output().trim().split('\n');
    const problems = lines.filter((l) => l.startsWith('config error: '));
    expect(problems.some((l) => l.startsWith('config error: SLACK_SIGNING_SECRET: is required'))).toBe(true);
    expect(problems.some((l) => l.startsWith('config error: LOG_LEVEL: must be one of'))).toBe(true);
    expect(problems.some((l) => l.startsWith('config error: PORT: must be a port number'))).toBe(true);
    expect(problems.some((l) => l.includes('bad-policy.yml: reportingTimeZone: is not an IANA time zone'))).toBe(true);
    expect(problems.some((l) => l.includes('bad-policy.yml: teams: '))).toBe(true);
    expect(lines.at(-1)).toBe(
      `Baton did not start: ${problems.length} configuration problems. See README.md, "Configuration".`,
    );
    // One line per problem: no stack traces.
    expect(lines).toHaveLength(problems.length + 1);
  });

  it('a token Slack refuses is a clear configuration error, not a crash', async () => {
    const baton = spawnBaton({ ...baseEnv(), SLACK_BOT_TOKEN: 'xoxb-revoked', PORT: String(await freePort()) });
    expect((await baton.exited).code).toBe(1);
    expect(baton.output()).toMatch(/^config error: SLACK_BOT_TOKEN: Slack refused the token \(invalid_auth\)/m);
    expect(baton.output()).not.toMatch(/UnhandledPromiseRejection|\n\s+at /);
  });

  it('a port already in use says which variable to set, without a stack trace', async () => {
    const port = await freePort();
    const taken = net.createServer();
    await new Promise<void>((resolve) =>
      taken.listen(port, () => {
        resolve();
      }),
    );
    try {
      const baton = spawnBaton({ ...baseEnv(), PORT: String(port) });
      expect((await baton.exited).code).toBe(1);
      expect(baton.output()).toMatch(
        new RegExp(`^config error: PORT: port ${port} is already in use .* Set PORT to a free port`, 'm'),
      );
      expect(baton.output()).not.toMatch(/EADDRINUSE|\n\s+at /);
    } finally {
      await new Promise<void>((resolve) =>
        taken.close(() => {
          resolve();
        }),
      );
    }
  }, 90_000);

  it('a missing policy file is named', async () => {
    const baton = spawnBaton({
      ...baseEnv(),
      POLICY_FILE: path.join(scratch, 'nowhere.yml'),
      PORT: String(await freePort()),
    });
    expect((await baton.exited).code).toBe(1);
    expect(baton.output()).toMatch(/^config error: POLICY_FILE: cannot read .*nowhere\.yml \(ENOENT\)$/m);
  });
});
