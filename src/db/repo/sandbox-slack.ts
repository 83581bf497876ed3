import { and, asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { sandboxSlackFiles, sandboxSlackMessages } from '../schema.js';

/** A message as the sandbox's Slack stand-in holds it, by channel and ts. */
export interface SandboxMessageRow {
  channel: string;
  ts: string;
  message: unknown;
}

export interface SandboxFileRow {
  id: string;
  filename: string;
  altText: string | null;
  bytes: Buffer;
}

export interface SandboxSlackChanges {
  /** New or edited messages, each as it is now. */
  messages: readonly SandboxMessageRow[];
  removed: readonly { channel: string; ts: string }[];
  files: readonly SandboxFileRow[];
}

/** Everything kept for the workspace: messages in posting order, then files. */
export async function sandboxSlackRecords(
  db: DbOrTx,
  workspaceId: string,
): Promise<{ messages: SandboxMessageRow[]; files: SandboxFileRow[] }> {
  const messages = await db
    .select({
      channel: sandboxSlackMessages.channel,
      ts: sandboxSlackMessages.ts,
      message: sandboxSlackMessages.message,
    })
    .from(sandboxSlackMessages)
    .where(eq(sandboxSlackMessages.workspaceId, workspaceId))
    // A ts is "seconds.micros": ordered as a number, not as text.
    .orderBy(asc(sql`${sandboxSlackMessages.ts}::numeric`));
  const files = await db.select().from(sandboxSlackFiles).where(eq(sandboxSlackFiles.workspaceId, workspaceId));
  return {
    messages,
    files: files.map((f) => ({
      id: f.id,
      filename: f.filename,
      altText: f.altText,
      bytes: Buffer.from(f.bytes, 'base64'),
    })),
  };
}

/** Applies one batch of the stand-in's changes, all or nothing. */
export async function saveSandboxSlack(db: DbOrTx, workspaceId: string, changes: SandboxSlackChanges): Promise<void> {
  await db.transaction(async (tx) => {
    if (changes.messages.length > 0) {
      await tx
        .insert(sandboxSlackMessages)
        .values(changes.messages.map((m) => ({ workspaceId, channel: m.channel, ts: m.ts, message: m.message })))
        .onConflictDoUpdate({
          target: [sandboxSlackMessages.workspaceId, sandboxSlackMessages.channel, sandboxSlackMessages.ts],
          set: { message: sql`excluded.message` },
        });
    }
    // Rare (a response_url's delete_original): one statement each.
    for (const r of changes.removed) {
      await tx
        .delete(sandboxSlackMessages)
        .where(
          and(
            eq(sandboxSlackMessages.workspaceId, workspaceId),
            eq(sandboxSlackMessages.channel, r.channel),
            eq(sandboxSlackMessages.ts, r.ts),
          ),
        );
    }
    if (changes.files.length > 0) {
      await tx
        .insert(sandboxSlackFiles)
        .values(
          changes.files.map((f) => ({
            workspaceId,
            id: f.id,
            filename: f.filename,
            altText: f.altText,
            bytes: f.bytes.toString('base64'),
          })),
        )
        .onConflictDoNothing();
    }
  });
}
