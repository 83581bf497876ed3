import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/log.js';
import { startSandboxBaton } from '../../src/sandbox/start.js';
import type { Baton } from '../../src/baton.js';
import { examplePolicy } from '../helpers/app.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

/* The sandbox's HubSpot panel, through its HTTP API: a contact made an MQL in the built-in HubSpot gets a card, and its owner back. */
interface Contact {
  id: string;
  name: string;
  email: string;
  lifecyclestage: string;
  leadStatus: string;
  owner: string;
  notes: string[];
}
interface Panel {
  version: number;
  stages: string[];
  contacts: Contact[];
}

let db: TestDatabase;
let baton: Baton;

beforeAll(async () => {
  db = await freshDatabase();
  const config = loadConfig({ LOG_LEVEL: 'warn', PORT: '0' });
  baton = await startSandboxBaton({
    config,
    policy: examplePolicy(),
    logger: createLogger('warn'),
    database: db,
    outboxTuning: { pollMs: 50 },
  });
});
afterAll(async () => {
  await baton.stop();
  await db.dispose();
});

const url = (path: string): string => `http://127.0.0.1:${String(baton.port)}${path}`;
const post = (path: string, body: unknown = {}): Promise<Response> =>
  fetch(url(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const panel = async (): Promise<Panel> => (await (await fetch(url('/sandbox/hubspot'))).json()) as Panel;

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`not reached in ${String(timeoutMs)} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('sandbox HubSpot panel', () => {
  it('creates a contact at "lead"; moved to MQL, it gets one card and Baton writes its owner back', async () => {
    const before = await panel();
    expect(before.contacts).toEqual([]);
    const { id } = (await (await post('/sandbox/hubspot/contact')).json()) as { id: string };
    const created = (await panel()).contacts;
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ id, lifecyclestage: 'lead', owner: '' });
    const name = created[0]!.name;

    // The long poll answers as soon as the stage moves.
    const version = (await panel()).version;
    const polled = fetch(url(`/sandbox/hubspot?since=${String(version)}`)).then(async (r) => (await r.json()) as Panel);
    expect((await post('/sandbox/hubspot/stage', { contactId: id, stage: 'marketingqualifiedlead' })).status).toBe(200);
    expect((await polled).contacts[0]!.lifecyclestage).toBe('marketingqualifiedlead');

    const cardsFor = async (): Promise<number> => {
      const state = (await (await fetch(url('/sandbox/state'))).json()) as {
        messages: Record<string, { text: string; blocks: unknown[]; metadata?: { event_type?: string } }[]>;
      };
      return Object.values(state.messages)
        .flat()
        .filter((m) => m.metadata?.event_type === 'baton_card' && JSON.stringify(m.blocks).includes(name)).length;
    };
    await until(cardsFor, (n) => n >= 1);
    const after = await until(panel, (p) => p.contacts[0]!.owner !== '');
    expect(after.contacts[0]!.owner).toMatch(/\w+ \w+/);
    expect(await cardsFor()).toBe(1);
  }, 30_000);

  it('refuses a stage HubSpot does not have and a contact it does not know', async () => {
    expect((await post('/sandbox/hubspot/stage', { contactId: '1', stage: 'hot' })).status).toBe(400);
    expect((await post('/sandbox/hubspot/stage', { contactId: '999999', stage: 'lead' })).status).toBe(404);
  });
});
