import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { IMPORT_CHUNK } from '../../src/http/import-stream.js';
import { INTAKE_TOKEN, useBatonWithSlack } from '../helpers/app.js';

const env = useBatonWithSlack();

const post = (body: string, type = 'application/x-ndjson', token = INTAKE_TOKEN) =>
  fetch(`${env.baton.url}/api/leads/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body,
  });

const base = (id: string) => ({
  externalId: id,
  source: 'crm',
  email: `${id}@acme.io`,
  firstName: 'Imp',
  lastName: id,
  title: 'VP Sales',
  createdAt: '2026-09-01T08:00:00Z',
});
const won = {
  ...base('won-1'),
  history: [
    { stage: 'mql', at: '2026-09-01T09:00:00Z', team: 'smb', owner: 'U0EVA' },
    { stage: 'sal', at: '2026-09-01T11:30:00Z', by: 'U0EVA' },
    { stage: 'sql', at: '2026-09-03T10:00:00Z', by: 'U0EVA' },
    { stage: 'opportunity', at: '2026-09-10T10:00:00Z' },
    { stage: 'customer', at: '2026-10-01T10:00:00Z' },
  ],
};
const rejected = {
  ...base('rej-1'),
  history: [
    { stage: 'mql', at: '2026-09-02T09:00:00Z', team: 'enterprise', owner: 'U0ANA' },
    { stage: 'rejected', at: '2026-09-02T10:00:00Z', by: 'U0ANA', reason: 'bad-data' },
  ],
};
const recycled = {
  ...base('rec-1'),
  history: [
    { stage: 'mql', at: '2026-09-02T09:00:00Z', team: 'smb', owner: 'U0FILIP' },
    { stage: 'rejected', at: '2026-09-02T10:00:00Z', by: 'U0FILIP', reason: 'bad-timing' },
    { stage: 'mql', at: '2026-10-02T09:00:00Z', team: 'smb', owner: 'U0EVA' },
  ],
};
const illegal = {
  ...base('bad-1'),
  history: [
    { stage: 'mql', at: '2026-09-02T09:00:00Z', team: 'smb', owner: 'U0EVA' },
    { stage: 'sql', at: '2026-09-03T09:00:00Z' },
  ],
};
const unordered = {
  ...base('bad-2'),
  history: [{ stage: 'mql', at: '2026-08-01T09:00:00Z', team: 'smb', owner: 'U0EVA' }],
};

const ndjson = (...leads: unknown[]) => leads.map((l) => JSON.stringify(l)).join('\n') + '\n';
const leadCount = async (externalId: string) =>
  rowsOf<{ n: number }>(
    await env.baton.database.db.execute(sql`select count(*)::int as n from leads where external_id = ${externalId}`),
  )[0]!.n;

describe('POST /api/leads/import', () => {
  it('imports histories as the same events and handoffs live data makes, reports bad lines by index, posts nothing', async () => {
    const res = await post(ndjson(won, rejected, illegal, recycled, 'not json', unordered));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      imported: number;
      skipped: number;
      failed: { index: number; problems: { path: string; message: string }[] }[];
    };
    expect(body).toMatchObject({ imported: 3, skipped: 0 });
    expect(body.failed.map((f) => f.index)).toEqual([2, 4, 5]);
    expect(body.failed[0]!.problems[0]!.message).toMatch(/cannot move to "sql"/);
    expect(body.failed[2]!.problems[0]).toMatchObject({ path: 'history.0.at' });
    expect(await leadCount('bad-1')).toBe(0);
    expect(await leadCount('bad-2')).toBe(0);

    const events = rowsOf<{ type: string; from: string | null; to: string | null }>(
      await env.baton.database.db.execute(
        sql`select e.type, e.from_stage as from, e.to_stage as to from events e join leads l on l.id = e.lead_id where l.external_id = 'won-1' order by e.at, e.id`,
      ),
    );
    expect(events.map((e) => `${e.type}:${e.from ?? ''}>${e.to ?? ''}`)).toEqual([
      'created:>lead',
      'handoff_started:lead>mql',
      'assigned:>',
      'accepted:mql>sal',
      'qualified:sal>sql',
      'opportunity:sql>opportunity',
      'won:opportunity>customer',
    ]);

    const handoffs = rowsOf<{
      ext: string;
      seq: number;
      status: string;
      rep: string;
      outcome: string | null;
      tier: string;
      due: Date;
    }>(
      await env.baton.database.db.execute(
        sql`select l.external_id as ext, h.seq, h.status, h.rep_user_id as rep, h.outcome, h.sla_tier_id as tier, h.due_at as due from handoffs h join leads l on l.id = h.lead_id order by l.external_id, h.seq`,
      ),
    );
    expect(handoffs.map((h) => [h.ext, h.seq, h.status, h.rep, h.outcome])).toEqual([
      ['rec-1', 1, 'rejected', 'U0FILIP', 'nurture'],
      ['rec-1', 2, 'pending', 'U0EVA', null],
      ['rej-1', 1, 'rejected', 'U0ANA', 'disqualify'],
      ['won-1', 1, 'accepted', 'U0EVA', null],
    ]);
    expect(handoffs.every((h) => h.tier === 'standard')).toBe(true);
    const stages = rowsOf<{ ext: string; stage: string; imported: boolean }>(
      await env.baton.database.db.execute(
        sql`select external_id as ext, stage, imported from leads order by external_id`,
      ),
    );
    expect(stages).toEqual([
      { ext: 'rec-1', stage: 'mql', imported: true },
      { ext: 'rej-1', stage: 'disqualified', imported: true },
      { ext: 'won-1', stage: 'customer', imported: true },
    ]);
    await env.baton.outbox.idle();
    expect(env.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('re-importing the same file changes nothing', async () => {
    const before = rowsOf<{ n: number }>(
      await env.baton.database.db.execute(sql`select count(*)::int as n from events`),
    )[0]!.n;
    const body = (await (await post(ndjson(won, rejected, recycled))).json()) as { imported: number; skipped: number };
    expect(body).toMatchObject({ imported: 0, skipped: 3 });
    expect(
      rowsOf<{ n: number }>(await env.baton.database.db.execute(sql`select count(*)::int as n from events`))[0]!.n,
    ).toBe(before);
  });

  it('takes a JSON array too, and thousands of leads in one streamed request', async () => {
    const arr = await post(JSON.stringify([{ ...base('arr-1'), history: [] }]), 'application/json');
    expect(await arr.json()).toMatchObject({ imported: 1, failed: [] });
    const many = Array.from({ length: 1500 }, (_, i) => ({
      ...base(`bulk-${i}`),
      history: i % 2 ? [{ stage: 'mql', at: '2026-09-05T09:00:00Z', team: 'smb', owner: 'U0EVA' }] : [],
    }));
    const res = await post(ndjson(...many));
    expect(await res.json()).toMatchObject({ imported: 1500, skipped: 0, failed: [] });
  }, 120_000);

  it('a line with text Postgres cannot store fails alone, by index and externalId; every other line is imported (issue 12)', async () => {
    const mql = (owner: string) => ({ stage: 'mql', at: '2026-09-02T09:00:00Z', team: 'smb', owner });
    const lines = [
      { ...base('nul-ext'), externalId: 'nul-ext\u0000', history: [] },
      { ...base('nul-by'), history: [mql('U0EVA'), { stage: 'sal', at: '2026-09-02T10:00:00Z', by: 'U0\u0000EVA' }] },
      { ...base('ok-a'), history: [mql('U0EVA')] },
      { ...base('nul-owner'), history: [mql('U0EVA\u0000')] },
      {
        ...base('nul-note'),
        history: [
          mql('U0ANA'),
          { stage: 'rejected', at: '2026-09-02T10:00:00Z', by: 'U0ANA', reason: 'bad-data', note: 'x\u0000y' },
        ],
      },
      { ...base('surrogate'), company: 'Acme \ud83d' },
      { ...base('year'), createdAt: '1969-06-01T00:00:00Z' },
      { ...base('blank'), externalId: '   ', history: [] },
      { ...base('ok-b'), history: [] },
    ];
    const res = await post(ndjson(...lines));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      imported: number;
      failed: { index: number; externalId?: string; problems: { path: string }[] }[];
    };
    expect(body.imported).toBe(2);
    expect(body.failed.map((f) => [f.index, f.externalId, f.problems.map((p) => p.path)])).toEqual([
      [0, 'nul-ext\u0000', ['externalId']],
      [1, 'nul-by', ['history.1.by']],
      [3, 'nul-owner', ['history.0.owner']],
      [4, 'nul-note', ['history.1.note']],
      [5, 'surrogate', ['company']],
      [6, 'year', ['createdAt']],
      [7, undefined, ['externalId']],
    ]);
    expect(await leadCount('ok-a')).toBe(1);
    expect(await leadCount('ok-b')).toBe(1);
    expect(await leadCount('nul-by')).toBe(0);
  });

  it('with Accept: application/x-ndjson, reports progress after every chunk of a long import, the summary last (issue 17)', async () => {
    const total = IMPORT_CHUNK * 2.5;
    const many = Array.from({ length: total }, (_, i) => ({ ...base(`progress-${i}`), history: [] }));
    const res = await fetch(`${env.baton.url}/api/leads/import`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${INTAKE_TOKEN}`,
        'content-type': 'application/x-ndjson',
        accept: 'application/x-ndjson',
      },
      body: `${ndjson(...many)}not json\n`,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const progress = lines.slice(0, -1).map((l) => l.progress as { done: number; imported: number });
    expect(progress.map((p) => p.imported).sort((a, b) => a - b)).toEqual([IMPORT_CHUNK, IMPORT_CHUNK * 2, total]);
    expect(lines.at(-1)).toEqual({
      imported: total,
      skipped: 0,
      failed: [{ index: total, problems: [{ path: '(line)', message: 'is not valid JSON' }] }],
    });
  }, 120_000);

  it.each<[string, () => Promise<Response>, number]>([
    ['no token', () => post(ndjson(won), 'application/x-ndjson', 'wrong-token-wrong-token'), 401],
    ['not JSON', () => post('a,b,c', 'text/csv'), 415],
    ['a JSON body that is not an array', () => post(JSON.stringify(won), 'application/json'), 400],
  ])('refuses %s', async (_name, send, status) => {
    expect((await send()).status).toBe(status);
  });
});
