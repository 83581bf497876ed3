import { sql } from 'drizzle-orm';
import { rowsOf } from '../../src/db/client.js';
import { INTAKE_TOKEN, type BatonWithSlack } from './app.js';

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
