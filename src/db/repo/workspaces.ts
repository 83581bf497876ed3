import type { DbOrTx } from '../client.js';
import { workspaces } from '../schema.js';

export async function ensureWorkspace(
  db: DbOrTx,
  identity: { workspaceId: string; workspaceName: string | undefined; botUserId: string },
): Promise<void> {
  await db
    .insert(workspaces)
    .values({ id: identity.workspaceId, name: identity.workspaceName ?? null, botUserId: identity.botUserId })
    .onConflictDoUpdate({
      target: workspaces.id,
      set: { name: identity.workspaceName ?? null, botUserId: identity.botUserId },
    });
}

/** Every workspace Baton has met (it learns its own from Slack at start-up). */
export async function workspaceIds(db: DbOrTx): Promise<string[]> {
  return (await db.select({ id: workspaces.id }).from(workspaces)).map((w) => w.id);
}
