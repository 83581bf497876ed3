import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import path from 'node:path';
import { openDatabase, type Database, type DatabaseTarget, type DbOrTx } from '../../src/db/client.js';
import { handoffs, leads } from '../../src/db/schema.js';

/** Set by .ci/run (and by a developer who has a server): enables the suites that need real concurrent connections. */
export const SERVER_URL = process.env.TEST_DATABASE_URL;
export const hasServer = SERVER_URL !== undefined && SERVER_URL !== '';

export interface TestDatabase extends Database {
  /** The connection URL when this is a server database (child processes connect to it). */
  url: string | undefined;
  dispose(): Promise<void>;
}

/** A fresh, migrated database for one test file: a new database on the server, or PGlite in memory. */
export async function freshDatabase(opts: { server?: boolean } = {}): Promise<TestDatabase> {
  const useServer = opts.server ?? hasServer;
  if (!useServer) {
    const database = await openDatabase({ kind: 'pglite-memory' });
    await database.migrate();
    return { ...database, url: undefined, dispose: () => database.close() };
  }
  if (!hasServer) throw new Error('this suite needs TEST_DATABASE_URL');
  const scratch = await scratchServerDatabase('baton_test');
  const database = await openDatabase({ kind: 'postgres', url: scratch.url, maxConnections: 20 });
  await database.migrate();
  return {
    ...database,
    url: scratch.url,
    async dispose() {
      await database.close();
      await scratch.drop();
    },
  };
}

/**
 * A new, empty database on the server (`serverUrl`, else TEST_DATABASE_URL): for child processes
 * that migrate it themselves, and benchmarks. `drop` removes it, cutting any connection left.
 */
export async function scratchServerDatabase(
  prefix: string,
  serverUrl = SERVER_URL,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (serverUrl === undefined || serverUrl === '') throw new Error('a server database needs TEST_DATABASE_URL');
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  return {
    url: withDatabase(serverUrl, name),
    async drop() {
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => undefined });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/**
 * A database for child processes (the app, a CLI) and the test that checks on them: a new one on
 * the server when there is one (as in CI), else the embedded database in a folder under `dir`
 * (opened by one process at a time). `env` is what the child is given to reach it.
 */
export async function childDatabase(
  prefix: string,
  dir: string,
): Promise<{ target: DatabaseTarget; env: Record<string, string>; drop(): Promise<void> }> {
  if (!hasServer) {
    const dataDir = path.join(dir, 'db');
    return { target: { kind: 'pglite', dataDir }, env: { DATA_DIR: dataDir }, drop: () => Promise.resolve() };
  }
  const scratch = await scratchServerDatabase(prefix);
  return {
    target: { kind: 'postgres', url: scratch.url },
    env: { DATABASE_URL: scratch.url },
    drop: () => scratch.drop(),
  };
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A lead in `mql` with one pending handoff to U1 in SMB, started and due at `at`; resolves with the handoff's id. */
export async function insertHandoff(db: DbOrTx, workspaceId: string, at: Date): Promise<string> {
  const [lead] = await db.insert(leads).values({ workspaceId, source: 'test', stage: 'mql' }).returning();
  const [h] = await db
    .insert(handoffs)
    .values({
      workspaceId,
      leadId: lead!.id,
      seq: 1,
      teamId: 'smb',
      repUserId: 'U1',
      assignedVia: 'round_robin',
      startedAt: at,
      firstAssignedAt: at,
      assignedAt: at,
      slaTierId: 't',
      slaPlan: { tierId: 't', clock: 'business', targetMinutes: 60, steps: [] },
      slaTargetMinutes: 60,
      slaClock: 'business',
      dueAt: at,
    })
    .returning();
  return h!.id;
}
