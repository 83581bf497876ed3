import type { IncomingMessage } from 'node:http';

/* What the Slack stand-in records and keeps, shared by its units (src/sandbox/slack-standin.ts re-exports them). */

export interface RecordedCall {
  method: string;
  at: Date;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
}

export interface StoredMessage {
  ts: string;
  channel: string;
  text: string;
  blocks: unknown[];
  user: string;
  thread_ts?: string;
  metadata?: unknown;
  edited?: boolean;
  /** Files shared with the message (files.completeUploadExternal). */
  files?: StoredFileRef[];
}

/** A file as a message carries it; `url_private` serves its bytes from the stand-in. */
export interface StoredFileRef {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  alt_txt?: string;
  url_private: string;
}

/** An uploaded file: what files.getUploadURLExternal announced and the bytes posted to its upload URL. */
export interface StoredFile {
  id: string;
  filename: string;
  length: number;
  altText?: string;
  bytes?: Buffer;
}

/** An ephemeral message: chat.postEphemeral, or a response_url post with response_type ephemeral. */
export interface StoredEphemeral {
  ts: string;
  channel: string;
  user: string;
  text: string;
  blocks: unknown[];
}

/** A modal or App Home view as Slack holds it: the app's view plus its id and hash. */
export interface StoredView {
  id: string;
  hash: string;
  view: Record<string, unknown>;
}

export type Failure =
  | { status: 429; retryAfterSeconds: number }
  | { status: 500 | 502 | 503 }
  | { hang: true }
  | { ok: false; error: string }
  /** Slack acts on the request, then the connection drops before the answer: the case exactly-once is about. */
  | { lostAnswer: true };

/** The workspace's people for users.info and users.lookupByEmail, by user id. */
export type SlackUsers = Record<string, { real_name: string; tz: string; email?: string }>;

/** Changes to what the stand-in keeps: messages as they are now, removed messages, files whose bytes arrived. */
export interface StandInChanges {
  messages: StoredMessage[];
  removed: { channel: string; ts: string }[];
  files: StoredFile[];
}

/**
 * Where the sandbox keeps the stand-in's channels and files, so that a restart on the same data
 * finds the cards Baton's rows point at. Ephemeral messages, modals and App Home tabs are not
 * kept: Slack's clients lose them on a reload too, and Baton draws App Home again when opened.
 */
export interface StandInStore {
  /** Read once, before the stand-in answers its first call. */
  load(): Promise<{ messages: StoredMessage[]; files: StoredFile[] }>;
  /** Awaited before the call that made the changes is answered: like Slack, kept before it says ok. */
  save(changes: StandInChanges): Promise<void>;
}
