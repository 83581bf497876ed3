import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { examplePolicy, INTAKE_TOKEN, REPORTS_TOKEN, useBatonWithSlack } from '../helpers/app.js';
import { clickHandoff, typeCommand } from '../helpers/flows.js';

/*
 * Account owners and capacity through the real app: leads over HTTP, Accept as a signed click,
 * the card as the Slack stand-in received it. North America's reps take two open leads each.
 */
const policy = examplePolicy();
policy.teams.find((t) => t.id === 'north-america')!.maxOpenPerRep = 2;
const env = useBatonWithSlack({ baton: { policy, outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50 } } });

let n = 0;
async function post(fields: Record<string, unknown>): Promise<string> {
  n += 1;
  const res = await fetch(`${env.baton.url}/api/leads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      externalId: `acct-${n}`,
      source: 'web',
      firstName: 'A',
      lastName: `L${n}`,
      title: 'VP Sales',
      country: 'SE',
      employees: 40,
      channel: 'referral',
      activities: [{ type: 'demo_request', at: new Date().toISOString() }],
      mql: true,
      ...fields,
    }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { handoffId: string }).handoffId;
}

async function routed(handoffId: string): Promise<{ rep: string; via: string; team: string }> {
  return rowsOf<{ rep: string; via: string; team: string }>(
    await env.baton.database.db.execute(
      sql`select rep_user_id as rep, assigned_via as via, team_id as team from handoffs where id = ${handoffId}`,
    ),
  )[0]!;
}

async function accept(handoffId: string, userId: string, channelId: string): Promise<void> {
  const reply = await clickHandoff(env, { kind: 'accept', handoffId, userId, channelId, messageTs: '1.1' });
  expect(reply.status).toBe(200);
  for (let i = 0; i < 200; i++) {
    const status = rowsOf<{ status: string }>(
      await env.baton.database.db.execute(sql`select status from handoffs where id = ${handoffId}`),
    )[0]!.status;
    if (status === 'accepted') return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`handoff ${handoffId} was not accepted`);
}

/** The "why" line of the card Slack received for a handoff. */
async function whyOnCard(handoffId: string): Promise<string | undefined> {
  const [card] = await env.slack.waitFor(
    (c) => c.method === 'chat.postMessage' && JSON.stringify(c.body).includes(`card:${handoffId}`),
  );
  return /"text":"Why this rep: ([^"]*)"/.exec(JSON.stringify(card!.body.blocks))?.[1];
}

describe('account owners', () => {
  it('a lead from a company whose earlier lead a rep accepted goes to that rep, and the card says why', async () => {
    const first = await post({ email: 'ana@acme-corp.io' });
    expect((await routed(first)).via).toBe('round_robin');
    const owner = (await routed(first)).rep;
    await accept(first, owner, 'C0SMB');

    // Another person at the same company, and a lead naming the company by its website only.
    for (const fields of [
      { email: 'bo@ACME-corp.io' },
      { email: 'cy@gmail.com', website: 'https://www.acme-corp.io/contact' },
      { email: 'di@acme-corp.io' },
    ]) {
      const next = await post(fields);
      expect(await routed(next)).toEqual({ rep: owner, via: 'account_owner', team: 'smb' });
      expect(await whyOnCard(next)).toBe('account owner of acme-corp.io');
    }
  });

  it('imported history makes account owners: the last accept of a company wins, a rejection names no one', async () => {
    const line = (id: string, email: string, history: unknown[]) =>
      JSON.stringify({ source: 'crm', externalId: id, email, createdAt: '2026-10-01T08:00:00Z', history });
    const mql = (at: string, owner: string) => ({ stage: 'mql', at, team: 'smb', owner });
    const body = [
      line('imp-1', 'a@old-co.io', [
        mql('2026-10-01T09:00:00Z', 'U0EVA'),
        { stage: 'sal', at: '2026-10-01T10:00:00Z', by: 'U0EVA' },
      ]),
      line('imp-2', 'b@old-co.io', [
        mql('2026-10-05T09:00:00Z', 'U0FILIP'),
        { stage: 'sal', at: '2026-10-05T10:00:00Z', by: 'U0FILIP' },
      ]),
      line('imp-3', 'c@rejected-co.io', [
        mql('2026-10-05T09:00:00Z', 'U0FILIP'),
        { stage: 'rejected', at: '2026-10-05T10:00:00Z', by: 'U0FILIP', reason: 'no-budget' },
      ]),
    ].join('\n');
    const res = await fetch(`${env.baton.url}/api/leads/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/x-ndjson' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('"imported":3');
    const owners = rowsOf<{ domain: string; owner: string }>(
      await env.baton.database.db.execute(
        sql`select domain, owner_user_id as owner from accounts where domain in ('old-co.io', 'rejected-co.io')`,
      ),
    );
    expect(owners).toEqual([{ domain: 'old-co.io', owner: 'U0FILIP' }]);
    const next = await post({ email: 'new@old-co.io' });
    expect(await routed(next)).toEqual({ rep: 'U0FILIP', via: 'account_owner', team: 'smb' });
  });

  it('an export keeps what account matching needs: the CRM owner, and a domain learnt from a website', async () => {
    const line = JSON.stringify({
      source: 'crm',
      externalId: 'exp-1',
      email: 'kim@gmail.com',
      website: 'https://www.site-co.io/about',
      accountOwner: 'Ana Andersson',
      createdAt: '2026-10-01T08:00:00Z',
    });
    const res = await fetch(`${env.baton.url}/api/leads/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/x-ndjson' },
      body: line,
    });
    expect(res.status).toBe(200);
    const exported = await (
      await fetch(`${env.baton.url}/api/leads/export`, { headers: { authorization: `Bearer ${REPORTS_TOKEN}` } })
    ).text();
    const lines = exported
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.externalId === 'exp-1')).toMatchObject({
      email: 'kim@gmail.com',
      domain: 'site-co.io',
      accountOwner: 'Ana Andersson',
    });
  });

  it('a gmail.com lead never goes to an account owner, however many gmail leads were accepted', async () => {
    const first = await post({ email: 'one@gmail.com' });
    await accept(first, (await routed(first)).rep, 'C0SMB');
    const vias = [];
    for (let i = 0; i < 5; i++) vias.push((await routed(await post({ email: `other${i}@gmail.com` }))).via);
    expect(vias).toEqual(Array(5).fill('round_robin'));
    expect(
      rowsOf<{ n: number }>(
        await env.baton.database.db.execute(sql`select count(*)::int as n from accounts where domain = 'gmail.com'`),
      )[0]!.n,
    ).toBe(0);
  });

  it("the CRM's account owner wins, even in another team when the lead's team allows it", async () => {
    // SMB lets account matching cross teams (policy.example.yml): Ana is an Enterprise rep.
    const h = await post({ email: 'x@small-co.io', accountOwner: 'Ana Andersson' });
    expect(await routed(h)).toEqual({ rep: 'U0ANA', via: 'account_owner', team: 'enterprise' });
    expect(await whyOnCard(h)).toBe('account owner (CRM)');
  });

  it('/baton lead shows to whom and why in the history', async () => {
    await post({ email: 'hist@acme-corp.io' });
    const reply = await typeCommand(env, { text: 'lead hist@acme-corp.io', userId: 'U0SMBMGR', reply: 'lead' });
    expect(reply.status).toBe(200);
    const [answer] = await env.slack.waitFor(
      (c) => c.method === 'response_url' && JSON.stringify(c.body).includes('History'),
    );
    expect(JSON.stringify(answer!.body)).toMatch(
      /\*Assigned\* by Baton, automatically → (Eva|Filip): account owner of acme-corp\.io/,
    );
  });
});

describe('capacity', () => {
  const us = { country: 'US' };
  it('reps at their cap are skipped; with everyone at the cap the manager gets it and the card says so; a decision frees a place', async () => {
    const first = await Promise.all([
      post({ ...us, email: 'u1@us1.io' }),
      post({ ...us, email: 'u2@us2.io' }),
      post({ ...us, email: 'u3@us3.io' }),
      post({ ...us, email: 'u4@us4.io' }),
    ]);
    const reps = await Promise.all(first.map(async (h) => (await routed(h)).rep));
    expect(reps.filter((r) => r === 'U0CARL')).toHaveLength(2);
    expect(reps.filter((r) => r === 'U0DANA')).toHaveLength(2);

    const full = await post({ ...us, email: 'u5@us5.io' });
    expect(await routed(full)).toEqual({ rep: 'U0NAMGR', via: 'capacity_fallback', team: 'north-america' });
    expect(await whyOnCard(full)).toBe("manager's queue, every rep away or at cap: Carl at cap, Dana at cap");
    const [card] = await env.slack.waitFor(
      (c) => c.method === 'chat.postMessage' && JSON.stringify(c.body).includes(`card:${full}`),
    );
    expect(JSON.stringify(card!.body.blocks)).toContain('no rep was available');

    await accept(first[reps.indexOf('U0DANA')]!, 'U0DANA', 'C0NORAM');
    const freed = await post({ ...us, email: 'u6@us6.io' });
    expect(await routed(freed)).toMatchObject({ rep: 'U0DANA', via: 'round_robin' });
    expect(await whyOnCard(freed)).toBe('round-robin: Carl at cap');
  });
});

describe('dry run', () => {
  const counts = async (): Promise<Record<string, number>> =>
    rowsOf<Record<string, number>>(
      await env.baton.database.db.execute(
        sql`select (select count(*)::int from leads) as leads, (select count(*)::int from handoffs) as handoffs, (select count(*)::int from events) as events, (select coalesce(sum(assigned), 0)::int from round_robin) as turns, (select count(*)::int from outbox) as outbox`,
      ),
    )[0]!;

  it('POST /api/route answers team, tier, rep, why and score, and stores nothing', async () => {
    const before = await counts();
    const res = await fetch(`${env.baton.url}/api/route`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'zed@acme-corp.io',
        firstName: 'Z',
        lastName: 'Z',
        title: 'VP Sales',
        country: 'SE',
        employees: 40,
        channel: 'referral',
        activities: [{ type: 'demo_request', at: new Date().toISOString() }],
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    const owner = rowsOf<{ owner: string }>(
      await env.baton.database.db.execute(
        sql`select owner_user_id as owner from accounts where domain = 'acme-corp.io'`,
      ),
    )[0]!.owner;
    expect(body).toMatchObject({
      stored: false,
      team: { id: 'smb', name: 'SMB' },
      tier: { id: 'demo', clock: 'business' },
      rep: owner,
      rule: 'account_owner',
      why: 'account owner of acme-corp.io',
      score: 60,
      mql: true,
      breakdown: ['+20 senior title', '+10 referral', '+30 demo request'],
      missingFields: [],
    });
    expect(await counts()).toEqual(before);

    const bad = await fetch(`${env.baton.url}/api/route`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ employees: -1 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    expect((await fetch(`${env.baton.url}/api/route`, { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('/baton route answers privately with the same, and says what it did not understand', async () => {
    const before = await counts();
    const ask = async (text: string): Promise<string> => {
      const seen = env.slack.callsTo('response_url').length;
      expect((await typeCommand(env, { text, userId: 'U0SMBMGR', reply: 'route' })).status).toBe(200);
      const answer = (await env.slack.waitFor('response_url', { count: seen + 1 })).at(-1);
      expect(answer!.body.response_type).toBe('ephemeral');
      return JSON.stringify(answer!.body);
    };
    const big = await ask(
      'route email=<mailto:kim@bigco.io|kim@bigco.io> firstName=Kim lastName=Ko title=CEO country=DE employees=5000 channel=referral activity=demo_request',
    );
    expect(big).toContain(
      'this lead would go to *Enterprise* (<#C0ENTERPRISE>) · SLA tier *demo* (4 h) · <@U0ANA> — round-robin',
    );
    expect(big).toContain('*Score 70*, an MQL');
    const cold = await ask('route email=x@gmail.com country=US');
    expect(cold).toContain('*North America*');
    expect(cold).toContain('not an MQL (below 50), missing firstName, lastName, title');
    expect(cold).toContain('−20 free-mail address');
    expect(await ask('route colour=blue')).toContain('`/baton route` does not know `colour`');
    expect(await ask('route employees=many')).toContain('employees');
    expect(await counts()).toEqual(before);
  });
});
