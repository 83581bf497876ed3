import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, rowsOf, type DatabaseTarget } from '../../src/db/client.js';
import { findLeadForIntake } from '../../src/db/repo/leads.js';
import { ensureWorkspace } from '../../src/db/repo/workspaces.js';
import { childDatabase } from '../helpers/db.js';
import { startHubspotStandIn, type HubspotCall, type HubspotStandIn } from '../helpers/hubspot-standin.js';
import { REPO } from '../helpers/process.js';

/* npm run hubspot:backfill: HubSpot contacts and their lifecycle history, through the import, resumable. */
const TOKEN = 'pat-backfill-test';
let hubspot: HubspotStandIn;
let scratch: string;
let target: DatabaseTarget;
let database: Record<string, string>;
let dropDatabase: () => Promise<void> = () => Promise.resolve();
const day = (d: string): Date => new Date(`${d}T10:00:00Z`);
const ids: Record<string, string> = {};
const stateFile = (): string => path.join(scratch, 'hubspot-backfill.state.json');

interface CliRun {
  child: ChildProcess;
  result: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const state = args.length > 0 ? ['--state', stateFile()] : [];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO, 'src/cli/hubspot-backfill.ts'), ...args, ...state],
    {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        ...database,
        POLICY_FILE: path.join(REPO, 'policy.example.yml'),
        HUBSPOT_ACCESS_TOKEN: TOKEN,
        HUBSPOT_API_URL: hubspot.url,
        ...env,
      },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('exit', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
  return { child, result };
}

const runCli = (args: readonly string[], env: Record<string, string> = {}) => startCli(args, env).result;

describe('npm run hubspot:backfill', () => {
  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'baton-hubspot-backfill-'));
    const forChild = await childDatabase('baton_backfill', scratch);
    target = forChild.target;
    database = forChild.env;
    dropDatabase = () => forChild.drop();
    hubspot = await startHubspotStandIn({ token: TOKEN });
    const ana = hubspot.addOwner({ email: 'ana@example.com', firstName: 'Ana', lastName: 'Andersson' });
    const big = hubspot.addCompany({ name: 'Bigcorp', numberofemployees: '5000', country: 'Sweden' });
    // Before --since: not imported.
    hubspot.createContact({ email: 'old@x.io', lifecyclestage: 'lead' }, { at: day('2025-12-01') });
    ids.won = hubspot.createContact(
      { email: 'won@bigcorp.se', firstname: 'Wanda', lifecyclestage: 'lead', hubspot_owner_id: ana },
      { at: day('2026-01-05'), companyId: big },
    );
    hubspot.setProperties(ids.won, { lifecyclestage: 'marketingqualifiedlead' }, day('2026-01-10'));
    hubspot.setProperties(ids.won, { lifecyclestage: 'salesqualifiedlead' }, day('2026-01-20'));
    hubspot.setProperties(ids.won, { lifecyclestage: 'customer' }, day('2026-03-01'));
    ids.open = hubspot.createContact(
      { email: 'open@x.io', lifecyclestage: 'marketingqualifiedlead' },
      { at: day('2026-02-01') },
    );
    ids.back = hubspot.createContact(
      { email: 'back@x.io', lifecyclestage: 'marketingqualifiedlead' },
      { at: day('2026-02-02') },
    );
    hubspot.setProperties(ids.back, { lifecyclestage: '' }, day('2026-02-05'));
    hubspot.setProperties(ids.back, { lifecyclestage: 'lead' }, day('2026-02-05'));
    ids.plain = hubspot.createContact({ email: 'plain@x.io', lifecyclestage: 'subscriber' }, { at: day('2026-02-03') });
    // The database Baton made when it first started.
    const db = await openDatabase(target);
    await db.migrate();
    await ensureWorkspace(db.db, { workspaceId: 'T0TEST', workspaceName: 'Test', botUserId: 'U0BATON' });
    await db.close();
  }, 60_000);
  afterAll(async () => {
    await hubspot.close();
    await dropDatabase();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('refuses a missing --since or token with one line and exit 2', async () => {
    expect(await runCli([])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('usage: npm run hubspot:backfill -- --since 2026-01-01') as unknown,
    });
    expect(await runCli(['--since', '2026-01-01'], { HUBSPOT_ACCESS_TOKEN: '' })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('HUBSPOT_ACCESS_TOKEN: is required') as unknown,
    });
  }, 30_000);

  it('imports the contacts created since the date with their lifecycle history, and a second run skips them', async () => {
    const first = await runCli(['--since', '2026-01-01']);
    expect(first.stdout).toContain('4 HubSpot contacts');
    expect(first.stdout).toContain('imported 4, skipped 0');
    expect(first.code).toBe(0);
    expect(existsSync(stateFile())).toBe(false);
    const again = await runCli(['--since', '2026-01-01']);
    expect(again.stdout).toContain('imported 0, skipped 4');

    const db = await openDatabase(target);
    try {
      const lead = (key: string) => findLeadForIntake(db.db, 'T0TEST', { source: 'hubspot', externalId: ids[key]! });
      expect(await lead('won')).toMatchObject({
        stage: 'customer',
        imported: true,
        ownerHint: 'U0ANA',
        company: 'Bigcorp',
        employees: 5000,
        country: 'SE',
        createdAt: day('2026-01-05'),
      });
      expect(await lead('open')).toMatchObject({ stage: 'mql' });
      expect(await lead('back')).toMatchObject({ stage: 'nurture' });
      expect(await lead('plain')).toMatchObject({ stage: 'lead' });
      const rows = rowsOf<{ type: string; at: string }>(
        await db.db.execute(
          sql`select e.type, e.at::text as at from events e join leads l on l.id = e.lead_id where l.external_id = ${ids.won!} order by e.id`,
        ),
      );
      expect(rows.map((r) => [r.type, r.at.slice(0, 10)])).toEqual([
        ['created', '2026-01-05'],
        ['handoff_started', '2026-01-10'],
        ['assigned', '2026-01-10'],
        ['accepted', '2026-01-20'],
        ['qualified', '2026-01-20'],
        ['opportunity', '2026-03-01'],
        ['won', '2026-03-01'],
      ]);
    } finally {
      await db.close();
    }
  }, 60_000);

  it('SIGKILLed while a later page hangs, the same command again starts where the committed lines end: every contact once, with its history', async () => {
    const since = '2026-06-01';
    const total = 350;
    // The first three pages of 100 are committed before HubSpot stops answering.
    const committed = 300;
    const createdAt: string[] = [];
    const expected = new Map<string, string>();
    for (let i = 0; i < total; i++) {
      const at = new Date(day(since).getTime() + i * 60_000);
      const id = hubspot.createContact(
        {
          email: `r${i}@resume.io`,
          firstname: 'Rut',
          lastname: `L${i}`,
          lifecyclestage: i % 3 === 0 ? 'subscriber' : 'marketingqualifiedlead',
        },
        { at },
      );
      if (i % 3 === 2) hubspot.setProperties(id, { lifecyclestage: 'customer' }, new Date(at.getTime() + 30_000));
      createdAt.push(at.toISOString());
      expected.set(
        id,
        [
          'created',
          ...(i % 3 === 0 ? [] : ['handoff_started', 'assigned']),
          ...(i % 3 === 2 ? ['accepted', 'qualified', 'opportunity', 'won'] : []),
        ].join(','),
      );
    }
    const page = (c: HubspotCall, after: string): boolean =>
      c.endpoint === 'POST /crm/v3/objects/contacts/search' &&
      JSON.stringify(c.body).includes(`${since}T00:00:00.000Z`) &&
      (c.body as { after?: string }).after === after;
    const saved = (): string | undefined =>
      existsSync(stateFile())
        ? (JSON.parse(readFileSync(stateFile(), 'utf8')) as { createdFrom: string }).createdFrom
        : undefined;

    const first = startCli(['--since', since]);
    // Registered as the third page is answered, before the run can ask for the fourth.
    await hubspot.waitFor((c) => page(c, '200') && c.status === 200, { timeoutMs: 30_000 });
    hubspot.failNext('POST /crm/v3/objects/contacts/search', { hang: true });
    await hubspot.waitFor((c) => page(c, '300'), { timeoutMs: 30_000 });
    for (let i = 0; saved() !== createdAt[committed - 1]; i++) {
      if (i > 300) throw new Error(`the state never named line ${committed}: ${String(saved())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    first.child.kill('SIGKILL');
    expect((await first.result).code).toBe(null);

    const again = await runCli(['--since', since]);
    expect(again.stderr).toContain(`resuming: contacts created from ${createdAt[committed - 1]}`);
    // The last committed line is met again and skipped; nothing before it is read again.
    expect(again.stdout).toContain(`${total - committed + 1} HubSpot contacts`);
    expect(again.stdout).toContain(`imported ${total - committed}, skipped 1 (already there), failed 0`);
    expect(again.code).toBe(0);
    expect(existsSync(stateFile())).toBe(false);

    const db = await openDatabase(target);
    try {
      const rows = rowsOf<{ id: string; events: string }>(
        await db.db.execute(
          sql`select l.external_id as id, string_agg(e.type, ',' order by e.id) as events from leads l join events e on e.lead_id = l.id where l.source = 'hubspot' and l.email like '%@resume.io' group by l.id, l.external_id`,
        ),
      );
      expect(rows).toHaveLength(total);
      expect(new Map(rows.map((r) => [r.id, r.events]))).toEqual(expected);
    } finally {
      await db.close();
    }
  }, 90_000);
});
