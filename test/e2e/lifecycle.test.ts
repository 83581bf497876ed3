import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { type HandoffActionKind } from '../../src/slack/ids.js';
import { LOST_CALLBACK, PROGRESS_BLOCKS, QUALIFY_CALLBACK } from '../../src/slack/views/progress-modals.js';
import { SIGNING_SECRET, useBatonWithSlack } from '../helpers/app.js';
import { clickHandoff, postedHandoff, type PostedHandoff } from '../helpers/flows.js';
import { sendInteraction, viewSubmissionPayload } from '../helpers/slack-sign.js';

const env = useBatonWithSlack({
  baton: { outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50, maxBackoffMs: 300 } },
});
beforeEach(async () => {
  await env.baton.outbox.idle();
  env.slack.reset();
});

const click = (h: PostedHandoff, kind: HandoffActionKind, userId = h.rep) =>
  clickHandoff(env, { kind, handoffId: h.handoffId, userId, messageTs: h.cardTs, triggerId: `trig-${kind}` });
const submit = (h: PostedHandoff, callbackId: string, values: Record<string, Record<string, unknown>>) =>
  sendInteraction(
    env.baton.url,
    SIGNING_SECRET,
    viewSubmissionPayload({
      callbackId,
      values,
      privateMetadata: JSON.stringify({ handoffId: h.handoffId }),
      userId: h.rep,
      teamId: 'T0BATON',
    }),
  );
const checklist = (...ids: string[]) => ({
  [PROGRESS_BLOCKS.checklist]: { value: { type: 'checkboxes', selected_options: ids.map((value) => ({ value })) } },
});

async function stage(h: PostedHandoff): Promise<string> {
  return rowsOf<{ stage: string }>(
    await env.baton.database.db.execute(
      sql`select l.stage from leads l join handoffs h on h.lead_id = l.id where h.id = ${h.handoffId}`,
    ),
  )[0]!.stage;
}
async function settled(): Promise<void> {
  await env.baton.outbox.idle();
}
/** Waits until this handoff's card has been updated `count` times in all. */
const cardUpdates = (h: PostedHandoff, count: number) =>
  env.slack.waitFor((c) => c.method === 'chat.update' && c.body.ts === h.cardTs, { count });
const lastCard = () => JSON.stringify(env.slack.callsTo('chat.update').at(-1)!.body.blocks);
const threadTexts = (h: PostedHandoff) =>
  env.slack
    .callsTo('chat.postMessage')
    .filter((c) => c.body.thread_ts === h.noteTs)
    .map((c) => String(c.body.text));

async function accepted(): Promise<PostedHandoff> {
  const h = await postedHandoff(env);
  await click(h, 'accept');
  await cardUpdates(h, 1);
  await settled();
  return h;
}

describe('after Accept: Qualify, Opportunity, Won — each an event, a card update and a thread reply', () => {
  it('walks the lead to customer, the card offering only the legal next steps', async () => {
    const h = await accepted();
    await click(h, 'qualify');
    const [open] = await env.slack.waitFor('views.open');
    expect((open!.body.view as { callback_id: string }).callback_id).toBe(QUALIFY_CALLBACK);

    const missing = await submit(h, QUALIFY_CALLBACK, checklist('buying-cycle'));
    expect(missing.json).toMatchObject({
      response_action: 'errors',
      errors: {
        [PROGRESS_BLOCKS.checklist]: expect.stringMatching(
          /^Needed for an SQL: Talking to an influencer or decision maker; Permission for next steps\.$/,
        ) as unknown,
      },
    });
    expect(await stage(h)).toBe('sal');

    expect(
      (await submit(h, QUALIFY_CALLBACK, checklist('buying-cycle', 'influencer', 'next-steps', 'size'))).body,
    ).toBe('');
    await cardUpdates(h, 2);
    await settled();
    expect(await stage(h)).toBe('sql');
    expect(lastCard()).toMatch(/Qualified \(SQL\) by <@U0\w+>/);
    expect(lastCard()).toMatch(/"text":"Opportunity"[\s\S]*"text":"Lost…"/);
    expect(lastCard()).not.toContain('Qualify…');

    await click(h, 'opportunity');
    await cardUpdates(h, 3);
    await settled();
    expect(await stage(h)).toBe('opportunity');
    await click(h, 'won');
    await cardUpdates(h, 4);
    await settled();
    expect(await stage(h)).toBe('customer');
    expect(lastCard()).toMatch(/Won by <@U0\w+>/);
    expect(lastCard()).not.toContain('"type":"button"');
    expect(threadTexts(h)).toEqual([
      expect.stringContaining('Accepted by'),
      expect.stringContaining('Qualified (SQL) by'),
      expect.stringContaining('Opportunity opened by'),
      expect.stringContaining('Won by'),
    ]);
    const events = rowsOf<{ type: string; data: { checklist?: string[] } }>(
      await env.baton.database.db.execute(
        sql`select type, data from events where handoff_id = ${h.handoffId} order by id`,
      ),
    );
    expect(events.map((e) => e.type)).toEqual([
      'handoff_started',
      'assigned',
      'accepted',
      'qualified',
      'opportunity',
      'won',
    ]);
    expect(events[3]!.data.checklist).toEqual(['buying-cycle', 'influencer', 'size', 'next-steps']);
  });

  it('Lost asks for a reason and tells marketing; Return sends the lead back to nurture', async () => {
    const lost = await accepted();
    await click(lost, 'lost');
    await env.slack.waitFor(
      (c) => c.method === 'views.open' && (c.body.view as { callback_id: string }).callback_id === LOST_CALLBACK,
    );
    const noReason = await submit(lost, LOST_CALLBACK, {
      [PROGRESS_BLOCKS.reason]: { value: { type: 'static_select', selected_option: null } },
    });
    expect(noReason.json).toMatchObject({
      response_action: 'errors',
      errors: { [PROGRESS_BLOCKS.reason]: 'Pick a reason.' },
    });
    await submit(lost, LOST_CALLBACK, {
      [PROGRESS_BLOCKS.reason]: { value: { type: 'static_select', selected_option: { value: 'competitor' } } },
      [PROGRESS_BLOCKS.note]: { value: { type: 'plain_text_input', value: 'Went with Acme CRM' } },
    });
    await cardUpdates(lost, 2);
    await settled();
    expect(await stage(lost)).toBe('lost');
    expect(threadTexts(lost).at(-1)).toMatch(/Lost by <@U0\w+>: \*Went with a competitor\*/);

    const back = await accepted();
    await click(back, 'return');
    await cardUpdates(back, 2);
    await settled();
    expect(await stage(back)).toBe('nurture');
    expect(threadTexts(back).at(-1)).toMatch(/Returned to marketing by/);
  });

  it('an illegal step (a button from an older card) and an outsider are told why, and nothing changes', async () => {
    const h = await accepted();
    await click(h, 'won');
    const [illegal] = await env.slack.waitFor('response_url');
    expect(String(illegal!.body.text)).toMatch(/A lead in stage "sal" cannot move to "customer"\. Reload the card/);
    await click(h, 'opportunity', 'U0ANA');
    const replies = await env.slack.waitFor('response_url', { count: 2 });
    expect(String(replies[1]!.body.text)).toMatch(/or their manager can decide this lead/);
    expect(await stage(h)).toBe('sal');
  });

  it('a handoff that was rejected has no next steps', async () => {
    const h = await postedHandoff(env);
    await sendInteraction(
      env.baton.url,
      SIGNING_SECRET,
      viewSubmissionPayload({
        callbackId: 'baton:reject',
        values: { reject_reason: { value: { type: 'static_select', selected_option: { value: 'not-icp' } } } },
        privateMetadata: JSON.stringify({ handoffId: h.handoffId }),
        userId: h.rep,
        teamId: 'T0BATON',
      }),
    );
    await click(h, 'opportunity');
    const [reply] = await env.slack.waitFor('response_url');
    expect(String(reply!.body.text)).toMatch(/was not accepted, so it has no next steps/);
  });
});
