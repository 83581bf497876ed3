import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { outbox } from '../../src/db/schema.js';
import { REPO } from '../helpers/process.js';

/** Runs `npm run outbox -- …` as npm does (tsx src/cli/outbox.ts), on the embedded database in `dataDir`. */
function outboxCli(
  dataDir: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/outbox.ts'), ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run outbox (dead deliveries), on the embedded database', () => {
  let dataDir: string;
  let ids: number[];

  const statuses = async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir });
    try {
      return (
        await database.db
          .select({ id: outbox.id, status: outbox.status, attempts: outbox.attempts })
          .from(outbox)
          .orderBy(asc(outbox.id))
      ).map((r) => `${r.id}:${r.status}:${r.attempts}`);
    } finally {
      await database.close();
    }
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'baton-outbox-cli-'));
    const database = await openDatabase({ kind: 'pglite', dataDir });
    await database.migrate();
    const rows = await database.db
      .insert(outbox)
      .values([
        {
          workspaceId: 'T0',
          dedupeKey: 'card:1',
          kind: 'post_card',
          channel: 'C0GONE',
          payload: {},
          status: 'dead',
          attempts: 1,
          lastError: 'channel_not_found (C0GONE)',
        },
        {
          workspaceId: 'T0',
          dedupeKey: 'update:1',
          kind: 'update_card',
          channel: null,
          payload: {},
          status: 'dead',
          attempts: 2,
          lastError: 'invalid_blocks (C0SMB)',
        },
        {
          workspaceId: 'T0',
          dedupeKey: 'note:1',
          kind: 'post_marketing_note',
          channel: 'C0MARKETING',
          payload: {},
          status: 'done',
          attempts: 1,
        },
        {
          workspaceId: 'T0',
          dedupeKey: 'reply:1',
          kind: 'thread_reply',
          channel: 'C0ARCHIVED',
          payload: {},
          status: 'dead',
          attempts: 1,
          lastError: 'is_archived (C0ARCHIVED)',
        },
      ])
      .returning({ id: outbox.id });
    ids = rows.map((r) => r.id);
    await database.close();
  }, 60_000);
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('list shows every dead delivery with its channel and last error, and nothing else', async () => {
    const res = await outboxCli(dataDir, ['list']);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const lines = res.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(lines[0]).toEqual(['id', 'kind', 'channel', 'attempts', 'queued', 'last error']);
    expect(lines.slice(1).map((l) => [l[0], l[1], l[2], l[3], l[5]])).toEqual([
      [String(ids[0]), 'post_card', 'C0GONE', '1', 'channel_not_found (C0GONE)'],
      [String(ids[1]), 'update_card', '-', '2', 'invalid_blocks (C0SMB)'],
      [String(ids[3]), 'thread_reply', 'C0ARCHIVED', '1', 'is_archived (C0ARCHIVED)'],
    ]);
  }, 60_000);

  it('retry ID queues that one again, keeping its attempts; an id that is not dead is an error', async () => {
    expect(await outboxCli(dataDir, ['retry', String(ids[1])])).toMatchObject({
      code: 0,
      stdout: `1 dead delivery queued again: ${ids[1]}\n`,
    });
    expect(await statuses()).toEqual([
      `${ids[0]}:dead:1`,
      `${ids[1]}:pending:2`,
      `${ids[2]}:done:1`,
      `${ids[3]}:dead:1`,
    ]);
    const notDead = await outboxCli(dataDir, ['retry', String(ids[2])]);
    expect(notDead).toMatchObject({ code: 1, stdout: '' });
    expect(notDead.stderr).toBe(`no dead delivery with id ${ids[2]} (see npm run outbox -- list)\n`);
  }, 60_000);

  it('retry-all queues every dead delivery again; then list says there are none', async () => {
    expect(await outboxCli(dataDir, ['retry-all'])).toMatchObject({
      code: 0,
      stdout: `2 dead deliveries queued again: ${ids[0]}, ${ids[3]}\n`,
    });
    expect(await statuses()).toEqual([
      `${ids[0]}:pending:1`,
      `${ids[1]}:pending:2`,
      `${ids[2]}:done:1`,
      `${ids[3]}:pending:1`,
    ]);
    expect(await outboxCli(dataDir, ['list'])).toMatchObject({ code: 0, stdout: 'no dead deliveries\n' });
  }, 60_000);

  it.each([[[]], [['retry']], [['retry', 'abc']], [['purge']], [['list', 'extra']]])(
    '%j prints the usage and exits 2, touching nothing',
    async (args) => {
      const res = await outboxCli(dataDir, args);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/^usage: npm run outbox -- list \| retry ID \| retry-all\n/);
    },
    60_000,
  );
});
