import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, rowsOf } from '../../src/db/client.js';
import { findLeadForIntake } from '../../src/db/repo/leads.js';
import { ensureWorkspace } from '../../src/db/repo/workspaces.js';
import { startHubspotStandIn, type HubspotStandIn } from '../helpers/hubspot-standin.js';
import { REPO } from '../helpers/process.js';

/* npm run hubspot:backfill: HubSpot contacts and their lifecycle dates, through the import, resumable. */
const TOKEN = 'pat-backfill-test';
let hubspot: HubspotStandIn;
let scratch: string;
const day = (d: string): Date => new Date(`${d}T10:00:00Z`);
const ids: Record<string, string> = {};

function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const state = args.length > 0 ? ['--state', path.join(scratch, 'hubspot-backfill.state.json')] : [];
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO, 'src/cli/hubspot-backfill.ts'), ...args, ...state],
      {
        cwd: REPO,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          DATA_DIR: path.join(scratch, 'db'),
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
    child.on('exit', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run hubspot:backfill', () => {
  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'baton-hubspot-backfill-'));
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
    const db = await openDatabase({ kind: 'pglite', dataDir: path.join(scratch, 'db') });
    await db.migrate();
    await ensureWorkspace(db.db, { workspaceId: 'T0TEST', workspaceName: 'Test', botUserId: 'U0BATON' });
    await db.close();
  }, 60_000);
  afterAll(async () => {
    await hubspot.close();
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
    expect(existsSync(path.join(scratch, 'hubspot-backfill.state.json'))).toBe(false);
    const again = await runCli(['--since', '2026-01-01']);
    expect(again.stdout).toContain('imported 0, skipped 4');

    const db = await openDatabase({ kind: 'pglite', dataDir: path.join(scratch, 'db') });
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
});
