import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { SIGNING_SECRET, useBatonWithSlack } from '../helpers/app.js';
import { handoffClick, postedHandoff, type PostedHandoff } from '../helpers/flows.js';
import { sendInteraction } from '../helpers/slack-sign.js';

const env = useBatonWithSlack({
  baton: { outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50, maxBackoffMs: 300 } },
});

async function decisions(handoffId: string): Promise<{ status: string; events: number; outbox: number }> {
  return rowsOf<{ status: string; events: number; outbox: number }>(
    await env.baton.database.db.execute(
      sql`select h.status, (select count(*)::int from events e where e.handoff_id = h.id and e.type in ('accepted', 'rejected')) as events, (select count(*)::int from outbox o where o.handoff_id = h.id and o.kind in ('update_card', 'thread_reply')) as outbox from handoffs h where h.id = ${handoffId}`,
    ),
  )[0]!;
}

/** The rep's Accept click on the handoff's card, answered at `reply`. */
const acceptOnCard = (h: PostedHandoff, reply: string) =>
  handoffClick(env, { kind: 'accept', handoffId: h.handoffId, userId: h.rep, messageTs: h.cardTs, reply });

describe('replayed and forged Slack requests', () => {
  it('the same signed click sent again (same body, same timestamp) decides nothing twice', async () => {
    const h = await postedHandoff(env);
    const payload = acceptOnCard(h, 'replay');
    const timestamp = Math.floor(Date.now() / 1000);
    // Within Slack's 5-minute window the replay carries a valid signature, so it is let in:
    // only the conditional update in Postgres keeps it from deciding again.
    expect((await sendInteraction(env.baton.url, SIGNING_SECRET, payload, { timestamp })).status).toBe(200);
    expect((await sendInteraction(env.baton.url, SIGNING_SECRET, payload, { timestamp })).status).toBe(200);
    const [told] = await env.slack.waitFor('response_url');
    expect(String(told!.body.text)).toMatch(new RegExp(`^Already accepted by <@${h.rep}> on `));
    await env.baton.outbox.idle();
    expect(await decisions(h.handoffId)).toEqual({ status: 'accepted', events: 1, outbox: 2 });
    expect(env.slack.callsTo('chat.update').filter((c) => c.body.ts === h.cardTs)).toHaveLength(1);
  });

  it('a replay older than five minutes, or signed with another secret, is refused and changes nothing', async () => {
    const h = await postedHandoff(env);
    const payload = acceptOnCard(h, 'old');
    expect(
      (
        await sendInteraction(env.baton.url, SIGNING_SECRET, payload, {
          timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
        })
      ).status,
    ).toBe(401);
    expect((await sendInteraction(env.baton.url, SIGNING_SECRET, payload, { forgeWith: 'f'.repeat(32) })).status).toBe(
      401,
    );
    await env.baton.outbox.idle();
    expect(await decisions(h.handoffId)).toEqual({ status: 'pending', events: 0, outbox: 0 });
  });
});
