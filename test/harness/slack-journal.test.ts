import { describe, expect, it } from 'vitest';
import type { StandInChanges, StandInStore, StoredMessage } from '../../src/sandbox/slack-records.js';
import { SlackJournal } from '../../src/sandbox/slack-journal.js';

/* How the Slack stand-in hands its changes to a store: in order, one batch at a time, copied when handed. */

const message = (ts: string, text: string): StoredMessage => ({ ts, channel: 'C1', text, blocks: [], user: 'U0BOT' });

/** A store whose saves finish only when the test says, recording what each was given and when it started. */
function heldStore(): { store: StandInStore; started: StandInChanges[]; finish: (i: number, fail?: boolean) => void } {
  const started: StandInChanges[] = [];
  const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  return {
    started,
    store: {
      load: () => Promise.resolve({ messages: [], files: [] }),
      save(changes) {
        started.push(changes);
        return new Promise((resolve, reject) => pending.push({ resolve, reject }));
      },
    },
    finish(i, fail = false) {
      if (fail) pending[i]!.reject(new Error('disk full'));
      else pending[i]!.resolve();
    },
  };
}

describe('SlackJournal', () => {
  it('starts a save only after the one before it ended, each with the changes of its own time', async () => {
    const { store, started, finish } = heldStore();
    const journal = new SlackJournal(store);
    const m = message('1.000001', 'first');
    journal.wrote(m);
    const one = journal.persist();
    m.text = 'edited';
    journal.wrote(m);
    const two = journal.persist();
    await Promise.resolve();
    expect(started.map((c) => c.messages.map((x) => x.text))).toEqual([['first']]);
    finish(0);
    await one;
    await expect.poll(() => started.length).toBe(2);
    expect(started[1]!.messages.map((x) => x.text)).toEqual(['edited']);
    finish(1);
    await two;
  });

  it('a failed save fails its own persist only; with nothing new, persist waits for the saves before it', async () => {
    const { store, started, finish } = heldStore();
    const journal = new SlackJournal(store);
    journal.wrote(message('1.000001', 'a'));
    const failing = journal.persist();
    const nothingNew = journal.persist();
    let waited = false;
    void nothingNew.then(() => {
      waited = true;
    });
    await Promise.resolve();
    expect(waited).toBe(false);
    finish(0, true);
    await expect(failing).rejects.toThrow('disk full');
    await nothingNew;
    journal.wrote(message('1.000002', 'b'));
    const after = journal.persist();
    await expect.poll(() => started.length).toBe(2);
    finish(1);
    await expect(after).resolves.toBeUndefined();
  });

  it('a message deleted before its save is saved as removed, not as written; clear forgets unsaved changes', async () => {
    const { store, started, finish } = heldStore();
    const journal = new SlackJournal(store);
    const m = message('1.000001', 'a');
    journal.wrote(m);
    journal.deleted(m);
    const saved = journal.persist();
    await expect.poll(() => started.length).toBe(1);
    finish(0);
    await saved;
    expect(started[0]).toEqual({ messages: [], removed: [{ channel: 'C1', ts: '1.000001' }], files: [] });
    journal.wrote(message('1.000002', 'b'));
    journal.clear();
    await journal.persist();
    expect(started).toHaveLength(1);
  });
});
