import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, rowsOf, type Database } from '../../src/db/client.js';
import { ensureWorkspace } from '../../src/db/repo/workspaces.js';
import { hasServer, scratchServerDatabase } from '../helpers/db.js';
import { importLines } from '../helpers/import-lines.js';
import { REPO } from '../helpers/process.js';

const LEADS = 30_000;
let scratch: string;
let file: string;
let target: Awaited<ReturnType<typeof scratchServerDatabase>>;
let database: Database;

function runCli(
  args: readonly string[],
  opts: { onStart?(kill: () => void): void; databaseUrl?: string } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/import.ts'), ...args], {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: opts.databaseUrl ?? target.url,
        POLICY_FILE: path.join(REPO, 'policy.example.yml'),
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
    opts.onStart?.(() => child.kill('SIGKILL'));
  });
}

const count = async (query: string): Promise<number> =>
  rowsOf<{ n: number }>(await database.db.execute(sql.raw(query)))[0]!.n;

describe.runIf(hasServer)('npm run import (issue 17)', () => {
  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'baton-import-cli-'));
    file = path.join(scratch, 'leads.ndjson');
    writeFileSync(
      file,
      [...importLines(LEADS, { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z'), seed: 7 })]
        .map((l) => JSON.stringify(l))
        .join('\n') + '\n',
    );
    target = await scratchServerDatabase('baton_import_cli');
    database = await openDatabase({ kind: 'postgres', url: target.url });
    await database.migrate();
    // Baton learns its workspace from Slack when it first starts; the CLI imports into that one.
    await ensureWorkspace(database.db, { workspaceId: 'T0TEST', workspaceName: 'Test', botUserId: 'U0BATON' });
  }, 60_000);
  afterAll(async () => {
    await database.close();
    await target.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('killed with SIGKILL mid-import, then run again: every lead stored exactly once', async () => {
    const killed = await runCli([file], {
      onStart(kill) {
        const poll = setInterval(() => {
          void count('select count(*)::int as n from leads').then((n) => {
            if (n > 0) {
              clearInterval(poll);
              kill();
            }
          });
        }, 50);
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    const partial = await count('select count(*)::int as n from leads');
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(LEADS);

    const rerun = await runCli([file]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(
      new RegExp(
        `imported ${(LEADS - partial).toLocaleString('en-US')}, skipped ${partial.toLocaleString('en-US')} \\(already there\\), failed 0`,
      ),
    );
    expect(await count('select count(distinct external_id)::int as n from leads')).toBe(LEADS);
    expect(await count('select count(*)::int as n from leads')).toBe(LEADS);
    // Each lead's history once: one created event per lead, and no handoff number twice.
    expect(await count(`select count(*)::int as n from events where type = 'created'`)).toBe(LEADS);
    expect(
      await count(
        'select count(*)::int as n from (select lead_id, seq from handoffs group by lead_id, seq having count(*) > 1) d',
      ),
    ).toBe(0);
    expect(
      await count(
        'select count(*)::int as n from leads l where not exists (select 1 from events e where e.lead_id = l.id)',
      ),
    ).toBe(0);
  }, 300_000);

  it('exit codes: 1 with the failed lines written to a file (a dry run too, writing nothing), 0 when every line is in, 2 for a wrong call, 3 when stopped', async () => {
    const bad = path.join(scratch, 'bad.ndjson');
    writeFileSync(
      bad,
      `${JSON.stringify({ externalId: 'cli-ok', source: 'cli', createdAt: '2026-01-05T10:00:00Z' })}\nnot json\n${JSON.stringify({ externalId: 'cli-bad', source: 'cli', createdAt: '1900-01-01T00:00:00Z' })}\n`,
    );
    const dry = await runCli([bad, '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(/^dry run: 3 leads .*valid 1, skipped 0 \(already there\), failed 2/);
    expect(await count(`select count(*)::int as n from leads where source = 'cli'`)).toBe(0);

    const res = await runCli([bad]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(
      /imported 1, skipped 0 \(already there\), failed 2 \(see .*bad\.ndjson\.failed\.ndjson\)/,
    );
    const failed = readFileSync(`${bad}.failed.ndjson`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { index: number; externalId?: string });
    expect(failed.map((f) => [f.index, f.externalId])).toEqual([
      [1, undefined],
      [2, 'cli-bad'],
    ]);
    expect(await count(`select count(*)::int as n from leads where source = 'cli'`)).toBe(1);

    const one = path.join(scratch, 'one.ndjson');
    writeFileSync(one, `${readFileSync(bad, 'utf8').split('\n')[0]!}\n`);
    expect((await runCli([one])).stdout).toMatch(/^1 lead in .*imported 0, skipped 1 \(already there\), failed 0\n$/);

    const again = await runCli([path.join(scratch, 'leads.ndjson')]);
    expect(again.code).toBe(0);
    expect((await runCli([])).code).toBe(2);
    const missing = await runCli([path.join(scratch, 'missing.ndjson')]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/missing\.ndjson: no such file\nusage:/)]);
    expect((await runCli([scratch])).stderr).toMatch(/baton-import-cli-\w+: not a file/);
    // The database gone (nothing listens there): stopped, and told how to resume.
    const gone = await runCli([bad], { databaseUrl: 'postgres://postgres@127.0.0.1:9/none' });
    expect([gone.code, gone.stderr]).toEqual([
      3,
      expect.stringMatching(/^import stopped: .*\n.*run the same command again/),
    ]);
  }, 300_000);
});
