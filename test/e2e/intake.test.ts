import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { INTAKE_TOKEN, useBatonWithSlack } from '../helpers/app.js';

const env = useBatonWithSlack({
  baton: { outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50, maxBackoffMs: 300 } },
});
beforeEach(async () => {
  await env.baton.outbox.idle();
  env.slack.reset();
});

let seq = 0;
const mqlLead = (over: Record<string, unknown> = {}) => ({
  externalId: `ext-${++seq}`,
  source: 'hubspot',
  email: `lead${seq}@acme.io`,
  firstName: 'Ana',
  lastName: `Lead${seq}`,
  title: 'VP Sales',
  company: 'Acme',
  employees: 50,
  country: 'SE',
  channel: 'referral',
  activities: [{ type: 'demo_request', at: new Date().toISOString() }],
  ...over,
});

function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${env.baton.url}/api/leads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function count(table: 'leads' | 'handoffs' | 'events' | 'outbox' | 'slack_messages'): Promise<number> {
  return rowsOf<{ n: number }>(
    await env.baton.database.db.execute(sql.raw(`select count(*)::int as n from ${table}`)),
  )[0]!.n;
}
const counts = async () => ({
  leads: await count('leads'),
  handoffs: await count('handoffs'),
  events: await count('events'),
  outbox: await count('outbox'),
});

describe('POST /api/leads refuses bad requests and stores nothing', () => {
  it.each<[string, () => Promise<Response>, number, string]>([
    ['no token', () => post(mqlLead(), { authorization: '' }), 401, 'unauthorized'],
    ['a wrong token', () => post(mqlLead(), { authorization: 'Bearer nope-nope-nope-nope' }), 401, 'unauthorized'],
    [
      'not JSON',
      () => post('externalId=1', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'unsupported_media_type',
    ],
    ['malformed JSON', () => post('{"externalId": ', {}), 400, 'validation_failed'],
    ['over 1 MB', () => post(mqlLead({ company: 'x'.repeat(1024 * 1024) })), 413, 'payload_too_large'],
  ])('%s', async (_name, send, status, code) => {
    const before = await counts();
    const res = await send();
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code, message: expect.any(String) as unknown } });
    expect(await counts()).toEqual(before);
  });

  it('lists every problem with its path', async () => {
    const before = await counts();
    const res = await post({
      email: 'not-an-email',
      employees: -3,
      country: 'Sweden',
      activities: [{ type: 'demo_request', at: 'yesterday' }],
      origin: 'partner',
      lastName: 'Nul\u0000',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d) => d.path).sort()).toEqual(
      ['activities.0.at', 'country', 'email', 'employees', 'lastName', 'origin', 'source'].sort(),
    );
    expect(await counts()).toEqual(before);
  });

  it.each([
    [{ country: 'Sweden' }, 'country', /like SE/],
    [{ employees: '250' }, 'employees', /must be a number of employees, like 250/],
    [{ employees: '50-200' }, 'employees', /not "250" or a range/],
    [{ employees: -3 }, 'employees', /must be 0 or more/],
  ])('a 400 says how to fix %j', async (fields, path, hint) => {
    const res = await post({ source: 'web', email: 'hint@acme.io', ...fields });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { details: { path: string; message: string }[] } };
    expect(body.error.details.find((d) => d.path === path)?.message).toMatch(hint);
  });

  it('a lead with neither externalId nor email cannot be recognised later, so it is refused', async () => {
    const res = await post({ source: 'web', firstName: 'Anon' });
    expect(res.status).toBe(400);
  });
});

describe('an MQL is handed to sales', () => {
  it('answers 202, posts the card to the team channel and the note to marketing, and records both', async () => {
    const res = await post(mqlLead());
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; stage: string; score: number; handoffId: string };
    expect(body).toMatchObject({ stage: 'mql', score: 60, created: true });
    const [card] = await env.slack.waitFor((c) => c.method === 'chat.postMessage' && c.body.channel === 'C0SMB');
    const [note] = await env.slack.waitFor((c) => c.method === 'chat.postMessage' && c.body.channel === 'C0MARKETING');
    expect(card!.body).toMatchObject({
      metadata: { event_type: 'baton_card', event_payload: { handoff_id: body.handoffId } },
    });
    const cardJson = JSON.stringify(card!.body.blocks);
    expect(cardJson).toMatch(/Score 60/);
    expect(cardJson).toMatch(/\+30 demo request/);
    expect(cardJson).toMatch(/decide by /);
    expect(String(card!.body.text)).toMatch(/<@U0(EVA|FILIP)>/);
    expect(note!.body).toMatchObject({ metadata: { event_type: 'baton_marketing_note' } });
    await env.baton.outbox.idle();
    const recorded = rowsOf<{ kind: string; channel: string }>(
      await env.baton.database.db.execute(
        sql`select kind, channel from slack_messages where handoff_id = ${body.handoffId} order by kind`,
      ),
    );
    expect(recorded).toEqual([
      { kind: 'card', channel: 'C0SMB' },
      { kind: 'marketing_note', channel: 'C0MARKETING' },
    ]);
  });

  it('a lead below the threshold is stored but not handed off', async () => {
    const res = await post(mqlLead({ title: 'Engineer', channel: undefined, activities: [] }));
    expect(await res.json()).toMatchObject({ stage: 'lead', score: 0, handoffId: null });
    await env.baton.outbox.idle();
    expect(env.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('"mql": true from marketing automation hands off whatever the score', async () => {
    const res = await post(mqlLead({ title: 'Engineer', channel: undefined, activities: [], mql: true }));
    expect(await res.json()).toMatchObject({ stage: 'mql', score: 0 });
    await env.slack.waitFor('chat.postMessage', { count: 2 });
  });

  it('routes by policy: a 5,000-person company goes to the enterprise channel', async () => {
    await post(mqlLead({ employees: 5000 }));
    const [card] = await env.slack.waitFor((c) => c.method === 'chat.postMessage' && c.body.channel === 'C0ENTERPRISE');
    expect(String(card!.body.text)).toMatch(/<@U0(ANA|BO)>/);
  });

  it('the CRM owner gets their own lead', async () => {
    const res = await post(mqlLead({ ownerHint: 'U0CARL' }));
    const { handoffId } = (await res.json()) as { handoffId: string };
    const [card] = await env.slack.waitFor((c) => c.method === 'chat.postMessage' && c.body.channel === 'C0NORAM');
    expect(String(card!.body.text)).toContain('<@U0CARL>');
    expect(
      rowsOf<{ via: string }>(
        await env.baton.database.db.execute(sql`select assigned_via as via from handoffs where id = ${handoffId}`),
      )[0]!.via,
    ).toBe('owner_hint');
  });

  it('hostile field values are escaped and stay within Slack limits', async () => {
    await post(
      mqlLead({
        firstName: '<!channel> <@U0BOSS>',
        lastName: 'x'.repeat(3000),
        company: '<https://evil.example|click> & co',
      }),
    );
    const [card] = await env.slack.waitFor((c) => c.method === 'chat.postMessage' && c.body.channel === 'C0SMB');
    const blocks = card!.body.blocks as {
      type: string;
      text?: { type: string; text: string };
      fields?: { text: string }[];
      elements?: { text?: string }[];
    }[];
    // mrkdwn (and the notification text) is where Slack parses mentions and links; plain_text never is.
    const mrkdwn = [
      String(card!.body.text),
      ...blocks.flatMap((b) => [
        ...(b.text?.type === 'mrkdwn' ? [b.text.text] : []),
        ...(b.fields ?? []).map((f) => f.text),
        ...(b.elements ?? []).map((e) => e.text ?? ''),
      ]),
    ].join('\n');
    expect(mrkdwn).not.toMatch(/<!channel>|<@U0BOSS>|<https:\/\/evil/);
    expect(mrkdwn).toContain('&lt;!channel&gt;');
    expect(blocks.filter((b) => b.text?.type === 'plain_text').every((b) => b.type === 'header')).toBe(true);
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const b of blocks) {
      if (b.type === 'header') expect(b.text!.text.length).toBeLessThanOrEqual(150);
      if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
      for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
    }
  });
});

describe('replays and upserts', () => {
  it('the same lead sent 10 times at once is one lead, one handoff, one card', async () => {
    const lead = mqlLead();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        post(lead).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { id: string; handoffId: string },
        })),
      ),
    );
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([202]));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(new Set(answers.map((a) => a.body.handoffId)).size).toBe(1);
    await env.baton.outbox.idle();
    const handoffId = answers[0]!.body.handoffId;
    expect(
      env.slack
        .callsTo('chat.postMessage')
        .filter(
          (c) => (c.body.metadata as { event_payload: { handoff_id: string } }).event_payload.handoff_id === handoffId,
        ),
    ).toHaveLength(2);
    expect(
      rowsOf<{ n: number }>(
        await env.baton.database.db.execute(
          sql`select count(*)::int as n from handoffs where lead_id = ${answers[0]!.body.id}`,
        ),
      )[0]!.n,
    ).toBe(1);
  });

  it('without the externalId the email finds the lead; blank fields do not erase, activities are not doubled', async () => {
    const first = mqlLead({ title: 'Engineer', activities: [{ type: 'webinar', at: '2026-11-20T10:00:00Z' }] });
    const a = (await (await post(first)).json()) as { id: string };
    const b = (await (
      await post({
        source: 'webform',
        email: first.email.toUpperCase(),
        company: '',
        phone: '+46 8 123',
        activities: [{ type: 'webinar', at: '2026-11-20T10:00:00Z' }],
      })
    ).json()) as { id: string; created: boolean };
    expect(b).toMatchObject({ id: a.id, created: false });
    const [row] = rowsOf<{ company: string; phone: string; n: number }>(
      await env.baton.database.db.execute(
        sql`select company, phone, (select count(*)::int from activities where lead_id = leads.id) as n from leads where id = ${a.id}`,
      ),
    );
    expect(row).toEqual({ company: 'Acme', phone: '+46 8 123', n: 1 });
  });
});

describe('POST /api/leads: blank keys and unstorable text (issue 12)', () => {
  it('a blank externalId means not given: three people posted with externalId "" become three leads', async () => {
    const people = ['ann', 'ben', 'cid'].map((n) => ({
      source: 'web',
      externalId: n === 'ben' ? '   ' : '',
      email: `${n}-${++seq}@blank.io`,
      firstName: n,
    }));
    const answers = await Promise.all(
      people.map(async (p) => (await post(p)).json() as Promise<{ id: string; created: boolean }>),
    );
    expect(new Set(answers.map((a) => a.id)).size).toBe(3);
    expect(answers.every((a) => a.created)).toBe(true);
    const rows = rowsOf<{ first: string; ext: string | null }>(
      await env.baton.database.db.execute(
        sql`select first_name as first, external_id as ext from leads where source = 'web' and email like '%@blank.io' order by first_name`,
      ),
    );
    expect(rows).toEqual([
      { first: 'ann', ext: null },
      { first: 'ben', ext: null },
      { first: 'cid', ext: null },
    ]);
  });

  it('a lead whose externalId and email are both blank is a 400 and stores nothing', async () => {
    const before = await counts();
    const res = await post({ source: 'web', externalId: ' ', email: '  ', firstName: 'Nobody' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'validation_failed', details: [{ path: 'externalId' }] } });
    expect(await counts()).toEqual(before);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a NUL in externalId', { externalId: 'a\u0000b' }, 'externalId'],
    ['a NUL in a name', { firstName: 'An\u0000a' }, 'firstName'],
    ['a lone high surrogate', { company: 'Acme \ud800' }, 'company'],
    [
      'a lone low surrogate in an activity',
      { activities: [{ type: 'visit\udc00', at: '2026-11-20T09:12:00Z' }] },
      'activities.0.type',
    ],
    ['a NUL in the source', { source: 'web\u0000' }, 'source'],
    ['a NUL in the email', { email: 'a\u0000b@acme.io' }, 'email'],
    ['a year before 1970', { activities: [{ type: 'visit', at: '1969-12-31T23:59:59Z' }] }, 'activities.0.at'],
  ])('%s is a 400 naming the field, and nothing is stored', async (_name, over, path) => {
    const before = await counts();
    // JSON.stringify escapes NUL and lone surrogates, so they reach the server as the JSON escapes a sender would use.
    const res = await post(mqlLead(over));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d) => d.path)).toContain(path);
    expect(await counts()).toEqual(before);
  });
});
