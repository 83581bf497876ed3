import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { sweepSla } from '../../src/services/escalation.js';
import { encodeAction, parseAction } from '../../src/slack/ids.js';
import { SIGNING_SECRET, useBatonWithSlack } from '../helpers/app.js';
import { clickHandoff, postedHandoff, type PostedHandoff, postMql, typeCommand } from '../helpers/flows.js';
import { sendEvent, sendInteraction } from '../helpers/slack-sign.js';
import type { RecordedCall } from '../helpers/slack-standin.js';

const env = useBatonWithSlack({
  baton: { outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50, maxBackoffMs: 300 } },
});
beforeEach(async () => {
  await env.baton.outbox.idle();
  // Only the record of calls: the cards must stay, or editing one would find it deleted and repost it.
  env.slack.calls.length = 0;
});

/** The user's Home tab as Slack describes it in an event or a click. */
const HOME_VIEW = {
  id: 'V0HOME',
  team_id: 'T0BATON',
  type: 'home',
  blocks: [],
  private_metadata: '',
  callback_id: '',
  hash: '1.1',
  root_view_id: 'V0HOME',
  app_id: 'A0BATON',
  external_id: '',
  app_installed_team_id: 'T0BATON',
  bot_id: 'B0BATON',
};

let eventSeq = 0;
/** app_home_opened as Slack sends it (the event's reference page and Bolt's own test payloads). */
function openHome(user: string, tab: 'home' | 'messages' = 'home') {
  eventSeq += 1;
  return sendEvent(env.baton.url, SIGNING_SECRET, {
    token: 'verification-token',
    team_id: 'T0BATON',
    api_app_id: 'A0BATON',
    event: {
      type: 'app_home_opened',
      user,
      channel: `D${user.slice(1)}`,
      tab,
      event_ts: `${Date.now() / 1000}`,
      ...(tab === 'home'
        ? {
            view: HOME_VIEW,
          }
        : {}),
    },
    type: 'event_callback',
    event_id: `Ev0HOME${eventSeq}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: 'T0BATON', user_id: 'U0BATONBOT', is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
  });
}

/** A button click on the Home tab: the view instead of a message, and no response_url (Slack's block_actions reference, Home tab example). */
function clickOnHome(kind: 'accept' | 'reject', handoffId: string, userId: string) {
  return sendInteraction(env.baton.url, SIGNING_SECRET, {
    type: 'block_actions',
    team: { id: 'T0BATON', domain: 'baton-test' },
    user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: 'T0BATON' },
    api_app_id: 'A0BATON',
    token: 'verification_token',
    container: { type: 'view', view_id: 'V0HOME' },
    trigger_id: `${Date.now()}.1234.abcdef`,
    view: {
      ...HOME_VIEW,
      state: { values: {} },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
    },
    actions: [
      {
        type: 'button',
        block_id: `home:${handoffId}`,
        action_id: encodeAction({ kind, handoffId }),
        text: { type: 'plain_text', text: 'Accept', emoji: true },
        value: handoffId,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  });
}

type Block = {
  type: string;
  text?: { text: string };
  elements?: { action_id?: string; text?: string | { text: string } }[];
};
const blocksOf = (call: RecordedCall): Block[] => (call.body.view as { blocks: Block[] }).blocks;
const textOf = (call: RecordedCall): string =>
  blocksOf(call)
    .flatMap((b) => [
      b.text?.text ?? '',
      ...(b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : (e.text?.text ?? ''))),
    ])
    .join('\n');
/** The handoffs a Home offers Accept for, in the order shown. */
const acceptable = (call: RecordedCall): string[] =>
  blocksOf(call).flatMap((b) =>
    (b.elements ?? []).flatMap((e) => {
      const a = e.action_id ? parseAction(e.action_id) : undefined;
      return a?.kind === 'accept' ? [a.handoffId] : [];
    }),
  );

async function homeOf(user: string): Promise<RecordedCall> {
  const before = env.slack.callsTo('views.publish').filter((c) => c.body.user_id === user).length;
  expect((await openHome(user)).status).toBe(200);
  const published = await env.slack.waitFor((c) => c.method === 'views.publish' && c.body.user_id === user, {
    count: before + 1,
  });
  const call = published.at(-1)!;
  expect((call.body.view as { type: string }).type).toBe('home');
  expect(blocksOf(call).length).toBeLessThanOrEqual(100);
  return call;
}

async function pendingOf(rep: string): Promise<string[]> {
  return rowsOf<{ id: string }>(
    await env.baton.database.db.execute(
      sql`select id from handoffs where rep_user_id = ${rep} and status = 'pending' order by due_at, id`,
    ),
  ).map((r) => r.id);
}

describe('App Home', () => {
  const posted: PostedHandoff[] = [];

  it('a rep sees their open leads, soonest due first, with Accept and Reject, times in their zone', async () => {
    for (let i = 0; i < 4; i++) posted.push(await postedHandoff(env));
    const rep = posted[0]!.rep;
    const home = await homeOf(rep);
    const mine = await pendingOf(rep);
    expect(mine.length).toBeGreaterThan(0);
    expect(acceptable(home)).toEqual(mine);
    expect(textOf(home)).toContain(`Your open leads (${mine.length})`);
    // SMB reps have no zone of their own: the team calendar's (Europe/Stockholm, UTC+1 in November).
    expect(textOf(home)).toMatch(/Times in Europe\/Stockholm/);
    expect(textOf(home)).toMatch(/decide by \w{3} \d+ \w{3} \d\d:\d\d CET/);
    expect(textOf(home)).toMatch(/Reject…/);
    // Someone else's leads are not on this rep's Home.
    const others = posted.filter((p) => p.rep !== rep).map((p) => p.handoffId);
    expect(acceptable(home).some((id) => others.includes(id))).toBe(false);
  });

  it("a manager sees the team's queue with overdue leads first, each lead's rep, and who is away", async () => {
    // A lead that stays where it is when Filip goes away below.
    const late = posted.find((p) => p.rep !== 'U0FILIP')!;
    await env.baton.database.db.execute(
      sql`update handoffs set due_at = now() - interval '2 hours' where id = ${late.handoffId}`,
    );
    const away = await typeCommand(env, { text: 'away', userId: 'U0FILIP', reply: 'away' });
    expect(away.status).toBe(200);
    const home = await homeOf('U0SMBMGR');
    const text = textOf(home);
    const queue = rowsOf<{ id: string }>(
      await env.baton.database.db.execute(
        sql`select id from handoffs where team_id = 'smb' and status = 'pending' order by due_at, id`,
      ),
    ).map((r) => r.id);
    expect(acceptable(home)).toEqual(queue);
    expect(acceptable(home)[0]).toBe(late.handoffId);
    expect(text).toContain(`SMB queue (${queue.length})`);
    expect(text).toMatch(new RegExp(`:red_circle: \\*overdue\\* since .* · <@${late.rep}>`));
    expect(text).toContain(':palm_tree: Away: <@U0FILIP>');
    expect(text).not.toContain('Your open leads');
  });

  it('someone who is neither rep nor manager gets a short explanation; the Messages tab publishes nothing', async () => {
    expect((await openHome('U0STRANGER', 'messages')).status).toBe(200);
    const home = await homeOf('U0STRANGER');
    expect(textOf(home)).toContain('*Baton* hands marketing');
    expect(textOf(home)).toContain('not a rep, a manager or a marketer');
    expect(acceptable(home)).toEqual([]);
    expect(env.slack.callsTo('views.publish').filter((c) => c.body.user_id === 'U0STRANGER')).toHaveLength(1);
  });

  it('a marketer gets their own Home: recent handoffs with their state, rejection reasons this month, the overdue ones', async () => {
    const text = textOf(await homeOf('U0MARKETER'));
    expect(text).not.toContain('not a rep');
    expect(text).toContain('Your leads in sales');
    expect(text).toMatch(/\*Recent handoffs\*\n.* → <@U0[A-Z]+> · (waiting for a decision|:red_circle: \*overdue\*)/);
    expect(text).toContain('*Rejection reasons this month*');
    expect(text).toMatch(/\*Overdue now \([1-9]\d*\)\*\n/);
  });

  it('Accept on the Home tab decides, updates the card, refreshes the Home; a late click and an outsider are told by DM', async () => {
    // Filip went away above: his leads are his teammates' now.
    for (const p of posted)
      p.rep = rowsOf<{ rep: string }>(
        await env.baton.database.db.execute(sql`select rep_user_id as rep from handoffs where id = ${p.handoffId}`),
      )[0]!.rep;
    const h = posted[1]!;
    const reply = await clickOnHome('accept', h.handoffId, h.rep);
    // 200 is Bolt's acknowledgement: a listener that does not ack within 3 s gets a 404 from Bolt itself.
    expect(reply.status).toBe(200);
    // This card's update: other cards of the suite may be edited meanwhile (escalation states).
    const [update] = await env.slack.waitFor(
      (c) =>
        c.method === 'chat.update' && c.body.ts === h.cardTs && JSON.stringify(c.body.blocks).includes('Accepted by'),
    );
    expect(update!.body).toMatchObject({ channel: 'C0SMB', ts: h.cardTs });
    expect(JSON.stringify(update!.body.blocks)).toContain(`Accepted by <@${h.rep}>`);
    const [refreshed] = await env.slack.waitFor((c) => c.method === 'views.publish' && c.body.user_id === h.rep);
    expect(acceptable(refreshed!)).not.toContain(h.handoffId);
    expect(acceptable(refreshed!)).toEqual(await pendingOf(h.rep));
    // Accepted, the lead stays on the rep's Home until they qualify it.
    expect(textOf(await homeOf(h.rep))).toMatch(/Accepted, waiting for Qualify \([1-9]\d*\)/);
    const decided = rowsOf<{ status: string; by: string; accepted: number }>(
      await env.baton.database.db.execute(
        sql`select h.status, h.decided_by as by, (select count(*)::int from events e where e.handoff_id = h.id and e.type = 'accepted') as accepted from handoffs h where h.id = ${h.handoffId}`,
      ),
    )[0];
    expect(decided).toEqual({ status: 'accepted', by: h.rep, accepted: 1 });

    // No response_url on the Home tab: the manager's late click is answered in a DM.
    await clickOnHome('accept', h.handoffId, 'U0SMBMGR');
    const [late] = await env.slack.waitFor(
      (c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith('Already accepted'),
    );
    expect(String(late!.body.text)).toContain(`Already accepted by <@${h.rep}> on `);
    const [opened] = env.slack.callsTo('conversations.open').filter((c) => c.body.users === 'U0SMBMGR');
    expect(opened).toBeDefined();
    expect(String(late!.body.channel)).toMatch(/^D/);

    const other = posted[2]!;
    await clickOnHome('accept', other.handoffId, 'U0ANA');
    const [refusal] = await env.slack.waitFor(
      (c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith('Only '),
    );
    expect(String(refusal!.body.text)).toContain(`Only <@${other.rep}> or their manager can decide this lead`);
    expect(
      rowsOf<{ status: string }>(
        await env.baton.database.db.execute(sql`select status from handoffs where id = ${other.handoffId}`),
      )[0],
    ).toEqual({ status: 'pending' });
    expect(env.slack.callsTo('response_url')).toHaveLength(0);
  });

  it('Reject on the Home tab opens the modal at once', async () => {
    const h = posted[2]!;
    await clickOnHome('reject', h.handoffId, h.rep);
    const [opened] = await env.slack.waitFor('views.open');
    expect(JSON.stringify(opened!.body.view)).toContain('baton:reject');
  });

  // Last: it sends the team's last rep away.
  it('leads waiting for the manager come first, acknowledged or not: nobody else could take one, no rep was available for another', async () => {
    const db = env.baton.database.db;
    const stuck = posted[0]!.handoffId;
    const holderOf = async (id: string): Promise<string> =>
      rowsOf<{ rep: string }>(await db.execute(sql`select rep_user_id as rep from handoffs where id = ${id}`))[0]!.rep;
    const rep = await holderOf(stuck);
    // An hour overdue (later than the lead made two hours overdue above), and its steps due: the
    // sweep finds nobody to reassign it to (Filip is away, Gus inactive, the lead has been Eva's).
    await db.execute(sql`update handoffs set due_at = now() - interval '1 hour' where id = ${stuck}`);
    await db.execute(
      sql`update sla_steps set due_at = now() - interval '1 second' where handoff_id = ${stuck} and status = 'pending'`,
    );
    for (let i = 0; ; i++) {
      await sweepSla(env.baton.context);
      const skipped = rowsOf<{ n: number }>(
        await db.execute(
          sql`select count(*)::int as n from events where handoff_id = ${stuck} and type = 'reassign_skipped'`,
        ),
      )[0]!.n;
      if (skipped === 1) break;
      if (i > 50) throw new Error('the sweep did not find the lead stuck');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await holderOf(stuck)).toBe(rep);
    // Eva goes away too: a new lead finds no rep and goes to the manager's queue.
    expect((await typeCommand(env, { text: 'away', userId: rep, reply: `away-${rep}` })).status).toBe(200);
    for (
      let i = 0;
      rowsOf<{ n: number }>(
        await db.execute(sql`select count(*)::int as n from rep_status where user_id = ${rep} and away`),
      )[0]!.n === 0;
      i++
    ) {
      if (i > 50) throw new Error('the rep did not go away');
      await new Promise((r) => setTimeout(r, 100));
    }
    const unrouted = await postMql(env);
    await env.baton.outbox.idle();
    expect(
      rowsOf<{ rep: string; via: string }>(
        await db.execute(sql`select rep_user_id as rep, assigned_via as via from handoffs where id = ${unrouted}`),
      )[0],
    ).toEqual({ rep: 'U0SMBMGR', via: 'manager_fallback' });

    const byDue = rowsOf<{ id: string }>(
      await db.execute(
        sql`select id from handoffs where team_id = 'smb' and status = 'pending' and id not in (${stuck}, ${unrouted}) order by due_at, id`,
      ),
    ).map((r) => r.id);
    const managerHome = async (): Promise<void> => {
      const home = await homeOf('U0SMBMGR');
      // Both before every other open lead, though one is due later than some of them.
      expect(acceptable(home)).toEqual([stuck, unrouted, ...byDue]);
      const text = textOf(home);
      expect(text).toMatch(
        new RegExp(
          `:hourglass: \\*Overdue — waiting for you\\*: nobody else in the team can take it · since .* · <@${rep}>`,
        ),
      );
      expect(text).toMatch(/:hourglass: \*Waiting for you\*: no rep was available · decide by .* · <@U0SMBMGR>/);
    };
    await managerHome();
    // Acknowledging the escalation decides nothing: the lead still waits for the manager.
    await clickHandoff(env, {
      kind: 'ack_escalation',
      handoffId: stuck,
      userId: 'U0SMBMGR',
      channelId: 'D0SMBMGR',
      messageTs: '1.000001',
      reply: 'ack',
    });
    for (
      let i = 0;
      rowsOf<{ by: string | null }>(
        await db.execute(sql`select escalation_acked_by as by from handoffs where id = ${stuck}`),
      )[0]!.by === null;
      i++
    ) {
      if (i > 50) throw new Error('the acknowledgement did not land');
      await new Promise((r) => setTimeout(r, 100));
    }
    await managerHome();

    // The rep who holds it sees it first too, naming the manager it waits for.
    const repHome = await homeOf(rep);
    expect(acceptable(repHome)[0]).toBe(stuck);
    expect(textOf(repHome)).toMatch(
      /:hourglass: \*Overdue — waiting for the manager <@U0SMBMGR>\*: nobody else in the team can take it/,
    );
    // Marketing's overdue list starts with it.
    expect(textOf(await homeOf('U0MARKETER'))).toMatch(
      /\*Overdue now \(\d+\)\*\n:hourglass: \*waiting for the manager\* · \*Flo L\d+\* · <@U0[A-Z]+> · due/,
    );
  });
});
