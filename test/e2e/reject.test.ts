import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { REJECT_BLOCKS, REJECT_CALLBACK } from '../../src/slack/views/reject-modal.js';
import { examplePolicy, SIGNING_SECRET, useBatonWithSlack } from '../helpers/app.js';
import { clickHandoff, postedHandoff } from '../helpers/flows.js';
import { sendInteraction, viewSubmissionPayload } from '../helpers/slack-sign.js';

const env = useBatonWithSlack({
  baton: { outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50, maxBackoffMs: 300 } },
});
beforeEach(async () => {
  await env.baton.outbox.idle();
  env.slack.reset();
});

const values = (reason: string | undefined, note?: string, outcome?: 'nurture' | 'disqualify') => ({
  [REJECT_BLOCKS.reason]: { value: { type: 'static_select', selected_option: reason ? { value: reason } : null } },
  [REJECT_BLOCKS.note]: { value: { type: 'plain_text_input', value: note ?? null } },
  [REJECT_BLOCKS.outcome]: { value: { type: 'radio_buttons', selected_option: outcome ? { value: outcome } : null } },
});
const submit = (handoffId: string, userId: string, v: ReturnType<typeof values>) =>
  sendInteraction(
    env.baton.url,
    SIGNING_SECRET,
    viewSubmissionPayload({
      callbackId: REJECT_CALLBACK,
      values: v,
      privateMetadata: JSON.stringify({ handoffId }),
      userId,
      teamId: 'T0BATON',
    }),
  );

async function state(handoffId: string) {
  return rowsOf<{ status: string; reason: string | null; note: string | null; stage: string; rejected: number }>(
    await env.baton.database.db.execute(
      sql`select h.status, h.reject_reason as reason, h.reject_note as note, l.stage, (select count(*)::int from events e where e.handoff_id = h.id and e.type = 'rejected') as rejected from handoffs h join leads l on l.id = h.lead_id where h.id = ${handoffId}`,
    ),
  )[0]!;
}

describe('Reject', () => {
  it("the button opens the modal with the policy's reasons, using the click's trigger id", async () => {
    const h = await postedHandoff(env);
    const click = await clickHandoff(env, {
      kind: 'reject',
      handoffId: h.handoffId,
      userId: h.rep,
      messageTs: h.cardTs,
      reply: 'r',
      triggerId: 'trig-123',
    });
    expect(click.status).toBe(200);
    const [open] = await env.slack.waitFor('views.open');
    expect(open!.body.trigger_id).toBe('trig-123');
    const view = open!.body.view as {
      callback_id: string;
      private_metadata: string;
      title: { text: string };
      blocks: { element?: { options?: { value: string }[] } }[];
    };
    expect(view.callback_id).toBe(REJECT_CALLBACK);
    expect(JSON.parse(view.private_metadata)).toEqual({ handoffId: h.handoffId });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.blocks[0]!.element!.options!.map((o) => o.value)).toEqual(
      examplePolicy().rejectionReasons.map((r) => r.id),
    );
  });

  it('a missing reason and a missing required note are inline errors, and nothing changes', async () => {
    const h = await postedHandoff(env);
    const noReason = await submit(h.handoffId, h.rep, values(undefined));
    expect(noReason.json).toEqual({ response_action: 'errors', errors: { [REJECT_BLOCKS.reason]: 'Pick a reason.' } });
    const noNote = await submit(h.handoffId, h.rep, values('bad-timing', '   '));
    expect(noNote.json).toMatchObject({
      response_action: 'errors',
      errors: { [REJECT_BLOCKS.note]: expect.stringContaining('needs a note') as unknown },
    });
    expect(await state(h.handoffId)).toMatchObject({ status: 'pending', stage: 'mql', rejected: 0 });
  });

  it.each(examplePolicy().rejectionReasons.map((r) => [r.id, r.label, r.outcome, r.noteRequired] as const))(
    'reason %s: lead moves to its outcome, card and marketing thread say why and who',
    async (id, label, outcome, noteRequired) => {
      const h = await postedHandoff(env);
      const note = noteRequired ? 'Call back in Q2 <!channel>' : undefined;
      const res = await submit(h.handoffId, h.rep, values(id, note));
      expect(res.status).toBe(200);
      expect(res.body).toBe('');
      const [update] = await env.slack.waitFor('chat.update');
      const [reply] = await env.slack.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === h.noteTs);
      const stage = outcome === 'disqualify' ? 'disqualified' : 'nurture';
      for (const text of [JSON.stringify(update!.body.blocks), String(reply!.body.text)]) {
        expect(text).toContain(`Rejected by <@${h.rep}>`);
        expect(text).toContain(label.replace(/&/g, '&amp;'));
        expect(text).toContain(outcome === 'disqualify' ? 'disqualified' : 'back to marketing');
        if (note) expect(text).toContain('Call back in Q2 &lt;!channel&gt;');
      }
      expect(await state(h.handoffId)).toEqual({
        status: 'rejected',
        reason: id,
        note: note ?? null,
        stage,
        rejected: 1,
      });
    },
  );

  it('the rep may override the outcome', async () => {
    const h = await postedHandoff(env);
    await submit(h.handoffId, h.rep, values('not-icp', undefined, 'nurture'));
    expect(await state(h.handoffId)).toMatchObject({ status: 'rejected', stage: 'nurture' });
  });

  it('a submit after someone else decided, or by an outsider, is refused inline', async () => {
    const h = await postedHandoff(env);
    const outsider = await submit(h.handoffId, 'U0ANA', values('not-icp'));
    expect(outsider.json).toMatchObject({
      response_action: 'errors',
      errors: { [REJECT_BLOCKS.reason]: expect.stringContaining('or their manager can decide') as unknown },
    });
    await submit(h.handoffId, 'U0SMBMGR', values('no-budget'));
    const late = await submit(h.handoffId, h.rep, values('not-icp'));
    expect(late.json).toMatchObject({
      response_action: 'errors',
      errors: { [REJECT_BLOCKS.reason]: expect.stringMatching(/^Already rejected by <@U0SMBMGR> on /) as unknown },
    });
    expect(await state(h.handoffId)).toMatchObject({ reason: 'no-budget', rejected: 1 });
  });
});
