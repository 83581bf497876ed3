import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../src/db/client.js';
import { writeTogether } from '../../src/db/repo/bulk.js';
import { knownIntakeKeys } from '../../src/db/repo/leads.js';
import { leads } from '../../src/db/schema.js';
import { freshDatabase, hasServer, type TestDatabase } from '../helpers/db.js';

// postgres.js only: PGlite has no wire protocol to save round trips on.
describe.runIf(hasServer)('statements on the Postgres server', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase({ server: true });
  });
  afterAll(async () => {
    await db.dispose();
  });

  const prepared = async (
    run: (query: typeof db.db) => Promise<unknown>,
  ): Promise<{ statements: string[]; planCacheMode: string }> =>
    db.db.transaction(async (tx) => {
      await run(tx);
      const statements = rowsOf<{ statement: string }>(
        await tx.execute(sql`select statement from pg_prepared_statements`),
      ).map((r) => r.statement);
      const [mode] = rowsOf<{ plan_cache_mode: string }>(await tx.execute(sql`show plan_cache_mode`));
      return { statements, planCacheMode: mode!.plan_cache_mode };
    });

  it('are prepared inside transactions (described once per connection, then pipelined), and planned for their values', async () => {
    const { statements, planCacheMode } = await prepared((tx) =>
      knownIntakeKeys(tx, 'T0', [{ source: 'web', externalId: 'x-1', email: 'a@b.io' }]),
    );
    expect(statements.some((s) => s.includes('jsonb_to_recordset'))).toBe(true);
    expect(planCacheMode).toBe('force_custom_plan');
  });

  it('a list of any length is one statement text', async () => {
    const keys = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ source: 'web', externalId: `x-${i}`, email: `a${i}@b.io` }));
    const { statements } = await prepared(async (tx) => {
      await knownIntakeKeys(tx, 'T0', keys(1));
      await knownIntakeKeys(tx, 'T0', keys(40));
    });
    expect(statements.filter((s) => s.includes('jsonb_to_recordset'))).toHaveLength(1);
  });

  it('bulk writes reuse their plans (so do the foreign-key checks), and the statements after them are planned for their values again', async () => {
    const { planCacheMode, during } = await db.db.transaction(async (tx) => {
      // The write records the planning it ran under in the row it inserts.
      await writeTogether(tx, [
        sql`insert into ${leads} (id, workspace_id, source, stage, channel) values ('00000000-0000-4000-8000-0000000000aa', 'T0', 'plans', 'lead', current_setting('plan_cache_mode'))`,
      ]);
      const [row] = rowsOf<{ channel: string }>(
        await tx.execute(sql`select channel from ${leads} where source = 'plans'`),
      );
      const [mode] = rowsOf<{ plan_cache_mode: string }>(await tx.execute(sql`show plan_cache_mode`));
      return { during: row!.channel, planCacheMode: mode!.plan_cache_mode };
    });
    expect(during).toBe('auto');
    expect(planCacheMode).toBe('force_custom_plan');
  });
});
