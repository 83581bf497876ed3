import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, rowsOf } from '../../src/db/client.js';
import { NOTICE_WINDOW_MS } from '../../src/services/escalation.js';
import { INTAKE_TOKEN, minuteTierPolicyText } from '../helpers/app.js';
import { setClock } from '../helpers/clocked-main.js';
import { useClockedChild } from '../helpers/clocked-child.js';
import type { BatonProcess } from '../helpers/process.js';
import { dmChannelFor, startSlackStandIn, type RecordedCall, type SlackStandIn } from '../helpers/slack-standin.js';

/*
 * docs/sla.md, "Each message tells the facts of its own step": the real app as a child process, a
 * lead on a 1-minute tier (remind at 50 %, manager and marketing at 100 %, reassign at 150 %),
 * SIGKILL at 8 s, started again at 100 s. The first sweep after start-up performs all four steps at
 * once; what it sends must tell what happened, once per reader: no reminder to the rep who no
 * longer holds the lead, the manager's notice and marketing's breach note naming the rep who
 * breached with that rep's own deadline, one reassignment. The process runs on a clock the test
 * sets (test/helpers/clocked-main.ts), so 100 s of SLA clock take no 100 real seconds.
 */
// No scheduled digests: only the sweep may speak in this test.
const policyText = minuteTierPolicyText(
  [
    { at: '50%', action: 'remind_rep' },
    { at: '100%', action: 'notify_manager' },
    { at: '100%', action: 'notify_marketing' },
    { at: '150%', action: 'reassign' },
  ],
  { digests: false },
);

const MANAGER = 'U0SMBMGR';
const REPS = ['U0EVA', 'U0FILIP'];
const posts = (c: RecordedCall, channel: string): boolean =>
  c.method === 'chat.postMessage' && c.body.channel === channel;
const said = (c: RecordedCall): string => `${String(c.body.text)} ${JSON.stringify(c.body.blocks)}`;
const token = (at: number): string => `<!date^${Math.floor(at / 1000)}^`;

describe('SLA steps caught up after a SIGKILL', () => {
  let slack: SlackStandIn;
  beforeAll(async () => {
    slack = await startSlackStandIn();
  });
  afterAll(async () => {
    await slack.close();
  });
  const child = useClockedChild('baton_escal_crash', (dir) => {
    writeFileSync(path.join(dir, 'policy.yml'), policyText);
    return {
      slackUrl: slack.url,
      env: { LOG_LEVEL: 'info', OUTBOX_CHANNEL_RATE: '100', POLICY_FILE: path.join(dir, 'policy.yml') },
    };
  });
  const start = (): Promise<BatonProcess> => child.start();
  /** Until the outbox holds nothing more to send (from /metrics, as an operator would look). */
  const drained = async (): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      const metrics = await (await fetch(`http://127.0.0.1:${child.port}/metrics`)).text();
      if (/^baton_outbox_pending 0$/m.test(metrics)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the outbox did not drain');
  };
  const logLines = (p: BatonProcess): Record<string, unknown>[] =>
    p
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('SIGKILL at 8 s, start again at 100 s: no stale reminder, notices name the rep who breached with their deadline, one reassignment, one message per reader', async () => {
    // The lead is assigned at the start of a notice window, ahead of the real time (deliveries
    // queued with the database's clock are then due): the manager's notice goes out at its end.
    const t0 = Math.ceil((Date.now() + 10 * 60_000) / NOTICE_WINDOW_MS) * NOTICE_WINDOW_MS;
    setClock(child.clockFile, new Date(t0));
    const first = await start();
    const res = await fetch(`http://127.0.0.1:${child.port}/api/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        externalId: 'escal-crash-1',
        source: 'web',
        email: 'ada@acme.io',
        firstName: 'Ada',
        lastName: 'Lind',
        title: 'VP Sales',
        company: 'Acme',
        country: 'SE',
        employees: 40,
        channel: 'referral',
        activities: [{ type: 'demo_request', at: new Date(t0).toISOString() }],
      }),
    });
    expect(res.status).toBe(202);
    const { handoffId } = (await res.json()) as { handoffId: string };
    const [card] = await slack.waitFor((c) => posts(c, 'C0SMB'));
    const [note] = await slack.waitFor((c) => posts(c, 'C0MARKETING'));
    const cardTs = slack.messages('C0SMB')[0]!.ts;
    const noteTs = slack.messages('C0MARKETING')[0]!.ts;
    const was = /Assigned to <@(U0[A-Z]+)>/.exec(said(card!))?.[1];
    expect(REPS).toContain(was);
    const old = was!;
    const next = REPS.find((r) => r !== old)!;
    expect(said(note!)).toContain(`<@${old}>`);

    await drained();
    // Killed 8 s into a 1-minute SLA: nothing was due yet.
    setClock(child.clockFile, new Date(t0 + 8_000));
    first.child.kill('SIGKILL');
    await first.exited;
    expect(logLines(first).filter((l) => l.msg === 'SLA step performed')).toEqual([]);
    const before = slack.calls.length;
    const since = (): RecordedCall[] => slack.calls.slice(before);

    // Down until 100 s: the reminder (30 s), the manager and marketing (60 s) and the reassignment (90 s) are all due.
    setClock(child.clockFile, new Date(t0 + 100_000));
    const second = await start();
    try {
      const [breach] = await slack.waitFor((c) => posts(c, 'C0MARKETING') && c.body.thread_ts === noteTs, {
        timeoutMs: 20_000,
      });
      const [told] = await slack.waitFor((c) => posts(c, dmChannelFor(next)), { timeoutMs: 20_000 });
      await slack.waitFor(
        (c) =>
          c.method === 'chat.update' && c.body.ts === cardTs && JSON.stringify(c.body.blocks).includes(`<@${next}>`),
        { timeoutMs: 20_000 },
      );
      // The notice waits for the end of its window; nothing else is due before then (the new rep's reminder is at 130 s).
      expect(since().filter((c) => posts(c, dmChannelFor(MANAGER)))).toEqual([]);
      setClock(child.clockFile, new Date(t0 + NOTICE_WINDOW_MS + 1_000));
      const [notice] = await slack.waitFor((c) => posts(c, dmChannelFor(MANAGER)), { timeoutMs: 20_000 });
      await drained();

      const missed = `<@${old}> missed the 1 min SLA at ${token(t0 + 60_000)}`;
      const moved = `the lead moved from <@${old}> to <@${next}> at ${token(t0 + 100_000)}`;
      const decides = `<@${next}> (2nd rep) decides by ${token(t0 + 160_000)}`;
      // The manager: one message, naming the rep who breached with that rep's deadline, and where the lead went.
      expect(said(notice!)).toContain(missed);
      expect(said(notice!)).toContain(moved);
      expect(said(notice!)).toContain(decides);
      expect(said(notice!)).toContain(`https://slack.com/archives/C0SMB/p${cardTs.replace('.', '')}`);
      // Marketing: one line in the lead's thread, the same facts; no separate line for the move.
      expect(breach!.body.text).toContain(`SLA breached: ${missed}`);
      expect(breach!.body.text).toContain(moved);
      for (const c of [notice!, breach!]) expect(said(c)).not.toContain(`<@${next}> missed`);
      // The new rep: told once, with their own deadline.
      expect(said(told!)).toContain(`reassigned to you from <@${old}>`);
      expect(said(told!)).toContain(`Decide by ${token(t0 + 160_000)}`);
      // One message per reader, and nothing at all to the rep who no longer holds the lead: no reminder with Accept/Reject.
      const posted = since().filter((c) => c.method === 'chat.postMessage');
      expect(posted.map((c) => c.body.channel).sort()).toEqual(
        ['C0MARKETING', dmChannelFor(MANAGER), dmChannelFor(next)].sort(),
      );
      expect(since().some((c) => c.body.channel === dmChannelFor(old))).toBe(false);
      expect(posted.some((c) => said(c).includes('Reminder'))).toBe(false);
      // The card names the new holder and where the lead came from.
      const cardNow = slack.messages('C0SMB').find((m) => m.ts === cardTs)!;
      expect(JSON.stringify(cardNow.blocks)).toContain(`<@${next}>`);
      expect(JSON.stringify(cardNow.blocks)).toContain(`reassigned from <@${old}>`);

      // One sweep caught it all up, at info, with ids and how late.
      const logs = logLines(second);
      expect(
        logs
          .filter((l) => l.msg === 'SLA step performed' && l.handoffId === handoffId)
          .map((l) => [l.action, l.lateMs]),
      ).toEqual([
        ['remind_rep', 70_000],
        ['notify_manager', 40_000],
        ['notify_marketing', 40_000],
        ['reassign', 10_000],
      ]);
      expect(logs.filter((l) => String(l.msg).startsWith('caught up'))).toMatchObject([
        { steps: 4, handoffs: 1, maxLateMs: 70_000 },
      ]);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }

    // Each step once, and the lead moved once: what the database kept.
    const db = await openDatabase(child.target);
    try {
      const events = rowsOf<{ type: string; n: number }>(
        await db.db.execute(
          sql`select type, count(*)::int as n from events where handoff_id = ${handoffId} and type in ('sla_reminder', 'sla_escalated', 'sla_breached', 'reassigned', 'reassign_skipped') group by type order by type`,
        ),
      );
      expect(events).toEqual([
        { type: 'reassigned', n: 1 },
        { type: 'sla_breached', n: 1 },
        { type: 'sla_escalated', n: 1 },
        { type: 'sla_reminder', n: 1 },
      ]);
      const [moved] = rowsOf<{ from: string; to: string }>(
        await db.db.execute(
          sql`select data->>'from' as from, data->>'to' as to from events where handoff_id = ${handoffId} and type = 'reassigned'`,
        ),
      );
      expect(moved).toEqual({ from: old, to: next });
      const [row] = rowsOf<{ rep: string; due: string }>(
        await db.db.execute(sql`select rep_user_id as rep, due_at as due from handoffs where id = ${handoffId}`),
      );
      expect(row!.rep).toBe(next);
      expect(new Date(row!.due).getTime()).toBe(t0 + 160_000);
    } finally {
      await db.close();
    }
  }, 300_000);
});
