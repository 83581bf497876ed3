import webApi from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startSlackStandIn,
  type SlackStandIn,
  type StandInChanges,
  type StandInStore,
  type StoredFile,
  type StoredMessage,
} from '../helpers/slack-standin.js';

const { WebClient } = webApi;

/*
 * The stand-in with a store (what the sandbox keeps in its database): every change is handed over
 * before the call is answered, and a stand-in started on what was kept shows the same channels.
 */

/** A store in memory, keeping what the sandbox's database would; `fail` refuses the next save. */
function memoryStore(): StandInStore & {
  kept: { messages: Map<string, StoredMessage>; files: Map<string, StoredFile> };
  saves: StandInChanges[];
  fail: boolean;
} {
  const kept = { messages: new Map<string, StoredMessage>(), files: new Map<string, StoredFile>() };
  const store = {
    kept,
    saves: [] as StandInChanges[],
    fail: false,
    load: () =>
      Promise.resolve({
        messages: [...kept.messages.values()].map((m) => structuredClone(m)),
        files: [...kept.files.values()],
      }),
    save(changes: StandInChanges): Promise<void> {
      if (store.fail) {
        store.fail = false;
        return Promise.reject(new Error('the database is gone'));
      }
      store.saves.push(changes);
      for (const m of changes.messages) kept.messages.set(`${m.channel}/${m.ts}`, structuredClone(m));
      for (const r of changes.removed) kept.messages.delete(`${r.channel}/${r.ts}`);
      for (const f of changes.files) kept.files.set(f.id, f);
      return Promise.resolve();
    },
  };
  return store;
}

const running: SlackStandIn[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
});

async function start(store: StandInStore): Promise<{ slack: SlackStandIn; client: InstanceType<typeof WebClient> }> {
  const slack = await startSlackStandIn({ store });
  running.push(slack);
  return { slack, client: new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } }) };
}

async function upload(slack: SlackStandIn, client: InstanceType<typeof WebClient>, bytes: Buffer): Promise<string> {
  const url = await client.files.getUploadURLExternal({
    filename: 'chart.png',
    length: bytes.length,
    alt_text: 'a chart',
  });
  await fetch(url.upload_url ?? '', { method: 'POST', body: bytes });
  await client.files.completeUploadExternal({ files: [{ id: url.file_id ?? '', title: 'Funnel' }], channel_id: 'D1' });
  return url.file_id ?? '';
}

describe('Slack stand-in with a store', () => {
  it('hands over each change before answering: posts, edits, replies, deletions and uploaded files', async () => {
    const store = memoryStore();
    const { slack, client } = await start(store);
    const card = await client.chat.postMessage({ channel: 'C1', text: 'card' });
    // Answered: so already kept.
    expect(store.kept.messages.get(`C1/${card.ts ?? ''}`)?.text).toBe('card');
    await client.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: card.ts ?? '' });
    await client.chat.update({ channel: 'C1', ts: card.ts ?? '', text: 'card, accepted' });
    expect(store.kept.messages.get(`C1/${card.ts ?? ''}`)).toMatchObject({ text: 'card, accepted', edited: true });
    const gone = await client.chat.postMessage({ channel: 'C1', text: 'deleted by its author' });
    await fetch(slack.responseUrlFor('U1', 'C1', gone.ts), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ delete_original: true }),
    });
    expect(store.kept.messages.has(`C1/${gone.ts ?? ''}`)).toBe(false);
    const id = await upload(slack, client, Buffer.from('png bytes'));
    expect(store.kept.files.get(id)?.bytes?.toString()).toBe('png bytes');
    expect([...store.kept.messages.values()].map((m) => m.text).sort()).toEqual(['', 'card, accepted', 'reply']);
  });

  it('started on what was kept, shows the same channels, serves the files from its own address and numbers new files after them', async () => {
    const store = memoryStore();
    const first = await start(store);
    const card = await first.client.chat.postMessage({ channel: 'C1', text: 'card' });
    const fileId = await upload(first.slack, first.client, Buffer.from('first chart'));
    const before = { C1: first.slack.messages('C1'), D1: first.slack.messages('D1') };
    await first.slack.close();
    running.splice(0);

    const second = await start(store);
    expect(second.slack.messages('C1')).toEqual(before.C1);
    const [shared] = second.slack.messages('D1');
    expect(shared?.files?.[0]?.url_private).toBe(`${second.slack.url.replace(/\/api\/$/, '')}/files/${fileId}`);
    expect(await (await fetch(shared?.files?.[0]?.url_private ?? '')).text()).toBe('first chart');
    expect(before.D1[0]?.files?.[0]?.url_private).not.toBe(shared?.files?.[0]?.url_private);
    // The card is still there to edit, and a new upload does not take the kept file's id.
    await expect(
      second.client.chat.update({ channel: 'C1', ts: card.ts ?? '', text: 'edited after the restart' }),
    ).resolves.toMatchObject({ ok: true });
    expect(await upload(second.slack, second.client, Buffer.from('second chart'))).not.toBe(fileId);
    // New messages get a ts after every kept one.
    const later = await second.client.chat.postMessage({ channel: 'C1', text: 'later' });
    expect(Number(later.ts)).toBeGreaterThan(Number(card.ts));
  });

  it('a failed save fails that call only; the next change is kept', async () => {
    const store = memoryStore();
    const { client } = await start(store);
    store.fail = true;
    await expect(client.chat.postMessage({ channel: 'C1', text: 'lost answer' })).rejects.toThrow();
    const next = await client.chat.postMessage({ channel: 'C1', text: 'next' });
    expect(store.kept.messages.get(`C1/${next.ts ?? ''}`)?.text).toBe('next');
  });
});
