import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { useBatonWithSlack } from '../helpers/app.js';
import { homeFor } from '../../src/services/home.js';
import { handOverStartedAways } from '../../src/services/reps.js';
import { renderHome } from '../../src/slack/views/home.js';
import { postMql, typeCommand } from '../helpers/flows.js';

const env = useBatonWithSlack({ baton: { outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50 } } });
const baton = (user: string, text: string) => typeCommand(env, { text, userId: user, reply: 'c' });
const text = async (p: ReturnType<typeof baton>) => ((await p).json as { text: string }).text;

async function smbRep(): Promise<string> {
  const handoffId = await postMql(env);
  return rowsOf<{ rep: string }>(
    await env.baton.database.db.execute(sql`select rep_user_id as rep from handoffs where id = ${handoffId}`),
  )[0]!.rep;
}

describe('/baton away and back', () => {
  it('a rep who is away gets no new leads until they are back', async () => {
    expect(await text(baton('U0EVA', 'away'))).toBe('You are away: no new leads until `/baton back`.');
    const whileAway = await Promise.all([smbRep(), smbRep(), smbRep(), smbRep()]);
    expect(whileAway.every((r) => r === 'U0FILIP')).toBe(true);
    expect(await text(baton('U0EVA', 'back'))).toBe('You are back: new leads will be assigned again.');
    const after = [];
    for (let i = 0; i < 4; i++) after.push(await smbRep());
    expect(after).toContain('U0EVA');
  });

  it('a manager may set one of their reps away until a date; others may not', async () => {
    const open = rowsOf<{ n: number }>(
      await env.baton.database.db.execute(
        sql`select count(*)::int as n from handoffs where rep_user_id = 'U0FILIP' and status = 'pending'`,
      ),
    )[0]!.n;
    expect(open).toBeGreaterThan(0);
    // Going away hands the rep's undecided leads on (test/e2e/escalation.test.ts has the details).
    expect(await text(baton('U0SMBMGR', 'away <@U0FILIP|filip> until 2099-01-01'))).toBe(
      `<@U0FILIP> is away until 2099-01-01: no new leads before then. ${open} undecided lead${open === 1 ? ' was' : 's were'} handed to teammates.`,
    );
    const until = rowsOf<{ until: Date }>(
      await env.baton.database.db.execute(sql`select away_until as until from rep_status where user_id = 'U0FILIP'`),
    )[0]!.until;
    // Back on the morning of 1 Jan 2099 in Stockholm (the rep's team calendar zone).
    expect(new Date(until).toISOString()).toBe('2098-12-31T23:00:00.000Z');
    expect(await text(baton('U0ANA', 'back <@U0FILIP>'))).toBe(
      'Only <@U0FILIP> or their manager <@U0SMBMGR> can change that.',
    );
    expect(await text(baton('U0SMBMGR', 'away <@U0NOBODY>'))).toMatch(/^<@U0NOBODY> is not a rep in Baton's policy\./);
    expect(await text(baton('U0EVA', 'away until 2020-01-01'))).toMatch(/^2020-01-01 is not in the future\./);
    expect(await text(baton('U0SMBMGR', 'back <@U0FILIP>'))).toBe(
      '<@U0FILIP> is back: new leads will be assigned again.',
    );
  });

  it('understands a rep by name, typed without a mention', async () => {
    expect(await text(baton('U0SMBMGR', 'away @Filip until 2099-01-01'))).toMatch(
      /^<@U0FILIP> is away until 2099-01-01: no new leads before then\./,
    );
    expect(await text(baton('U0SMBMGR', 'back filip falk'))).toBe(
      '<@U0FILIP> is back: new leads will be assigned again.',
    );
    expect(await text(baton('U0SMBMGR', 'away @Zed'))).toMatch(/^Baton knows no rep called "Zed"\./);
  });
});

describe('/baton away from … until … (a planned leave)', () => {
  // Late evenings in Stockholm: no SLA step falls due between the jumps, so only going away moves leads.
  let clock = new Date('2026-12-02T21:00:00Z');
  const planned = useBatonWithSlack({
    baton: { now: () => clock, outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50 } },
  });
  const command = (user: string, text: string) => typeCommand(planned, { text, userId: user, reply: 'c' });
  const routedTo = async (): Promise<{ rep: string; why: string }> => {
    const handoffId = await postMql(planned);
    return rowsOf<{ rep: string; why: string }>(
      await planned.baton.database.db.execute(
        sql`select h.rep_user_id as rep, e.data::text as why from handoffs h join events e on e.handoff_id = h.id and e.type = 'assigned' where h.id = ${handoffId}`,
      ),
    )[0]!;
  };
  const pendingOf = async (user: string): Promise<number> =>
    rowsOf<{ n: number }>(
      await planned.baton.database.db.execute(
        sql`select count(*)::int as n from handoffs where rep_user_id = ${user} and status = 'pending'`,
      ),
    )[0]!.n;

  it("a manager plans a rep's leave: leads until it starts, none during it (their open ones move on), leads again after; the rep's Home shows it", async () => {
    expect(await text(command('U0SMBMGR', 'away <@U0EVA> from 2026-12-03 until 2026-12-05'))).toBe(
      '<@U0EVA> is away from 2026-12-03 until 2026-12-05: no new leads in that time, and their undecided leads go to teammates when it starts.',
    );
    expect(await text(command('U0SMBMGR', 'away <@U0EVA> from 2026-12-05 until 2026-12-03'))).toMatch(
      /^The away period must end after it starts/,
    );
    expect(await text(command('U0SMBMGR', 'away <@U0EVA> from 2026-12-03 until 2026-12-05'))).toMatch(
      /^<@U0EVA> is away from 2026-12-03/,
    );
    // Stockholm: the 3rd starts at 23:00Z on the 2nd; Eva is back on the morning of the 5th.
    const home = await homeFor(planned.baton.context, 'U0EVA');
    expect(home.kind === 'member' && home.away).toEqual({
      from: new Date('2026-12-02T23:00:00Z'),
      until: new Date('2026-12-04T23:00:00Z'),
    });
    expect(JSON.stringify(renderHome(home).blocks)).toContain('Next away: from Thu 3 Dec, back on Sat 5 Dec.');

    const before = [await routedTo(), await routedTo(), await routedTo()];
    expect(before.map((r) => r.rep)).toContain('U0EVA');
    expect(await pendingOf('U0EVA')).toBeGreaterThan(0);

    clock = new Date('2026-12-02T23:30:00Z');
    const during = [await routedTo(), await routedTo(), await routedTo()];
    expect(during.map((r) => r.rep)).toEqual(['U0FILIP', 'U0FILIP', 'U0FILIP']);
    expect(JSON.parse(during[0]!.why)).toMatchObject({
      rule: 'round_robin',
      skipped: [{ user: 'U0EVA', reason: 'away' }],
    });
    // The hand-over job (every minute in every replica) moves her undecided leads once the leave starts.
    await handOverStartedAways(planned.baton.context);
    expect(await pendingOf('U0EVA')).toBe(0);
    expect(
      rowsOf<{ n: number }>(
        await planned.baton.database.db.execute(
          sql`select count(*)::int as n from events where type = 'reassigned' and reason = 'away'`,
        ),
      )[0]!.n,
    ).toBeGreaterThan(0);
    expect(await handOverStartedAways(planned.baton.context)).toBe(0);
    const homeDuring = await homeFor(planned.baton.context, 'U0EVA');
    expect(JSON.stringify(renderHome(homeDuring).blocks)).toContain('You are away, back on Sat 5 Dec');

    clock = new Date('2026-12-04T23:30:00Z');
    const after = [await routedTo(), await routedTo(), await routedTo()];
    expect(after.map((r) => r.rep)).toContain('U0EVA');
    expect(JSON.stringify(renderHome(await homeFor(planned.baton.context, 'U0EVA')).blocks)).not.toContain(
      ':palm_tree:',
    );
  });
});
