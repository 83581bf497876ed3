import type { Db } from '../db/client.js';
import { sandboxSlackRecords, saveSandboxSlack } from '../db/repo/sandbox-slack.js';
import type { StandInStore, StoredFile, StoredMessage } from './slack-standin.js';

/** The stand-in's channels and files, kept in Baton's own database beside the leads they show. */
export function databaseStandInStore(db: Db, workspaceId: string): StandInStore {
  return {
    async load() {
      const kept = await sandboxSlackRecords(db, workspaceId);
      return {
        // Written only by save below, so each row holds a StoredMessage.
        messages: kept.messages.map((r) => r.message as StoredMessage),
        files: kept.files.map((f): StoredFile => ({
          id: f.id,
          filename: f.filename,
          length: f.bytes.length,
          bytes: f.bytes,
          ...(f.altText !== null ? { altText: f.altText } : {}),
        })),
      };
    },
    async save(changes) {
      await saveSandboxSlack(db, workspaceId, {
        messages: changes.messages.map((m) => ({ channel: m.channel, ts: m.ts, message: m })),
        removed: changes.removed,
        files: changes.files.flatMap((f) =>
          f.bytes ? [{ id: f.id, filename: f.filename, altText: f.altText ?? null, bytes: f.bytes }] : [],
        ),
      });
    },
  };
}
