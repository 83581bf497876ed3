import type { SlackJournal } from './slack-journal.js';
import type { StoredEphemeral, StoredFile, StoredMessage } from './slack-records.js';

/**
 * What the Slack stand-in's workspace holds: channels with their messages, archived channels,
 * ephemeral messages per user and uploaded files. Every change to messages and files is written
 * in the journal, which the stand-in saves before answering.
 */
export class SlackWorkspace {
  private readonly channels = new Map<string, StoredMessage[]>();
  private readonly archived = new Set<string>();
  private readonly ephemerals = new Map<string, StoredEphemeral[]>();
  private readonly files = new Map<string, StoredFile>();
  private fileSeq = 0;
  private lastTs = 0;

  constructor(private readonly journal: SlackJournal) {}

  /** What an earlier run kept; its files are served from this run's address, `base`. */
  restore(kept: { messages: StoredMessage[]; files: StoredFile[] }, base: string): void {
    for (const f of kept.files) {
      this.files.set(f.id, f);
      this.fileSeq = Math.max(this.fileSeq, Number(f.id.slice(1)) || 0);
    }
    for (const m of kept.messages) {
      const [seconds = '0', micros = '0'] = m.ts.split('.');
      this.lastTs = Math.max(this.lastTs, Number(seconds) * 1_000_000 + Number(micros));
      this.append(m.files ? { ...m, files: m.files.map((f) => ({ ...f, url_private: `${base}/files/${f.id}` })) } : m);
    }
  }

  /** Like Slack's: epoch seconds with a per-message suffix, unique and increasing. */
  private nextTs(): string {
    this.lastTs = Math.max(this.lastTs + 1, Date.now() * 1000);
    return `${Math.floor(this.lastTs / 1_000_000)}.${String(this.lastTs % 1_000_000).padStart(6, '0')}`;
  }

  messages(channel: string): StoredMessage[] {
    return this.channels.get(channel) ?? [];
  }

  message(channel: string, ts: unknown): StoredMessage | undefined {
    return this.channels.get(channel)?.find((m) => m.ts === ts);
  }

  /** Every channel that has (or had) messages. */
  channelIds(): string[] {
    return [...this.channels.keys()];
  }

  /** Posts a message, stamped with the next ts. */
  post(message: Omit<StoredMessage, 'ts'>): StoredMessage {
    const stored: StoredMessage = { ts: this.nextTs(), ...message };
    this.append(stored);
    this.journal.wrote(stored);
    return stored;
  }

  private append(message: StoredMessage): void {
    this.channels.set(message.channel, [...this.messages(message.channel), message]);
  }

  edit(message: StoredMessage, text: string, blocks: unknown[]): void {
    message.text = text;
    message.blocks = blocks;
    message.edited = true;
    this.journal.wrote(message);
  }

  remove(channel: string, ts: string): void {
    const gone = this.message(channel, ts);
    if (!gone) return;
    this.channels.set(
      channel,
      this.messages(channel).filter((m) => m !== gone),
    );
    this.journal.deleted(gone);
  }

  archive(channel: string): void {
    this.archived.add(channel);
  }

  isArchived(channel: string): boolean {
    return this.archived.has(channel);
  }

  /** Shows `user` an ephemeral message; returns its ts. */
  addEphemeral(user: string, channel: string, text: string, blocks: unknown[]): string {
    const ts = this.nextTs();
    this.ephemerals.set(user, [...this.ephemeral(user), { ts, channel, user, text, blocks }]);
    return ts;
  }

  ephemeral(user: string): StoredEphemeral[] {
    return this.ephemerals.get(user) ?? [];
  }

  /** A file announced by files.getUploadURLExternal, its bytes still to come. */
  announceFile(filename: string, length: number, altText: string | undefined): StoredFile {
    this.fileSeq += 1;
    const id = `F${String(this.fileSeq).padStart(9, '0')}`;
    const file: StoredFile = { id, filename, length, ...(altText !== undefined ? { altText } : {}) };
    this.files.set(id, file);
    return file;
  }

  file(id: string): StoredFile | undefined {
    return this.files.get(id);
  }

  receiveBytes(file: StoredFile, bytes: Buffer): void {
    file.bytes = bytes;
    this.journal.fileArrived(file);
  }

  /** Empties the workspace; ts values keep increasing, as Slack's would. */
  reset(): void {
    this.channels.clear();
    this.archived.clear();
    this.ephemerals.clear();
    this.files.clear();
    this.fileSeq = 0;
    this.journal.clear();
  }
}
