import { describe, expect, it } from 'vitest';
import { queueWeeklyDigest } from '../../src/services/reports.js';
import { SHOW_CHART_ACTION_ID } from '../../src/slack/ids.js';
import { dmChannelFor, type RecordedCall } from '../../src/sandbox/slack-standin.js';
import { SIGNING_SECRET, useBatonWithSlack } from '../helpers/app.js';
import { historyLead as lead, importHistory } from '../helpers/import-lines.js';
import { typeCommand } from '../helpers/flows.js';
import { blockActionsPayload, sendInteraction } from '../helpers/slack-sign.js';

/*
 * Charts through the real app and the Slack stand-in: the upload sequence Slack's files.uploadV2
 * makes (getUploadURLExternal, the bytes to the upload URL, completeUploadExternal) and the
 * picture in the message. "Now" is Wednesday 25 Nov 2026, 14:00 in Stockholm.
 */
const NOW = new Date('2026-11-25T13:00:00Z');
// The clock moves on from NOW, so the outbox's retry of a lost answer falls due.
const started = Date.now();
const env = useBatonWithSlack({
  baton: {
    now: () => new Date(NOW.getTime() + Date.now() - started),
    outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50, maxBackoffMs: 300 },
  },
});
const MANAGER = 'U0SMBMGR';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const HISTORY = [
  lead('c1', '2026-11-16T09:00:00Z', [
    { stage: 'mql', at: '2026-11-16T09:00:00Z', team: 'smb', owner: 'U0FILIP' },
    { stage: 'sal', at: '2026-11-16T10:00:00Z', by: 'U0FILIP' },
  ]),
  lead('c2', '2026-11-17T09:00:00Z', [
    { stage: 'mql', at: '2026-11-17T09:00:00Z', team: 'smb', owner: 'U0EVA' },
    { stage: 'rejected', at: '2026-11-18T15:00:00Z', by: 'U0EVA', reason: 'no-budget' },
  ]),
  lead('c3', '2026-11-23T09:00:00Z', [
    { stage: 'mql', at: '2026-11-23T09:00:00Z', team: 'smb', owner: 'U0EVA' },
    { stage: 'sal', at: '2026-11-23T09:30:00Z', by: 'U0EVA' },
  ]),
];

/** The three calls of one upload, in order, for the file completed last. */
function lastUpload(): { get: RecordedCall; bytes: RecordedCall; complete: RecordedCall } {
  const complete = env.slack.callsTo('files.completeUploadExternal').at(-1)!;
  const fileId = (complete.body.files as { id: string }[])[0]!.id;
  const get = env.slack.calls.findLast((c) => c.method === 'files.getUploadURLExternal')!;
  const bytes = env.slack.calls.find((c) => c.method === 'file_upload' && c.body.file_id === fileId)!;
  return { get, bytes, complete };
}

describe('charts', () => {
  it('imports a small history', async () => {
    expect(await importHistory(env, HISTORY)).toMatchObject({ imported: 3, failed: [] });
  });

  it("/funnel week chart: the report as usual, and the funnel as a PNG in the asker's DM", async () => {
    const replies = env.slack.callsTo('response_url').length;
    await typeCommand(env, { command: '/funnel', text: 'week chart', userId: MANAGER, reply: 'funnel' });
    const [, pointer] = (await env.slack.waitFor('response_url', { count: replies + 2, timeoutMs: 30_000 })).slice(
      replies,
    );
    const { get, bytes, complete } = lastUpload();
    expect(env.slack.calls.indexOf(get)).toBeLessThan(env.slack.calls.indexOf(bytes));
    expect(env.slack.calls.indexOf(bytes)).toBeLessThan(env.slack.calls.indexOf(complete));
    expect(get.body).toMatchObject({ filename: 'funnel-week-48-2026-to-date.png' });
    expect(String(get.body.alt_text)).toContain('MQLs 1 (previous 2');
    expect(complete.body.channel_id).toBe(dmChannelFor(MANAGER));

    const [message] = env.slack.messages(dmChannelFor(MANAGER)).filter((m) => m.files);
    expect(message!.files![0]).toMatchObject({ title: 'Funnel · week 48 2026 to date', mimetype: 'image/png' });
    const file = env.slack.file(message!.files![0]!.id)!;
    expect(file.bytes!.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(file.bytes!.length).toBe(Number(get.body.length));
    expect(Number(bytes.body.bytes)).toBe(file.bytes!.length);
    expect(String(pointer!.body.text)).toContain(`<#${dmChannelFor(MANAGER)}>`);
  });

  it('Show chart under a velocity report sends the velocity chart the same way', async () => {
    const uploads = env.slack.callsTo('files.completeUploadExternal').length;
    await sendInteraction(
      env.baton.url,
      SIGNING_SECRET,
      blockActionsPayload({
        actionId: SHOW_CHART_ACTION_ID,
        value: '/velocity last-week by rep',
        userId: MANAGER,
        teamId: 'T0BATON',
        channelId: 'C0SMB',
        messageTs: '1700000000.000100',
        responseUrl: `${env.slack.responseUrl}/chart`,
      }),
    );
    await env.slack.waitFor('files.completeUploadExternal', { count: uploads + 1, timeoutMs: 30_000 });
    const { get } = lastUpload();
    expect(String(get.body.alt_text)).toMatch(
      /^Velocity · week 47 2026 \(Europe\/Stockholm\): 2 decisions, 2 within SLA/,
    );
  });

  it("the weekly digest is followed by one 12-week trend chart in the reports channel, even when Slack's answer to the upload is lost", async () => {
    env.slack.failNext('files.completeUploadExternal', { lostAnswer: true });
    await queueWeeklyDigest(env.baton.context, env.baton.context.now());
    // The lost answer makes the outbox try again after its back-off; the retry looks for the upload first.
    await env.slack.waitFor((c) => c.method === 'conversations.history' && c.body.channel === 'C0REPORTS', {
      count: 1,
      timeoutMs: 20_000,
    });
    await env.baton.outbox.idle();
    const withFiles = env.slack.messages('C0REPORTS').filter((m) => m.files);
    expect(withFiles.map((m) => m.files![0]!.title)).toEqual(['Baton trend: 12 weeks to 2026-11-22']);
    expect(env.slack.messages('C0REPORTS').filter((m) => m.text.startsWith('Weekly digest'))).toHaveLength(1);
    expect(String(env.slack.file(withFiles[0]!.files![0]!.id)!.altText)).toBe(
      'Last 12 weeks (weeks starting 2026-08-31 to 2026-11-16, Europe/Stockholm): MQLs per week 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2; last week acceptance 50.0 %, within SLA 100.0 %.',
    );
  });
});
