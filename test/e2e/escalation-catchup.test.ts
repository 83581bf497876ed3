import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { sweepSla } from '../../src/services/escalation.js';
import { encodeAction } from '../../src/slack/ids.js';
import { examplePolicy, useBatonWithSlack } from '../helpers/app.js';
import { clickInDm, postedHandoff, type PostedHandoff } from '../helpers/flows.js';
import { dmChannelFor, type RecordedCall, type StoredMessage } from '../helpers/slack-standin.js';

/*
 * What SLA messages say when they are late (downtime, a Slack outage) and how many a manager
 * gets. The demo tier: 4 business hours from 09:00 (lunch 12–13), so the rep's deadline is 14:00;
 * remind at 50 % (11:00), manager and marketing at 100 % (14:00), reassign at 150 % (16:00).
 * Each test runs on its own weekday of one week (ahead of the real date so deliveries queued
 * with the database's time are due, close enough that the leads' fresh activities still score)
 * and decides its leads before it ends.
 */
const base = DateTime.now()
  .setZone('Europe/Stockholm')
  .plus({ days: 2 })
  .startOf('week')
  .plus({ weeks: 1, days: 1, hours: 9 });
let day = base;
let clock = base;
const policy = examplePolicy();
const smb = policy.teams.find((t) => t.id === 'smb')!;
const env = useBatonWithSlack({
  baton: {
    policy,
    config: { logLevel: 'info' },
    now: () => clock.toJSDate(),
    outboxTuning: { channelRate: 500, channelBurst: 50, pollMs: 50, maxBackoffMs: 300 },
  },
});

const set = (hhmmss: string): void => {
  const [h, m, s] = hhmmss.split(':').map(Number);
  clock = day.set({ hour: h!, minute: m!, second: s ?? 0 });
};
async function at(hhmmss: string): Promise<void> {
  set(hhmmss);
  await sweepSla(env.baton.context);
  await env.baton.outbox.idle();
}
/** A lead handed to SMB at 09:00, `days` after the base Tuesday. */
async function leadAt9(days: number): Promise<PostedHandoff> {
  day = base.plus({ days });
  set('09:00');
  return postedHandoff(env);
}
const unix = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return day.set({ hour: h!, minute: m! }).toUnixInteger();
};

const holder = async (handoffId: string): Promise<string> =>
  rowsOf<{ rep: string }>(
    await env.baton.database.db.execute(sql`select rep_user_id as rep from handoffs where id = ${handoffId}`),
  )[0]!.rep;
const eventCounts = async (handoffId: string): Promise<Record<string, number>> =>
  Object.fromEntries(
    rowsOf<{ type: string; n: number }>(
      await env.baton.database.db.execute(
        sql`select type, count(*)::int as n from events where handoff_id = ${handoffId} and type like 'sla_%' or handoff_id = ${handoffId} and type like 'reassign%' group by type`,
      ),
    ).map((r) => [r.type, r.n]),
  );
/** Messages Slack holds (a failed attempt is no message), per channel, since a mark; edits show in place. */
const CHANNELS = [dmChannelFor(smb.manager), ...smb.reps.map((r) => dmChannelFor(r.user)), 'C0MARKETING'];
type Since = (channel: string) => StoredMessage[];
function mark(): Since {
  const counts = new Map(CHANNELS.map((c) => [c, env.slack.messages(c).length]));
  return (channel) => env.slack.messages(channel).slice(counts.get(channel) ?? 0);
}
const text = (m: StoredMessage | RecordedCall): string =>
  'method' in m ? `${String(m.body.text)} ${JSON.stringify(m.body.blocks)}` : `${m.text} ${JSON.stringify(m.blocks)}`;
/** Bolt acknowledges a click first and acts after: wait for the handoff to change. */
async function until(
  handoffId: string,
  changed: (row: { status: string; acked: string | null; rep: string }) => boolean,
): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [row] = rowsOf<{ status: string; acked: string | null; rep: string }>(
      await env.baton.database.db.execute(
        sql`select status, escalation_acked_by as acked, rep_user_id as rep from handoffs where id = ${handoffId}`,
      ),
    );
    if (row && changed(row)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`handoff ${handoffId} did not change`);
}
async function accept(handoffId: string): Promise<void> {
  await clickInDm(env, 'accept', handoffId, await holder(handoffId));
  await until(handoffId, (r) => r.status === 'accepted');
  await env.baton.outbox.idle();
}

/** Every message after a late sweep names the rep who breached with their own deadline; nobody is reminded of a lead they no longer hold. */
async function expectToldAsItHappened(h: PostedHandoff, since: Since): Promise<string> {
  const next = await holder(h.handoffId);
  expect(next).not.toBe(h.rep);
  const missed = `<@${h.rep}> missed the 4 h SLA at <!date^${unix('14:00')}^`;
  // A notice links each lead's card.
  const notices = since(dmChannelFor(smb.manager)).filter((m) => text(m).includes(h.cardTs.replace('.', '')));
  expect(notices).toHaveLength(1);
  expect(text(notices[0]!)).toContain(missed);
  const thread = since('C0MARKETING').filter((m) => m.thread_ts === h.noteTs);
  const breach = thread.filter((m) => m.text.includes('SLA breached'));
  expect(breach).toHaveLength(1);
  expect(breach[0]!.text).toContain(missed);
  // Nobody says the new rep missed anything, and the old rep gets nothing about a lead that left them.
  for (const m of [...notices, ...thread]) expect(text(m)).not.toContain(`<@${next}> missed`);
  expect(since(dmChannelFor(h.rep))).toHaveLength(0);
  const told = since(dmChannelFor(next)).filter((m) => m.text.includes('reassigned to you'));
  expect(told).toHaveLength(1);
  expect(told[0]!.text).toContain(`from <@${h.rep}>`);
  return next;
}

describe('late SLA messages tell what happened', () => {
  it('downtime across the 50, 100 and 150 % marks: one sweep on start-up; the story once per reader, no stale reminder, each step once', async () => {
    const h = await leadAt9(0);
    const since = mark();
    // Down from 09:00 to 16:30: the start-up sweep performs all three marks at once.
    await at('16:30');
    await at('16:32');
    const next = await expectToldAsItHappened(h, since);
    const notice = since(dmChannelFor(smb.manager))[0]!;
    // The move is in the same line as the miss: where the lead went, who decides, by when.
    expect(text(notice)).toContain(`the lead moved from <@${h.rep}> to <@${next}> at <!date^${unix('16:30')}^`);
    expect(text(notice)).toContain(`<@${next}> (2nd rep) decides by <!date^`);
    // The breach note carries the move too: no second thread line for it.
    expect(since('C0MARKETING').filter((m) => m.thread_ts === h.noteTs)).toHaveLength(1);
    expect(await eventCounts(h.handoffId)).toEqual({
      sla_reminder: 1,
      sla_escalated: 1,
      sla_breached: 1,
      reassigned: 1,
    });
    // An operator can follow it at info level: each step, the move, the catch-up (how many, how late); ids, no personal data.
    const logs = env.baton.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.handoffId === h.handoffId || String(l.msg).startsWith('caught up'));
    expect(logs.filter((l) => l.msg === 'SLA step performed').map((l) => l.action)).toEqual([
      'remind_rep',
      'notify_manager',
      'notify_marketing',
      'reassign',
    ]);
    expect(logs.filter((l) => l.msg === 'lead reassigned')).toHaveLength(1);
    const caughtUp = logs.find((l) => String(l.msg).startsWith('caught up'))!;
    expect(caughtUp).toMatchObject({ steps: 4, handoffs: 1, level: 30 });
    // The reminder was due at 11:00 and performed at 16:30.
    expect(caughtUp.maxLateMs).toBe(5.5 * 3_600_000);
    for (const l of logs) expect(JSON.stringify(l)).not.toMatch(/@acme\.io|Flo|U0[A-Z]+/);
    await accept(h.handoffId);
  });

  it('a Slack outage spanning the 100 and 150 % marks: once Slack is back, messages name the rep who breached, and the notice shows where the lead is now', async () => {
    const h = await leadAt9(1);
    await at('11:00');
    await at('11:01');
    const since = mark();
    env.slack.failNext('chat.postMessage', { status: 503 }, 10_000);
    try {
      await at('14:00');
      await at('14:02');
      await at('16:00');
    } finally {
      env.slack.stopFailing();
    }
    await at('16:01');
    await at('16:02');
    const next = await expectToldAsItHappened(h, since);
    // Sent after the move: the lead is no longer the old rep's, and the notice says so instead of offering buttons.
    const notice = since(dmChannelFor(smb.manager)).find((m) => text(m).includes(h.cardTs.replace('.', '')))!;
    expect(text(notice)).toContain(`Now with <@${next}>`);
    expect(text(notice)).not.toContain(encodeAction({ kind: 'ack_escalation', handoffId: h.handoffId }));
    expect(await eventCounts(h.handoffId)).toEqual({
      sla_reminder: 1,
      sla_escalated: 1,
      sla_breached: 1,
      reassigned: 1,
    });
    await accept(h.handoffId);
  });

  it('nobody left: the manager is told once, the card shows it waits for the manager', async () => {
    const h = await leadAt9(3);
    await at('16:00');
    await at('16:02');
    const next = await holder(h.handoffId);
    const since = mark();
    // The second rep's clock started Friday 16:00: its 100 and 150 % marks fall on Monday.
    day = day.plus({ days: 3 });
    await at('17:00');
    await at('17:02');
    expect(await holder(h.handoffId)).toBe(next);
    const stuck = since(dmChannelFor(smb.manager)).filter((m) =>
      text(m).includes('nobody else in the team can take it'),
    );
    expect(stuck).toHaveLength(1);
    expect(text(stuck[0]!)).toContain(encodeAction({ kind: 'accept', handoffId: h.handoffId }));
    const card = env.slack.messages('C0SMB').find((m) => m.ts === h.cardTs)!;
    expect(text(card)).toContain('waiting for the manager');
    await accept(h.handoffId);
  });
  it("messages wait for their reader's business hours, and still name the rep who breached with that rep's deadline", async () => {
    day = base;
    set('13:00');
    const h = await postedHandoff(env);
    const since = mark();
    // The deadline is 17:00, closing time: the manager and marketing hear of it when they open, at 08:00.
    await at('15:00');
    await at('17:00');
    await at('17:30');
    expect(since(dmChannelFor(smb.manager))).toHaveLength(0);
    expect(since('C0MARKETING')).toHaveLength(0);
    const missed = `<@${h.rep}> missed the 4 h SLA at <!date^${unix('17:00')}^`;
    day = base.plus({ days: 1 });
    await at('08:00');
    await at('08:02');
    const notices = since(dmChannelFor(smb.manager)).filter((m) => text(m).includes(h.cardTs.replace('.', '')));
    expect(notices).toHaveLength(1);
    expect(text(notices[0]!)).toContain(missed);
    expect(
      since('C0MARKETING').filter((m) => m.thread_ts === h.noteTs && m.text.includes('SLA breached'))[0]!.text,
    ).toContain(missed);
    expect(since(dmChannelFor(h.rep)).filter((m) => m.text.includes('Reminder'))).toHaveLength(1);
    await accept(h.handoffId);
  });
});

describe("a manager's inbox when a team falls behind", () => {
  it("12 leads breaching within four minutes: a handful of DMs listing them all; every notice's buttons go once acted on", async () => {
    day = base.plus({ days: 2 });
    const leads: PostedHandoff[] = [];
    for (let i = 0; i < 12; i++) {
      set(`09:0${Math.floor((i * 20) / 60)}:${String((i * 20) % 60).padStart(2, '0')}`);
      leads.push(await postedHandoff(env));
    }
    const since = mark();
    for (let s = 0; s <= 7 * 60; s += 30) await at(`14:0${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`);
    const notices = since(dmChannelFor(smb.manager)).filter((m) => m.text.includes('missed the SLA'));
    expect(notices.length).toBeGreaterThanOrEqual(1);
    expect(notices.length).toBeLessThanOrEqual(3);
    // Each lead is listed exactly once, with its own buttons.
    for (const l of leads)
      expect(
        notices.filter((n) => text(n).includes(encodeAction({ kind: 'ack_escalation', handoffId: l.handoffId }))),
      ).toHaveLength(1);

    const updatesBefore = env.slack.callsTo('chat.update').length;
    for (const [i, l] of leads.entries()) {
      if (i % 3 === 0) {
        await clickInDm(env, 'ack_escalation', l.handoffId, smb.manager);
        await until(l.handoffId, (r) => r.acked !== null);
      } else if (i % 3 === 1) {
        await clickInDm(env, 'reassign', l.handoffId, smb.manager);
        await until(l.handoffId, (r) => r.rep !== l.rep);
      } else await accept(l.handoffId);
    }
    await env.baton.outbox.idle();
    const noticeUpdates = env.slack
      .callsTo('chat.update')
      .slice(updatesBefore)
      .filter((c) => c.body.channel === dmChannelFor(smb.manager));
    // One edit per action, of the one notice listing that lead; the DM count did not grow.
    expect(noticeUpdates).toHaveLength(12);
    expect(since(dmChannelFor(smb.manager)).filter((m) => m.text.includes('missed the SLA'))).toHaveLength(
      notices.length,
    );
    for (const n of since(dmChannelFor(smb.manager)).filter((m) => m.text.includes('missed the SLA'))) {
      expect(JSON.stringify(n.blocks)).not.toContain('"action_id"');
      expect(n.text).toContain('(0 still open)');
    }
    for (const [i, l] of leads.entries()) if (i % 3 !== 2) await accept(l.handoffId);
  }, 120_000);
});
