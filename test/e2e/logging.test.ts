import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { INTAKE_TOKEN, useBatonWithSlack } from '../helpers/app.js';

/* docs/delivery.md: secrets and personal data never appear in logs, even when things fail. */
describe('logs at info level', () => {
  const env = useBatonWithSlack({
    baton: { config: { logLevel: 'info' }, outboxTuning: { channelRate: 100, pollMs: 50, maxBackoffMs: 200 } },
  });

  it('carry no email, phone or token, through a delivery that fails and is retried', async () => {
    env.slack.failNext('chat.postMessage', { status: 500 }, 2);
    env.slack.failNext('chat.postMessage', { ok: false, error: 'not_in_channel' });
    const res = await fetch(`${env.baton.url}/api/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        externalId: 'pii-1',
        source: 'web',
        email: 'secret.person@private.example',
        phone: '+46 70 555 12 34',
        firstName: 'Sec',
        lastName: 'Ret',
        title: 'VP Sales',
        activities: [{ type: 'demo_request', at: new Date().toISOString() }],
      }),
    });
    expect(res.status).toBe(202);
    await env.slack.waitFor('chat.postMessage', { count: 5, timeoutMs: 10_000 });
    await env.baton.outbox.idle();
    const all = env.baton.logs.join('\n');
    expect(env.baton.logs.length).toBeGreaterThan(0);
    expect(all).toMatch(/slack delivery failed; will retry/);
    for (const secret of [
      'secret.person@private.example',
      '555 12 34',
      INTAKE_TOKEN,
      'xoxb-test',
      '8f742231b10e8888abcd99yyyzzz85a5',
    ])
      expect(all).not.toContain(secret);
  });
});

/*
 * Issue 12, item 3: a lead Postgres refuses fails its whole group-committed batch, and the
 * driver's error carried the statement's parameters (every lead of the batch) and Postgres'
 * "Failing row contains (…)". Nothing of any lead may reach any line, at trace level, while Slack's
 * libraries log their requests too.
 */
describe('logs at trace level', () => {
  const env = useBatonWithSlack({
    baton: { config: { logLevel: 'trace' }, outboxTuning: { channelRate: 100, pollMs: 50, maxBackoffMs: 200 } },
  });

  it('carry no email, phone, name or token of any lead when a batch is refused by the database', async () => {
    // A rule of this test's database alone: Postgres refuses these leads, and says which row it refused.
    await env.baton.db.db.execute(
      sql`alter table leads add constraint test_refuses_poison check (external_id not like 'poison-%')`,
    );
    const secrets: string[] = [];
    const statuses: number[] = [];
    const lead = (round: number, i: number, poisoned: boolean): string => {
      const email = `person.${round}.${i}@private-mail.example`;
      const phone = `+46 70 ${String(100 + round)} ${String(10 + i)} 99`;
      const lastName = `Hemligsson${round}x${i}`;
      secrets.push(email, phone, lastName);
      return JSON.stringify({
        externalId: `${poisoned ? 'poison' : 'fine'}-${round}-${i}`,
        source: 'web',
        email,
        phone,
        firstName: 'Private',
        lastName,
        title: 'VP Sales',
        mql: true,
      });
    };
    // Leads that arrive while a transaction is in flight are written together: the test holds the
    // leads table so that a round's leads queue up behind it, then lets them go.
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (let round = 0; round < 5 && !env.baton.logs.some((l) => l.includes('intake batch failed')); round++) {
      let release = (): void => undefined;
      const released = new Promise<void>((r) => {
        release = r;
      });
      let locked = (): void => undefined;
      const isLocked = new Promise<void>((r) => {
        locked = r;
      });
      const holder = env.baton.db.db.transaction(async (tx) => {
        await tx.execute(sql`lock table leads in share row exclusive mode`);
        locked();
        await released;
      });
      await isLocked;
      const answers = Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          fetch(`${env.baton.url}/api/leads`, {
            method: 'POST',
            headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
            body: lead(round, i, i % 4 === 3),
          }),
        ),
      );
      await sleep(1000);
      release();
      await holder;
      statuses.push(...(await answers).map((r) => r.status));
    }
    await env.baton.outbox.idle();
    const all = env.baton.logs.join('\n');
    expect(all).toMatch(/intake batch failed/);
    expect(all).toMatch(/request failed/);
    expect(statuses.filter((s) => s === 500).length).toBe(statuses.length / 4);
    expect(statuses.filter((s) => s === 202).length).toBe((statuses.length * 3) / 4);
    // Slack's libraries logged their requests (cards for the leads that went through).
    expect(env.slack.callsTo('chat.postMessage').length).toBeGreaterThan(0);
    expect(all).toMatch(/"component":"slack"/);
    for (const secret of [...secrets, INTAKE_TOKEN, 'xoxb-test', '8f742231b10e8888abcd99yyyzzz85a5'])
      expect(all).not.toContain(secret);
    // Still useful: which rule refused the lead, and Postgres' code for it.
    expect(all).toContain('test_refuses_poison');
    expect(all).toContain('23514');
  }, 120_000);
});
