import { sql } from 'drizzle-orm';
import { rowsOf } from '../../src/db/client.js';
import { encodeAction, type HandoffActionKind } from '../../src/slack/ids.js';
import { INTAKE_TOKEN, SIGNING_SECRET, type BatonWithSlack } from './app.js';
import {
  blockActionsPayload,
  sendInteraction,
  sendSlashCommand,
  type SendOptions,
  type SlackReply,
} from './slack-sign.js';
import { dmChannelFor } from './slack-standin.js';

let seq = 0;

export interface PostedHandoff {
  handoffId: string;
  rep: string;
  cardTs: string;
  noteTs: string;
}

/**
 * A new MQL for the SMB team through the real intake, each from a company of its own (no account
 * owner steers it); resolves with its handoff id once accepted (202). Its demo request happened at
 * the app's own clock, so a test that moves the clock still gets a fresh one.
 */
export async function postMql(env: BatonWithSlack): Promise<string> {
  seq += 1;
  const res = await fetch(`${env.baton.url}/api/leads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      externalId: `flow-${seq}-${Date.now()}`,
      source: 'web',
      email: `flow${seq}@flow${seq}-${Date.now()}.example`,
      firstName: 'Flo',
      lastName: `L${seq}`,
      title: 'VP Sales',
      country: 'SE',
      employees: 40,
      channel: 'referral',
      activities: [{ type: 'demo_request', at: env.baton.context.now().toISOString() }],
    }),
  });
  if (res.status !== 202) throw new Error(`intake answered ${res.status}`);
  return ((await res.json()) as { handoffId: string }).handoffId;
}

/** An MQL for the SMB team, with its card and marketing note already posted. */
export async function postedHandoff(env: BatonWithSlack): Promise<PostedHandoff> {
  const handoffId = await postMql(env);
  await env.baton.outbox.idle();
  const rows = rowsOf<{ kind: string; ts: string; rep: string }>(
    await env.baton.database.db.execute(
      sql`select m.kind, m.ts, h.rep_user_id as rep from slack_messages m join handoffs h on h.id = m.handoff_id where m.handoff_id = ${handoffId}`,
    ),
  );
  return {
    handoffId,
    rep: rows[0]!.rep,
    cardTs: rows.find((r) => r.kind === 'card')!.ts,
    noteTs: rows.find((r) => r.kind === 'marketing_note')!.ts,
  };
}

export interface HandoffClick {
  kind: HandoffActionKind;
  handoffId: string;
  userId: string;
  /** The message the button is on: a card in #smb unless `channelId` says where. */
  messageTs: string;
  channelId?: string;
  /** The last part of the click's response_url, where the stand-in records the answer; the clicker's id unless given. */
  reply?: string;
  triggerId?: string;
}

/** The block_actions payload of a click on one of a handoff's buttons. */
export function handoffClick(env: BatonWithSlack, c: HandoffClick): Record<string, unknown> {
  return blockActionsPayload({
    actionId: encodeAction({ kind: c.kind, handoffId: c.handoffId }),
    value: c.handoffId,
    userId: c.userId,
    teamId: 'T0BATON',
    channelId: c.channelId ?? 'C0SMB',
    messageTs: c.messageTs,
    responseUrl: `${env.slack.responseUrl}/${c.reply ?? c.userId}`,
    triggerId: c.triggerId,
  });
}

/** A click on one of a handoff's buttons, signed as Slack signs it and sent to the app. */
export function clickHandoff(env: BatonWithSlack, c: HandoffClick, opts: SendOptions = {}): Promise<SlackReply> {
  return sendInteraction(env.baton.url, SIGNING_SECRET, handoffClick(env, c), opts);
}

/** A click on a handoff's button in the clicker's DM with Baton (a reminder, a manager's notice), answered at `<kind>-<userId>`. */
export function clickInDm(
  env: BatonWithSlack,
  kind: HandoffActionKind,
  handoffId: string,
  userId: string,
  messageTs = '1.000001',
): Promise<SlackReply> {
  return clickHandoff(env, {
    kind,
    handoffId,
    userId,
    channelId: dmChannelFor(userId),
    messageTs,
    reply: `${kind}-${userId}`,
  });
}

export interface TypedCommand {
  /** /baton unless given. */
  command?: string;
  text: string;
  userId: string;
  /** The last part of the command's response_url, where the stand-in records the answer. */
  reply: string;
}

/** A slash command typed in #smb, signed as Slack signs it and sent to the app. */
export function typeCommand(env: BatonWithSlack, c: TypedCommand): Promise<SlackReply> {
  return sendSlashCommand(env.baton.url, SIGNING_SECRET, {
    command: c.command ?? '/baton',
    text: c.text,
    user_id: c.userId,
    channel_id: 'C0SMB',
    team_id: 'T0BATON',
    response_url: `${env.slack.responseUrl}/${c.reply}`,
  });
}
