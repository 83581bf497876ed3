import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { importLeadSchema } from '../../src/http/schemas/import.js';
import { INTAKE_TOKEN, REPORTS_TOKEN, startTestBaton, type TestBaton } from '../helpers/app.js';
import { importLead } from '../helpers/import-reference.js';
import { importLines } from '../helpers/import-lines.js';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-standin.js';

// A few thousand leads over DST changes (March, October, November) and the calendars' holidays.
const LEADS = 2000;
const lines = [
  ...importLines(LEADS, { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2027-01-08T00:00:00Z'), seed: 42 }),
];
const ndjson = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
const NOW = new Date('2027-01-15T12:00:00Z');
const PERIODS = [
  '2026-03-01..2026-04-30',
  '2026-10-15..2027-01-10',
  '2026-03-01..2027-01-14',
  'last-quarter',
  'last-month',
];

let slack: SlackStandIn;
let bulk: TestBaton;
let reference: TestBaton;
beforeAll(async () => {
  slack = await startSlackStandIn();
  bulk = await startTestBaton({ slackApiUrl: slack.url, now: () => NOW });
  reference = await startTestBaton({ slackApiUrl: slack.url, now: () => NOW });
});
afterAll(async () => {
  await bulk.close();
  await reference.close();
  await slack.close();
});

const postImport = async (baton: TestBaton, body: string) => {
  const res = await fetch(`${baton.url}/api/leads/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/x-ndjson' },
    body,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { imported: number; skipped: number; failed: unknown[] };
};

async function reportsOf(baton: TestBaton, periods: readonly string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const period of periods) {
    for (const [report, bys] of [
      ['funnel', ['', 'rep', 'team', 'channel']],
      ['velocity', ['', 'rep', 'team']],
    ] as const) {
      for (const by of bys) {
        const res = await fetch(`${baton.url}/api/reports/${report}?period=${period}${by ? `&by=${by}` : ''}`, {
          headers: { authorization: `Bearer ${REPORTS_TOKEN}` },
        });
        expect(res.status).toBe(200);
        out[`${report} ${period} ${by}`] = await res.json();
      }
    }
  }
  return out;
}

const count = async (baton: TestBaton, table: 'leads' | 'events' | 'handoffs' | 'activities') =>
  rowsOf<{ n: number }>(await baton.database.db.execute(sql.raw(`select count(*)::int as n from ${table}`)))[0]!.n;

describe('bulk import (issue 17)', () => {
  it('leaves every report figure equal to the old one-lead-at-a-time import of the same file', async () => {
    expect(await postImport(bulk, ndjson)).toEqual({ imported: LEADS, skipped: 0, failed: [] });
    for (const line of lines)
      expect(await importLead(reference.context, importLeadSchema.parse(line))).toBe('imported');
    for (const table of ['leads', 'events', 'handoffs'] as const)
      expect(await count(bulk, table)).toBe(await count(reference, table));
    expect(await count(bulk, 'handoffs')).toBeGreaterThan(LEADS / 4);
    const figures = await reportsOf(bulk, PERIODS);
    expect(figures).toEqual(await reportsOf(reference, PERIODS));
    // The comparison compares something: the periods hold handoffs and decisions.
    expect(JSON.stringify(figures)).toMatch(/"accepted":[1-9]/);
  }, 300_000);

  it('a second import of the same file imports nothing and writes nothing', async () => {
    const before = {
      leads: await count(bulk, 'leads'),
      events: await count(bulk, 'events'),
      handoffs: await count(bulk, 'handoffs'),
    };
    expect(await postImport(bulk, ndjson)).toEqual({ imported: 0, skipped: LEADS, failed: [] });
    expect({
      leads: await count(bulk, 'leads'),
      events: await count(bulk, 'events'),
      handoffs: await count(bulk, 'handoffs'),
    }).toEqual(before);
  }, 120_000);

  it('export → import into an empty database gives identical funnel and velocity reports', async () => {
    const res = await fetch(`${bulk.url}/api/leads/export`, { headers: { authorization: `Bearer ${REPORTS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const exported = await res.text();
    expect(exported.trim().split('\n')).toHaveLength(LEADS);
    expect((await fetch(`${bulk.url}/api/leads/export`)).status).toBe(401);
    const copy = await startTestBaton({ slackApiUrl: slack.url, now: () => NOW });
    try {
      expect(await postImport(copy, exported)).toEqual({ imported: LEADS, skipped: 0, failed: [] });
      for (const table of ['leads', 'events', 'handoffs'] as const)
        expect(await count(copy, table)).toBe(await count(bulk, table));
      expect(await reportsOf(copy, PERIODS)).toEqual(await reportsOf(bulk, PERIODS));
    } finally {
      await copy.close();
    }
  }, 300_000);

  it('a file partly imported already (a resumed import): the leads not there are imported, in the same chunk as those skipped', async () => {
    const fresh = lines.slice(0, 300).map((l, i) => ({ ...l, externalId: `resumed-${i}` }));
    // Stored leads and new ones alternate, so every chunk holds both.
    const mixed = lines.slice(0, 300).flatMap((l, i) => [l, fresh[i]!]);
    const before = await count(bulk, 'events');
    expect(await postImport(bulk, mixed.map((l) => JSON.stringify(l)).join('\n'))).toEqual({
      imported: 300,
      skipped: 300,
      failed: [],
    });
    const again = await count(bulk, 'events');
    expect(again).toBeGreaterThan(before + 300);
    expect(await postImport(bulk, mixed.map((l) => JSON.stringify(l)).join('\n'))).toEqual({
      imported: 0,
      skipped: 600,
      failed: [],
    });
    expect(await count(bulk, 'events')).toBe(again);
  }, 120_000);

  it('a lead sent twice in one chunk is imported once', async () => {
    const twice = { ...lines[0]!, externalId: 'twice-1' };
    expect(await postImport(bulk, `${JSON.stringify(twice)}\n${JSON.stringify(twice)}\n`)).toEqual({
      imported: 1,
      skipped: 1,
      failed: [],
    });
  });
});
