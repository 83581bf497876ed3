import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { setAway } from '../../src/db/repo/routing.js';
import { examplePolicy, INTAKE_TOKEN, startTestBaton, type TestBaton } from '../helpers/app.js';
import { freshDatabase, hasServer, type TestDatabase } from '../helpers/db.js';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-standin.js';

/*
 * Fairness under real concurrency: two app instances on one Postgres server (as two replicas
 * would be), eight clients posting 1,000 MQLs at once. Every lead lands in the SMB team, whose
 * reps weigh 3 and 2 (a third is inactive) once the away rep is out of the picture.
 */
describe.runIf(hasServer)('round robin with several replicas and concurrent clients (server)', () => {
  let slack: SlackStandIn;
  let db: TestDatabase;
  let replicas: TestBaton[];
  const policy = examplePolicy();
  // A fourth SMB rep, away for the whole test: must never get a lead.
  const smb = policy.teams.find((t) => t.id === 'smb')!;
  smb.reps.push({ user: 'U0AWAY', name: 'Away Rep', weight: 5, active: true });

  beforeAll(async () => {
    slack = await startSlackStandIn();
    db = await freshDatabase({ server: true });
    replicas = [await startTestBaton({ slackApiUrl: slack.url, policy, db }), await startTestBaton({ slackApiUrl: slack.url, policy, db })];
    await setAway(db.db, { workspaceId: replicas[0]!.identity.workspaceId, userId: 'U0AWAY', away: true, awayUntil: null, setBy: 'U0SMBMGR' });
  });
  afterAll(async () => {
    for (const r of replicas) await r.close();
    await db.dispose();
    await slack.close();
  });

  it('1,000 leads from 8 clients: each rep within ±1 of its weighted share, none to the away rep', async () => {
    const TOTAL = 1000;
    let next = 0;
    const client = async (k: number): Promise<void> => {
      while (next < TOTAL) {
        const i = next++;
        const res = await fetch(`${replicas[k % 2]!.url}/api/leads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ externalId: `rr-${i}`, source: 'bench', email: `rr${i}@acme.io`, firstName: 'R', lastName: `R${i}`, title: 'VP Sales', country: 'SE', employees: 50, channel: 'referral', activities: [{ type: 'demo_request', at: new Date().toISOString() }] }),
        });
        expect(res.status).toBe(202);
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, k) => client(k)));

    const rows = rowsOf<{ rep: string; n: number }>(await db.db.execute(sql`select rep_user_id as rep, count(*)::int as n from handoffs group by rep_user_id order by rep_user_id`));
    const byRep = Object.fromEntries(rows.map((r) => [r.rep, r.n]));
    expect(Object.values(byRep).reduce((a, b) => a + b, 0)).toBe(TOTAL);
    expect(byRep.U0AWAY).toBeUndefined();
    expect(byRep.U0GUS).toBeUndefined();
    // Eva weighs 3 and Filip 2 of the 5 available: 600 and 400.
    expect(Math.abs(byRep.U0EVA! - 600)).toBeLessThanOrEqual(1);
    expect(Math.abs(byRep.U0FILIP! - 400)).toBeLessThanOrEqual(1);
  }, 120_000);
});
