import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { createLogger } from '../../src/log.js';
import type { ServiceContext } from '../../src/services/context.js';
import { createIntakeQueue, type IntakeInput, type IntakeQueue } from '../../src/services/intake.js';
import { examplePolicy } from '../helpers/app.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
let ctx: ServiceContext;
let queue: IntakeQueue;
// Each transaction reads the clock once, so the distinct creation instants count the transactions.
let tick = Date.parse('2026-11-23T09:00:00Z');

beforeAll(async () => {
  db = await freshDatabase();
  ctx = {
    db: db.db,
    policy: examplePolicy(),
    workspaceId: 'T0BATON',
    now: () => new Date((tick += 1000)),
    logger: createLogger('silent'),
  };
  queue = createIntakeQueue(ctx);
});
afterAll(async () => {
  await db.dispose();
});

let seq = 0;
const lead = (over: Partial<IntakeInput> = {}): IntakeInput => ({
  source: 'queue',
  externalId: `q-${++seq}`,
  email: `q${seq}@acme.io`,
  firstName: 'Qu',
  lastName: `Eue ${seq}`,
  title: seq % 2 === 0 ? 'VP Sales' : 'Engineer',
  country: 'SE',
  employees: 40,
  channel: 'referral',
  activities: [{ type: 'demo_request', at: new Date('2026-11-23T08:00:00Z') }],
  ...over,
});

async function leadsWhere(
  source: string,
): Promise<{ id: string; externalId: string; createdAt: string; stage: string }[]> {
  return rowsOf(
    await db.db.execute(
      sql`select id, external_id as "externalId", created_at::text as "createdAt", stage from leads where source = ${source}`,
    ),
  );
}

describe('intake queue (group commit)', () => {
  it('a burst of distinct leads is written in a few transactions, each lead answered with its own row', async () => {
    const inputs = Array.from({ length: 120 }, () => lead());
    const results = await Promise.all(inputs.map((i) => queue.submit(i)));
    const rows = await leadsWhere('queue');
    expect(rows).toHaveLength(120);
    const byExternal = new Map(rows.map((r) => [r.externalId, r]));
    results.forEach((r, n) => {
      const row = byExternal.get(inputs[n]!.externalId!)!;
      expect(r.leadId).toBe(row.id);
      expect(r.created).toBe(true);
      expect(r.stage).toBe(row.stage);
      expect(r.handoffId !== undefined).toBe(row.stage === 'mql');
    });
    expect(results.filter((r) => r.stage === 'mql')).toHaveLength(60);
    expect(new Set(rows.map((r) => r.createdAt)).size).toBeLessThan(20);
    const handoffs = rowsOf<{ n: number }>(
      await db.db.execute(
        sql`select count(*)::int as n from handoffs h join leads l on l.id = h.lead_id where l.source = 'queue'`,
      ),
    );
    expect(handoffs[0]!.n).toBe(60);
  });

  it('a lead sent twice in one burst (same id, or same email) is one lead, merged in order', async () => {
    const first = lead({ source: 'twice' });
    const again = { ...first, title: 'Chief Revenue Officer' };
    const byEmail = lead({ source: 'twice', externalId: undefined, email: first.email });
    const [a, b, c] = await Promise.all([queue.submit(first), queue.submit(again), queue.submit(byEmail)]);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(c.created).toBe(false);
    expect(new Set([a.leadId, b.leadId, c.leadId]).size).toBe(1);
    expect(await leadsWhere('twice')).toHaveLength(1);
  });

  it('a lead the database refuses fails alone; the leads batched with it are stored', async () => {
    const good = Array.from({ length: 10 }, () => lead({ source: 'mixed' }));
    const bad = lead({ source: 'mixed', firstName: 'Nul\u0000Byte' });
    const blockers = Array.from({ length: 4 }, () => queue.submit(lead({ source: 'blocker' })));
    const outcomes = await Promise.allSettled([...good, bad].map((i) => queue.submit(i)));
    await Promise.all(blockers);
    expect(outcomes.slice(0, 10).every((o) => o.status === 'fulfilled')).toBe(true);
    expect(outcomes[10]!.status).toBe('rejected');
    const rows = await leadsWhere('mixed');
    expect(rows.map((r) => r.externalId).sort()).toEqual(good.map((g) => g.externalId!).sort());
  });
});
