import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { useBatonWithSlack } from '../helpers/app.js';
import { clickHandoff, postedHandoff } from '../helpers/flows.js';

const env = useBatonWithSlack({
  baton: { outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50, maxBackoffMs: 300 } },
});
beforeEach(async () => {
  await env.baton.outbox.idle();
  env.slack.reset();
});

const click = (handoffId: string, userId: string, cardTs: string, opts: { forgeWith?: string } = {}) =>
  clickHandoff(env, { kind: 'accept', handoffId, userId, messageTs: cardTs }, opts);

async function state(
  handoffId: string,
): Promise<{ status: string; by: string | null; stage: string; accepted: number }> {
  return rowsOf<{ status: string; by: string | null; stage: string; accepted: number }>(
    await env.baton.database.db.execute(
      sql`select h.status, h.decided_by as by, l.stage, (select count(*)::int from events e where e.handoff_id = h.id and e.type = 'accepted') as accepted from handoffs h join leads l on l.id = h.lead_id where h.id = ${handoffId}`,
    ),
  )[0]!;
}

describe('Accept', () => {
  it('the assigned rep accepts: acknowledged at once, card updated in place, marketing told in the thread', async () => {
    const h = await postedHandoff(env);
    const reply = await click(h.handoffId, h.rep, h.cardTs);
    // 200 is Bolt's acknowledgement: a listener that does not ack within 3 s gets a 404 from Bolt itself.
    expect(reply.status).toBe(200);
    const [update] = await env.slack.waitFor('chat.update');
    expect(update!.body).toMatchObject({ channel: 'C0SMB', ts: h.cardTs });
    const blocks = JSON.stringify(update!.body.blocks);
    expect(blocks).toMatch(new RegExp(`Accepted by <@${h.rep}> in \\d+ min — within the 4 h SLA`));
    // Accept and Reject are gone; the next steps take their place.
    expect(blocks).not.toMatch(/"text":"(Accept|Reject…)"/);
    expect(blocks).toMatch(/Qualify…[\s\S]*Return to marketing[\s\S]*Lost…/);
    const [threadReply] = await env.slack.waitFor(
      (c) => c.method === 'chat.postMessage' && c.body.thread_ts === h.noteTs,
    );
    expect(threadReply!.body).toMatchObject({ channel: 'C0MARKETING' });
    expect(String(threadReply!.body.text)).toContain(`Accepted by <@${h.rep}>`);
    expect(await state(h.handoffId)).toEqual({ status: 'accepted', by: h.rep, stage: 'sal', accepted: 1 });
  });

  it("the team's manager may accept; an outsider is told why and nothing changes", async () => {
    const h = await postedHandoff(env);
    await click(h.handoffId, 'U0ANA', h.cardTs);
    const [refusal] = await env.slack.waitFor((c) => c.method === 'response_url' && c.body.text !== undefined);
    expect(refusal!.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(refusal!.body.text)).toMatch(new RegExp(`Only <@${h.rep}> or their manager can decide this lead`));
    expect(await state(h.handoffId)).toMatchObject({ status: 'pending', stage: 'mql', accepted: 0 });
    await click(h.handoffId, 'U0SMBMGR', h.cardTs);
    // The decision runs after the acknowledgement; the card update is its last step.
    await env.slack.waitFor('chat.update');
    expect(await state(h.handoffId)).toMatchObject({ status: 'accepted', by: 'U0SMBMGR' });
  });

  it('a forged click gets 401 and changes nothing', async () => {
    const h = await postedHandoff(env);
    expect((await click(h.handoffId, h.rep, h.cardTs, { forgeWith: '0'.repeat(32) })).status).toBe(401);
    expect(await state(h.handoffId)).toMatchObject({ status: 'pending', accepted: 0 });
  });

  it('50 racing clicks: exactly one decision, one thread reply, and every other clicker told who won', async () => {
    const h = await postedHandoff(env);
    // SMB lets the whole team decide; rep, manager and teammates all race.
    const clickers = Array.from({ length: 50 }, (_, i) => [h.rep, 'U0SMBMGR', 'U0EVA', 'U0FILIP'][i % 4]!);
    const replies = await Promise.all(clickers.map((u) => click(h.handoffId, u, h.cardTs)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    await env.slack.waitFor('response_url', { count: 49, timeoutMs: 15_000 });
    await env.slack.waitFor('chat.update');
    await env.baton.outbox.idle();
    const s = await state(h.handoffId);
    expect(s).toMatchObject({ status: 'accepted', stage: 'sal', accepted: 1 });
    const told = env.slack.callsTo('response_url').map((c) => String(c.body.text));
    expect(told).toHaveLength(49);
    expect(told.every((t) => t.startsWith(`Already accepted by <@${s.by!}> on `))).toBe(true);
    expect(env.slack.callsTo('chat.postMessage').filter((c) => c.body.thread_ts === h.noteTs)).toHaveLength(1);
    expect(env.slack.callsTo('chat.update')).toHaveLength(1);
  });
});
