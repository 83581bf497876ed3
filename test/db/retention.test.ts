import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { outbox, slaSteps } from '../../src/db/schema.js';
import { createLogger } from '../../src/log.js';
import { scheduledJobs } from '../../src/services/jobs.js';
import { purgeExpired } from '../../src/services/retention.js';
import { examplePolicy } from '../helpers/app.js';
import { freshDatabase, hasServer, insertHandoff, type TestDatabase } from '../helpers/db.js';

const WS = 'T0TEST';
const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date('2026-11-30T12:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
let db: TestDatabase;
let handoffId: string;

beforeAll(async () => {
  db = await freshDatabase();
  handoffId = await insertHandoff(db.db, WS, NOW);
});
afterAll(async () => {
  await db.dispose();
});
beforeEach(async () => {
  await db.db.execute(sql`truncate ${outbox}, ${slaSteps}`);
});

type Status = 'pending' | 'done' | 'dead';
const deliveries = (rows: readonly [string, Status, Date | null][]) =>
  db.db.insert(outbox).values(
    rows.map(([key, status, doneAt]) => ({
      workspaceId: WS,
      dedupeKey: key,
      kind: 'x',
      channel: 'C1',
      payload: {},
      status,
      doneAt,
    })),
  );
let stepIndex = 0;
const steps = (rows: readonly ['pending' | 'done' | 'cancelled', Date | null][]) =>
  db.db.insert(slaSteps).values(
    rows.map(([status, doneAt]) => ({
      workspaceId: WS,
      handoffId,
      stepIndex: stepIndex++,
      action: 'remind_rep' as const,
      repUserId: 'U1',
      dueAt: ago(40),
      status,
      doneAt,
    })),
  );
const left = async (table: 'outbox' | 'sla_steps') =>
  rowsOf<{ status: string; n: number }>(
    await db.db.execute(
      sql`select status, count(*)::int as n from ${sql.identifier(table)} group by status order by status`,
    ),
  );

describe('retention purge', () => {
  it('deletes done deliveries and done SLA steps older than the retention, in batches, and nothing else', async () => {
    await deliveries([
      ...Array.from({ length: 5 }, (_, i) => [`old-${i}`, 'done', ago(31)] as [string, Status, Date]),
      ['recent', 'done', ago(29)],
      ['dead', 'dead', null],
      ['pending', 'pending', null],
    ]);
    await steps([
      ['done', ago(45)],
      ['done', ago(31)],
      ['done', ago(30.5)],
      ['done', ago(1)],
      ['pending', null],
      ['cancelled', ago(45)],
    ]);

    // A batch of two: the purge goes on until a batch comes back short.
    expect(await purgeExpired({ db: db.db, now: () => NOW }, 30, 2)).toEqual({ deliveries: 5, slaSteps: 3 });
    expect(await left('outbox')).toEqual([
      { status: 'dead', n: 1 },
      { status: 'done', n: 1 },
      { status: 'pending', n: 1 },
    ]);
    expect(await left('sla_steps')).toEqual([
      { status: 'cancelled', n: 1 },
      { status: 'done', n: 1 },
      { status: 'pending', n: 1 },
    ]);
    expect(await purgeExpired({ db: db.db, now: () => NOW }, 30, 2)).toEqual({ deliveries: 0, slaSteps: 0 });
  });

  it('runs hourly in every replica as the retention-purge job, with the configured retention', async () => {
    await deliveries([
      ['a', 'done', ago(10)],
      ['b', 'done', ago(3)],
    ]);
    const ctx = { db: db.db, policy: examplePolicy(), workspaceId: WS, now: () => NOW, logger: createLogger('silent') };
    const job = scheduledJobs(ctx, { retentionDays: 7 }).find((j) => j.name === 'retention-purge');
    expect(job).toMatchObject({ cron: '17 * * * *', timeZone: 'UTC' });
    await job!.run(NOW);
    expect(await left('outbox')).toEqual([{ status: 'done', n: 1 }]);
  });

  it('a shorter retention reaches further', async () => {
    await deliveries([
      ['a', 'done', ago(10)],
      ['b', 'done', ago(3)],
    ]);
    expect(await purgeExpired({ db: db.db, now: () => NOW }, 7)).toEqual({ deliveries: 1, slaSteps: 0 });
  });
});

describe.runIf(hasServer)('retention purge in several replicas at once (server)', () => {
  it('four purges racing delete every expired row once between them, without an error', async () => {
    await deliveries(Array.from({ length: 500 }, (_, i) => [`r-${i}`, 'done', ago(60)] as [string, Status, Date]));
    await steps(Array.from({ length: 300 }, () => ['done', ago(60)] as ['done', Date]));
    const results = await Promise.all(
      Array.from({ length: 4 }, () => purgeExpired({ db: db.db, now: () => NOW }, 30, 25)),
    );
    expect(results.reduce((sum, r) => sum + r.deliveries, 0)).toBe(500);
    expect(results.reduce((sum, r) => sum + r.slaSteps, 0)).toBe(300);
    expect(await left('outbox')).toEqual([]);
    expect(await left('sla_steps')).toEqual([]);
  });
});
