import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { SIGNING_SECRET, useBatonWithSlack } from '../helpers/app.js';
import { postMql } from '../helpers/flows.js';
import { sendSlashCommand } from '../helpers/slack-sign.js';

const env = useBatonWithSlack({ baton: { outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50 } } });
const baton = (user: string, text: string) => sendSlashCommand(env.baton.url, SIGNING_SECRET, { command: '/baton', text, user_id: user, channel_id: 'C0SMB', team_id: 'T0BATON', response_url: `${env.slack.responseUrl}/c` });
const text = async (p: ReturnType<typeof baton>) => (((await p).json) as { text: string }).text;

async function smbRep(): Promise<string> {
  const handoffId = await postMql(env);
  return rowsOf<{ rep: string }>(await env.baton.database.db.execute(sql`select rep_user_id as rep from handoffs where id = ${handoffId}`))[0]!.rep;
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
    const open = rowsOf<{ n: number }>(await env.baton.database.db.execute(sql`select count(*)::int as n from handoffs where rep_user_id = 'U0FILIP' and status = 'pending'`))[0]!.n;
    expect(open).toBeGreaterThan(0);
    // Going away hands the rep's undecided leads on (test/e2e/escalation.test.ts has the details).
    expect(await text(baton('U0SMBMGR', 'away <@U0FILIP|filip> until 2099-01-01'))).toBe(`<@U0FILIP> is away until 2099-01-01: no new leads before then. ${open} undecided lead${open === 1 ? ' was' : 's were'} handed to teammates.`);
    const until = rowsOf<{ until: Date }>(await env.baton.database.db.execute(sql`select away_until as until from rep_status where user_id = 'U0FILIP'`))[0]!.until;
    // Back on the morning of 1 Jan 2099 in Stockholm (the rep's team calendar zone).
    expect(new Date(until).toISOString()).toBe('2098-12-31T23:00:00.000Z');
    expect(await text(baton('U0ANA', 'back <@U0FILIP>'))).toBe('Only <@U0FILIP> or their manager <@U0SMBMGR> can change that.');
    expect(await text(baton('U0SMBMGR', 'away <@U0NOBODY>'))).toMatch(/^<@U0NOBODY> is not a rep in Baton's policy\./);
    expect(await text(baton('U0EVA', 'away until 2020-01-01'))).toMatch(/^2020-01-01 is not in the future\./);
    expect(await text(baton('U0SMBMGR', 'back <@U0FILIP>'))).toBe('<@U0FILIP> is back: new leads will be assigned again.');
  });

  it('understands a rep by name, typed without a mention', async () => {
    expect(await text(baton('U0SMBMGR', 'away @Filip until 2099-01-01'))).toMatch(/^<@U0FILIP> is away until 2099-01-01: no new leads before then\./);
    expect(await text(baton('U0SMBMGR', 'back filip falk'))).toBe('<@U0FILIP> is back: new leads will be assigned again.');
    expect(await text(baton('U0SMBMGR', 'away @Zed'))).toMatch(/^Baton knows no rep called "Zed"\./);
  });
});
