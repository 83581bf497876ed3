import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { queueTeamDigest, sweepSla } from '../../src/services/escalation.js';
import { encodeAction } from '../../src/slack/ids.js';
import { examplePolicy, useBatonWithSlack } from '../helpers/app.js';
import { clickInDm, postedHandoff, type PostedHandoff, typeCommand } from '../helpers/flows.js';
import { dmChannelFor, type RecordedCall } from '../helpers/slack-standin.js';

/*
 * The SLA's steps against a clock the test moves (the demo tier: 4 business hours; remind at
 * 50 %, manager and marketing at 100 %, the manager again every 2 h, reassign at 150 %).
 * The clock is pinned to an ordinary week (Tuesday 09:00 in Stockholm, no holiday near it), so
 * the run does not depend on today's date; it lies far ahead of the real time, so Slack
 * deliveries queued with the database's own time are always due.
 */
const start = DateTime.fromISO('2099-03-03T09:00', { zone: 'Europe/Stockholm' });
let clock = start;
const policy = examplePolicy();
const smb = policy.teams.find((t) => t.id === 'smb')!;
// Only the assigned rep (and the manager) may decide here, so a former holder's click is refused.
smb.teamMayDecide = false;
const env = useBatonWithSlack({
  baton: {
    policy,
    now: () => clock.toJSDate(),
    outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50, maxBackoffMs: 300 },
  },
});

async function at(hhmm: string): Promise<void> {
  const [h, m] = hhmm.split(':').map(Number);
  clock = start.set({ hour: h!, minute: m! });
  await sweepSla(env.baton.context);
  await env.baton.outbox.idle();
}

const events = async (handoffId: string): Promise<string[]> =>
  rowsOf<{ type: string }>(
    await env.baton.database.db.execute(sql`select type from events where handoff_id = ${handoffId} order by id`),
  ).map((r) => r.type);
const holder = async (handoffId: string): Promise<string> =>
  rowsOf<{ rep: string }>(
    await env.baton.database.db.execute(sql`select rep_user_id as rep from handoffs where id = ${handoffId}`),
  )[0]!.rep;

const postsTo = (channel: string, text: RegExp) =>
  env.slack.calls.filter(
    (c: RecordedCall) =>
      c.method === 'chat.postMessage' && c.body.channel === channel && text.test(String(c.body.text)),
  );
/** What a click was answered (its response_url post), among the calls made since `since`. */
const answered = async (since: number, text: RegExp): Promise<string> => {
  const [reply] = await env.slack.waitFor(
    (c) => c.method === 'response_url' && env.slack.calls.indexOf(c) >= since && text.test(String(c.body.text)),
  );
  return String(reply!.body.text);
};

describe('SLA escalation, step by step', () => {
  let h: PostedHandoff;
  beforeAll(async () => {
    h = await postedHandoff(env);
  });

  it('reminds the rep at 50 %, once, with the buttons to decide', async () => {
    await at('10:59');
    expect(await events(h.handoffId)).not.toContain('sla_reminder');
    await at('11:00');
    await at('11:05');
    const reminders = postsTo(dmChannelFor(h.rep), /Reminder/);
    expect(reminders).toHaveLength(1);
    expect(JSON.stringify(reminders[0]!.body.blocks)).toContain(
      encodeAction({ kind: 'accept', handoffId: h.handoffId }),
    );
    expect((await events(h.handoffId)).filter((e) => e === 'sla_reminder')).toHaveLength(1);
  });

  it("at 100 % tells the manager (Acknowledge, Reassign) and marketing in the lead's thread, once each", async () => {
    await at('14:00');
    await at('14:01');
    expect(postsTo(dmChannelFor(smb.manager), /missed the SLA/)).toHaveLength(0);
    await at('14:02');
    await at('14:03');
    const notices = postsTo(dmChannelFor(smb.manager), /missed the SLA/);
    expect(notices).toHaveLength(1);
    const blocks = JSON.stringify(notices[0]!.body.blocks);
    expect(blocks).toContain(encodeAction({ kind: 'ack_escalation', handoffId: h.handoffId }));
    expect(blocks).toContain(encodeAction({ kind: 'reassign', handoffId: h.handoffId }));
    expect(blocks).toContain(`<@${h.rep}> missed the 4 h SLA at <!date^${start.set({ hour: 14 }).toUnixInteger()}^`);
    const breach = env.slack
      .messages('C0MARKETING')
      .filter((m) => m.thread_ts === h.noteTs && m.text.includes('SLA breached'));
    expect(breach).toHaveLength(1);
    // The manager has their DM; the thread does not ping them a second time.
    expect(breach[0]!.text).not.toContain(`<@${smb.manager}>`);
  });

  it('repeats the manager notice every 2 h until acknowledged; an outsider cannot acknowledge', async () => {
    await at('15:59');
    expect(postsTo(dmChannelFor(smb.manager), /missed the SLA/)).toHaveLength(1);
    let mark = env.slack.calls.length;
    await clickInDm(env, 'ack_escalation', h.handoffId, 'U0EVA');
    expect(await answered(mark, /manager/)).toContain(`Only SMB's manager <@${smb.manager}> can acknowledge`);
    mark = env.slack.calls.length;
    await clickInDm(env, 'ack_escalation', h.handoffId, smb.manager);
    expect(await answered(mark, /cknowledged/)).toMatch(/^Acknowledged/);
    // The notice is edited in place: its buttons go, the outcome shows.
    const notice = postsTo(dmChannelFor(smb.manager), /missed the SLA/)[0]!;
    const [edited] = await env.slack.waitFor(
      (c) =>
        c.method === 'chat.update' &&
        c.body.channel === notice.body.channel &&
        JSON.stringify(c.body.blocks).includes('Acknowledged by you'),
    );
    expect(JSON.stringify(edited!.body.blocks)).not.toContain(
      encodeAction({ kind: 'ack_escalation', handoffId: h.handoffId }),
    );
    mark = env.slack.calls.length;
    await clickInDm(env, 'ack_escalation', h.handoffId, smb.manager);
    expect(await answered(mark, /cknowledged/)).toMatch(/^You already acknowledged this lead/);
    await at('18:00');
    expect(postsTo(dmChannelFor(smb.manager), /missed the SLA/)).toHaveLength(1);
    expect((await events(h.handoffId)).filter((e) => e === 'escalation_acknowledged')).toHaveLength(1);
  });

  it("reassigned at 150 % to a teammate who never had it: card updated, new rep told, the old rep's click says so", async () => {
    const next = await holder(h.handoffId);
    expect(next).not.toBe(h.rep);
    expect(smb.reps.filter((r) => r.active).map((r) => r.user)).toContain(next);
    expect((await events(h.handoffId)).filter((e) => e === 'reassigned')).toHaveLength(1);
    expect(postsTo(dmChannelFor(next), /reassigned to you/)).toHaveLength(1);
    // Marketing's thread gets a line for the move.
    expect(
      env.slack.messages('C0MARKETING').filter((m) => m.thread_ts === h.noteTs && m.text.includes(`to <@${next}>`)),
    ).toHaveLength(1);
    const update = env.slack
      .callsTo('chat.update')
      .filter((c) => c.body.ts === h.cardTs)
      .at(-1)!;
    expect(JSON.stringify(update.body.blocks)).toContain(`Assigned to <@${next}>`);
    const mark = env.slack.calls.length;
    await clickInDm(env, 'accept', h.handoffId, h.rep, h.cardTs);
    expect(await answered(mark, /reassigned/)).toContain(`This lead was reassigned to <@${next}>`);
    expect(await holder(h.handoffId)).toBe(next);
  });

  it('a decision stops the clock: nothing more happens on that handoff', async () => {
    const next = await holder(h.handoffId);
    await clickInDm(env, 'accept', h.handoffId, next, h.cardTs);
    await env.slack.waitFor((c) => c.method === 'chat.update' && JSON.stringify(c.body.blocks).includes('Accepted by'));
    const before = await events(h.handoffId);
    clock = start.plus({ days: 3 });
    await sweepSla(env.baton.context);
    expect(await events(h.handoffId)).toEqual(before);
    const pending = rowsOf<{ n: number }>(
      await env.baton.database.db.execute(
        sql`select count(*)::int as n from sla_steps where handoff_id = ${h.handoffId} and status = 'pending'`,
      ),
    );
    expect(pending[0]!.n).toBe(0);
  });
});

describe('the manager acts', () => {
  it('Reassign hands the lead on now; once everyone has had it, says nobody else can take it', async () => {
    clock = start;
    const h = await postedHandoff(env);
    let mark = env.slack.calls.length;
    await clickInDm(env, 'reassign', h.handoffId, smb.manager);
    expect(await answered(mark, /Reassigned to/)).toContain(`<@${await holder(h.handoffId)}>`);
    expect(await holder(h.handoffId)).not.toBe(h.rep);
    mark = env.slack.calls.length;
    await clickInDm(env, 'reassign', h.handoffId, smb.manager);
    expect(await answered(mark, /Nobody else/)).toContain('Nobody else in SMB can take this lead');
    const reassigned = rowsOf<{ reason: string; actor: string }>(
      await env.baton.database.db.execute(
        sql`select reason, actor from events where handoff_id = ${h.handoffId} and type = 'reassigned'`,
      ),
    );
    expect(reassigned).toEqual([{ reason: 'manager', actor: smb.manager }]);
  });

  it("the overdue digest lists the team's late leads oldest first with Reassign buttons, or says nothing is overdue", async () => {
    clock = start.plus({ days: 1, hours: 2 });
    const now = clock.toJSDate();
    await queueTeamDigest(env.baton.context, smb, now);
    await queueTeamDigest(env.baton.context, smb, now);
    const enterprise = policy.teams.find((t) => t.id === 'enterprise')!;
    await queueTeamDigest(env.baton.context, enterprise, now);
    await env.baton.outbox.idle();
    const digests = postsTo(dmChannelFor(smb.manager), /^Overdue in SMB/);
    expect(digests).toHaveLength(1);
    const overdue = rowsOf<{ id: string }>(
      await env.baton.database.db.execute(
        sql`select id from handoffs where team_id = 'smb' and status = 'pending' and due_at <= ${now.toISOString()}::timestamptz order by due_at`,
      ),
    ).map((r) => r.id);
    expect(overdue.length).toBeGreaterThan(0);
    const blocks = JSON.stringify(digests[0]!.body.blocks);
    const positions = overdue.map((id) => blocks.indexOf(encodeAction({ kind: 'reassign', handoffId: id })));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(postsTo(dmChannelFor(enterprise.manager), /nothing overdue/)).toHaveLength(1);
  });

  it('a rep going away hands their undecided leads to a teammate, and keeps their round-robin share', async () => {
    clock = start;
    const h = await postedHandoff(env);
    const counts = async () =>
      Object.fromEntries(
        rowsOf<{ rep: string; n: number }>(
          await env.baton.database.db.execute(
            sql`select rep_user_id as rep, assigned as n from round_robin where team_id = 'smb'`,
          ),
        ).map((r) => [r.rep, r.n]),
      );
    const before = await counts();
    const res = await typeCommand(env, { text: 'away', userId: h.rep, reply: 'away' });
    expect(JSON.stringify(res.json)).toMatch(/undecided leads? (was|were) handed to teammates/);
    const next = await holder(h.handoffId);
    expect(next).not.toBe(h.rep);
    const after = await counts();
    expect(after[h.rep]).toBe(before[h.rep]! - 1);
    expect(after[next]).toBe(before[next]! + 1);
    const reasons = rowsOf<{ reason: string }>(
      await env.baton.database.db.execute(
        sql`select reason from events where handoff_id = ${h.handoffId} and type = 'reassigned'`,
      ),
    );
    expect(reasons).toEqual([{ reason: 'away' }]);
    await typeCommand(env, { text: 'back', userId: h.rep, reply: 'back' });
  });
});
