import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTICE_WINDOW_MS } from '../../src/services/escalation.js';
import { setClock } from '../helpers/clocked-main.js';
import { hasServer, scratchServerDatabase } from '../helpers/db.js';
import { batonEnv, freePort, spawnBaton, waitForStatus, type BatonProcess } from '../helpers/process.js';
import { seedOpenHandoffs } from '../helpers/sla-seed.js';
import { dmChannelFor, startSlackStandIn, type SlackStandIn, type StoredMessage } from '../helpers/slack-standin.js';

/*
 * docs/sla.md: every step fires exactly once across replicas, and every message tells the facts of
 * its own step. Three real processes share one Postgres server while 2,000 handoffs fall due
 * together — most with a reminder, 20 with all their steps at once (reminder, manager, marketing,
 * reassignment, as after downtime); one replica is SIGKILLed mid-sweep and the other two finish
 * its work. The replicas run on one clock the test sets (test/helpers/clocked-main.ts), so the
 * managers' notices, which go out at the end of their window, need no real wait.
 */
describe.runIf(hasServer)('SLA sweep across three replicas (server)', () => {
  const TOTAL = 2_000;
  const ESCALATED = 20;
  const MANAGER = 'U0SMBMGR';
  const REPS = ['U0EVA', 'U0FILIP'];
  let slack: SlackStandIn;
  let sql: postgres.Sql;
  let scratch: { url: string; drop(): Promise<void> };
  let dir: string;
  let clockFile: string;

  beforeAll(async () => {
    slack = await startSlackStandIn();
    scratch = await scratchServerDatabase('baton_sla');
    sql = postgres(scratch.url, { max: 2, onnotice: () => undefined });
    dir = mkdtempSync(path.join(tmpdir(), 'baton-sla-replicas-'));
    clockFile = path.join(dir, 'clock');
  });
  afterAll(async () => {
    await sql.end();
    await scratch.drop();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (): Promise<BatonProcess> => {
    const port = await freePort();
    const p = spawnBaton(
      batonEnv(slack.url, port, {
        DATABASE_URL: scratch.url,
        OUTBOX_CHANNEL_RATE: '1000',
        BATON_TEST_CLOCK_FILE: clockFile,
      }),
      [],
      'clocked',
    );
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000);
    return p;
  };
  const until = async (what: string, done: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 120_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`${what}: not in time`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const keyOf = (m: StoredMessage): string => (m.metadata as { event_payload: { key: string } }).event_payload.key;

  it("2,000 handoffs due at once: each step performed once, none lost, a killed replica's share finished by the others; every notice and breach note names the rep who breached", async () => {
    // A notice window's start, ahead of the real time (deliveries queued with the database's clock are then due).
    const t0 = Math.ceil((Date.now() + 10 * 60_000) / NOTICE_WINDOW_MS) * NOTICE_WINDOW_MS;
    const seeded = new Date(t0 + 3_000);
    setClock(clockFile, new Date(t0));
    // Migrations first (one process), then the steps, then the replicas.
    const first = await start();
    await seedOpenHandoffs(sql, {
      total: TOTAL,
      due: TOTAL,
      dueFrom: new Date(t0 + 1_000),
      dueSpreadMs: 1_000,
      escalated: ESCALATED,
    });
    const replicas = [first, await start(), await start()];
    // From here the clock runs as real time does: a killed replica's claims lapse as they would.
    setClock(clockFile, seeded, { running: true });
    const runningSince = Date.now();
    const appNow = (): Date => new Date(seeded.getTime() + Date.now() - runningSince);
    try {
      // Kill the first replica once the sweep is under way.
      await until(
        'the sweep starts',
        async () =>
          (await sql<{ n: number }[]>`select count(*)::int as n from sla_steps where status = 'done'`)[0]!.n > 0,
      );
      first.child.kill('SIGKILL');
      await first.exited;
      await until(
        'every due step performed',
        async () =>
          (
            await sql<
              { n: number }[]
            >`select count(*)::int as n from sla_steps where status = 'pending' and due_at <= ${seeded}`
          )[0]!.n === 0,
      );
      await until(
        'every delivery due made',
        async () =>
          (
            await sql<
              { n: number }[]
            >`select count(*)::int as n from outbox where status = 'pending' and not_before <= ${appNow()}`
          )[0]!.n === 0,
      );
      // Nothing is in flight: the notices' window ends (the next one too, should the sweep have run into it).
      setClock(clockFile, new Date(t0 + 2 * NOTICE_WINDOW_MS + 1_000), { running: true });
      await until(
        'every delivery made',
        async () =>
          (await sql<{ n: number }[]>`select count(*)::int as n from outbox where status = 'pending'`)[0]!.n === 0,
      );
    } finally {
      for (const r of replicas.slice(1)) {
        r.child.kill('SIGTERM');
        await r.exited;
      }
    }

    // Each seeded step once: the reminders, and the escalated handoffs' other three.
    const [steps] = await sql<
      { done: number; other: number }[]
    >`select count(*) filter (where status = 'done')::int as done, count(*) filter (where status <> 'done')::int as other from sla_steps where due_at <= ${seeded}`;
    expect(steps).toEqual({ done: TOTAL + 3 * ESCALATED, other: 0 });
    const events = await sql<
      { type: string; n: number; handoffs: number }[]
    >`select type, count(*)::int as n, count(distinct handoff_id)::int as handoffs from events where type in ('sla_reminder', 'sla_escalated', 'sla_breached', 'reassigned', 'reassign_skipped') group by type order by type`;
    expect(events).toEqual([
      { type: 'reassigned', n: ESCALATED, handoffs: ESCALATED },
      { type: 'sla_breached', n: ESCALATED, handoffs: ESCALATED },
      { type: 'sla_escalated', n: ESCALATED, handoffs: ESCALATED },
      { type: 'sla_reminder', n: TOTAL, handoffs: TOTAL },
    ]);
    const [dead] = await sql<{ n: number }[]>`select count(*)::int as n from outbox where status = 'dead'`;
    expect(dead!.n).toBe(0);

    // What Slack saw. The reps: one reminder per handoff they still held, none for a lead that moved on, and one "reassigned to you" per lead they got.
    const escalated = await sql<
      { id: string; name: string; from: string; to: string; deadline: Date; remind: string; breach: string }[]
    >`
      select h.id, 'Seed ' || l.last_name as name, e.data->>'from' as from, e.data->>'to' as to,
        (select due_at from sla_steps s where s.handoff_id = h.id and s.action = 'notify_marketing') as deadline,
        (select 'sla_step:' || s.id from sla_steps s where s.handoff_id = h.id and s.action = 'remind_rep' and s.rep_user_id = e.data->>'from') as remind,
        (select 'sla_step:' || s.id from sla_steps s where s.handoff_id = h.id and s.action = 'notify_marketing') as breach
      from handoffs h join leads l on l.id = h.lead_id join events e on e.handoff_id = h.id and e.type = 'reassigned'`;
    expect(escalated).toHaveLength(ESCALATED);
    const toReps = REPS.flatMap((rep) => slack.messages(dmChannelFor(rep)));
    const keys = toReps.map(keyOf);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((k) => k.startsWith('sla_step:'))).toHaveLength(TOTAL - ESCALATED);
    for (const h of escalated) {
      expect(h.to).not.toBe(h.from);
      expect(keys).not.toContain(h.remind);
      const told = slack.messages(dmChannelFor(h.to)).filter((m) => keyOf(m) === `reassigned:${h.id}:${h.to}`);
      expect(told).toHaveLength(1);
      expect(told[0]!.text).toContain(`reassigned to you from <@${h.from}>`);
    }

    // The manager and marketing: each escalated lead once, naming the rep who breached with that rep's deadline, never the new holder as the one who missed.
    const noticeSections = slack
      .messages(dmChannelFor(MANAGER))
      .filter((m) => m.text.includes('missed the SLA'))
      .flatMap((m) =>
        (m.blocks as { type: string; text?: { text: string } }[]).flatMap((b) =>
          b.type === 'section' && b.text ? [b.text.text] : [],
        ),
      );
    const breachNotes = slack.messages('C0MARKETING').filter((m) => m.text.includes('SLA breached'));
    expect(breachNotes).toHaveLength(ESCALATED);
    for (const h of escalated) {
      const missed = `<@${h.from}> missed the 4 h SLA at <!date^${Math.floor(h.deadline.getTime() / 1000)}^`;
      const moved = `the lead moved from <@${h.from}> to <@${h.to}>`;
      const listed = noticeSections.filter((t) => t.startsWith(`*${h.name}*`));
      expect(listed, h.name).toHaveLength(1);
      const note = breachNotes.filter((m) => keyOf(m) === h.breach);
      expect(note, h.name).toHaveLength(1);
      for (const text of [listed[0]!, note[0]!.text]) {
        expect(text).toContain(missed);
        expect(text).toContain(moved);
        expect(text).not.toContain(`<@${h.to}> missed`);
      }
    }
  }, 300_000);
});
