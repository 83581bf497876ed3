import type { StandInChanges, StandInStore, StoredFile, StoredMessage } from './slack-records.js';

/**
 * What changed in the Slack stand-in since its store last saved, and the saving itself. Saves
 * run one after another, in the order of the changes, so a later save never lands under an
 * earlier one.
 */
export class SlackJournal {
  private readonly written = new Set<StoredMessage>();
  private readonly removed = new Map<string, { channel: string; ts: string }>();
  private readonly arrived = new Set<StoredFile>();
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly store: StandInStore | undefined) {}

  /** A message posted or edited: saved as it is when the next save starts. */
  wrote(message: StoredMessage): void {
    this.written.add(message);
  }

  deleted(message: StoredMessage): void {
    this.written.delete(message);
    this.removed.set(`${message.channel}\u0000${message.ts}`, { channel: message.channel, ts: message.ts });
  }

  /** A file whose bytes were posted to its upload URL. */
  fileArrived(file: StoredFile): void {
    this.arrived.add(file);
  }

  /** Hands what changed to the store, if there is one; resolves once it, and every save before it, is kept. */
  persist(): Promise<void> {
    const store = this.store;
    if (!store || (this.written.size === 0 && this.removed.size === 0 && this.arrived.size === 0)) return this.saving;
    // Copied now: a later edit of the same message is the next batch's.
    const changes: StandInChanges = {
      messages: [...this.written].map((m) => ({ ...m })),
      removed: [...this.removed.values()],
      files: [...this.arrived],
    };
    this.clear();
    const saved = this.saving.then(() => store.save(changes));
    // A failed save fails the call that made the changes (Baton retries it), not every later one.
    this.saving = saved.catch(() => undefined);
    return saved;
  }

  /** Forgets unsaved changes (the stand-in's reset). */
  clear(): void {
    this.written.clear();
    this.removed.clear();
    this.arrived.clear();
  }
}
