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
  // North America's reps take 30 and 50 open leads at most.
  const noram = policy.teams.find((t) => t.id === 'north-america')!;
  noram.reps[0]!.maxOpen = 30;
  noram.maxOpenPerRep = 50;

  beforeAll(async () => {
    slack = await startSlackStandIn();
    db = await freshDatabase({ server: true });
    replicas = [
      await startTestBaton({ slackApiUrl: slack.url, policy, db }),
      await startTestBaton({ slackApiUrl: slack.url, policy, db }),
    ];
    await setAway(db.db, {
      workspaceId: replicas[0]!.identity.workspaceId,
      userId: 'U0AWAY',
      away: true,
      awayUntil: null,
      setBy: 'U0SMBMGR',
    });
  });
  afterAll(async () => {
    for (const r of replicas) await r.close();
    await db.dispose();
    await slack.close();
  });

  /** `total` MQLs from 8 clients spread over both replicas. */
  async function postFromEightClients(total: number, prefix: string, country: string): Promise<void> {
    let next = 0;
    const client = async (k: number): Promise<void> => {
      while (next < total) {
        const i = next++;
        const res = await fetch(`${replicas[k % 2]!.url}/api/leads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
          // Each lead its own company: no account owner steers them.
          body: JSON.stringify({
            externalId: `${prefix}-${i}`,
            source: 'bench',
            email: `${prefix}${i}@${prefix}${i}.io`,
            firstName: 'R',
            lastName: `R${i}`,
            title: 'VP Sales',
            country,
            employees: 50,
            channel: 'referral',
            activities: [{ type: 'demo_request', at: new Date().toISOString() }],
          }),
        });
        expect(res.status).toBe(202);
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, k) => client(k)));
  }

  it('1,000 leads from 8 clients: each rep within ±1 of its weighted share, none to the away rep', async () => {
    const TOTAL = 1000;
    await postFromEightClients(TOTAL, 'rr', 'SE');

    const rows = rowsOf<{ rep: string; n: number }>(
      await db.db.execute(
        sql`select rep_user_id as rep, count(*)::int as n from handoffs where team_id = 'smb' group by rep_user_id order by rep_user_id`,
      ),
    );
    const byRep = Object.fromEntries(rows.map((r) => [r.rep, r.n]));
    expect(Object.values(byRep).reduce((a, b) => a + b, 0)).toBe(TOTAL);
    expect(byRep.U0AWAY).toBeUndefined();
    expect(byRep.U0GUS).toBeUndefined();
    // Eva weighs 3 and Filip 2 of the 5 available: 600 and 400.
    expect(Math.abs(byRep.U0EVA! - 600)).toBeLessThanOrEqual(1);
    expect(Math.abs(byRep.U0FILIP! - 400)).toBeLessThanOrEqual(1);
  }, 120_000);

  it("caps hold under 8 clients and 2 replicas: no rep above their cap, the rest in the manager's queue as capacity", async () => {
    await postFromEightClients(200, 'cap', 'US');
    const rows = rowsOf<{ rep: string; via: string; n: number }>(
      await db.db.execute(
        sql`select rep_user_id as rep, assigned_via as via, count(*)::int as n from handoffs where team_id = 'north-america' group by 1, 2 order by 1, 2`,
      ),
    );
    expect(rows).toEqual([
      { rep: 'U0CARL', via: 'round_robin', n: 30 },
      { rep: 'U0DANA', via: 'round_robin', n: 50 },
      { rep: 'U0NAMGR', via: 'capacity_fallback', n: 120 },
    ]);
    // Until Carl was full, the two took turns: his 30 were spread over the first 60 or so leads.
    const order = rowsOf<{ rep: string }>(
      await db.db.execute(
        sql`select e.data->>'rep' as rep from events e join handoffs h on h.id = e.handoff_id where e.type = 'assigned' and h.team_id = 'north-america' order by e.id`,
      ),
    ).map((r) => r.rep);
    const firstSixty = order.slice(0, 60);
    expect(Math.abs(firstSixty.filter((r) => r === 'U0CARL').length - 30)).toBeLessThanOrEqual(1);
  }, 120_000);
});
