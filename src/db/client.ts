import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { databaseUnavailable } from './errors.js';
import * as schema from './schema.js';

/** One database type for both drivers: the data layer never knows which one it runs on. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; maxConnections?: number }
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'pglite-memory' };

/** `error` is set when the check failed in an unexpected way, for the caller to log. */
export type Readiness = { ok: true } | { ok: false; reason: string; error?: unknown };

/*
 * With the database down, a request must hear so within a second or two (docs/delivery.md, the guarantees). postgres.js
 * waits 30 s for a connection by default, and between failed attempts its back-off grows to 20 s,
 * which a queued query waits out too: both are kept short, so the caller answers 503 quickly and
 * picks up the database again as soon as it is back.
 */
const CONNECT_TIMEOUT_SECONDS = 1.5;
const reconnectBackoffSeconds = (retries: number): number => Math.min(0.05 * 2 ** retries, 0.25);
const READY_DEADLINE_MS = 1_500;

export interface Database {
  db: Db;
  kind: DatabaseTarget['kind'];
  migrate(): Promise<void>;
  /** Database reachable and every committed migration applied; the reason never holds SQL. */
  ready(): Promise<Readiness>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = path.resolve(import.meta.dirname, '../../drizzle');
// Several replicas may start at once; only one applies migrations, the others wait for it.
const MIGRATION_LOCK = 7_262_611;

function journalLength(): number {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** Raw `execute` results differ by driver (an array for postgres.js, `{rows}` for PGlite). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return (result as { rows: T[] }).rows;
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'postgres') {
    // Prepared statements (below) are still planned for each execution's values: a generic plan is
    // made once per connection and kept, and one made while a new install's tables were nearly empty
    // reads a whole table where an index lookup was meant.
    const client = postgres(target.url, {
      max: target.maxConnections ?? 10,
      onnotice: () => undefined,
      connect_timeout: CONNECT_TIMEOUT_SECONDS,
      backoff: reconnectBackoffSeconds,
      connection: { plan_cache_mode: 'force_custom_plan' },
    });
    const db = drizzlePostgres(preparedStatements(client), { schema });
    return withReadiness(
      db,
      'postgres',
      async () => {
        const lockClient = postgres(target.url, { max: 1, onnotice: () => undefined });
        try {
          await lockClient`select pg_advisory_lock(${MIGRATION_LOCK})`;
          await migratePostgres(drizzlePostgres(lockClient), { migrationsFolder: MIGRATIONS_FOLDER });
          await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK})`;
        } finally {
          await lockClient.end();
        }
      },
      () => client.end(),
    );
  }
  if (target.kind === 'pglite') await createDataDir(target.dataDir);
  const pg = new PGlite(target.kind === 'pglite' ? target.dataDir : undefined, { startParams: PGLITE_START_PARAMS });
  await pg.waitReady;
  const db = drizzlePglite(pg, { schema });
  return withReadiness(
    db,
    target.kind,
    () => migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    () => pg.close(),
  );
}

/*
 * The embedded Postgres runs inside this process, so its shared buffers are our resident memory:
 * Postgres' default of 128 MB made two thirds of an idle Baton. 16 MB holds the sandbox's and a
 * small team's working set (README, "Performance": idle memory).
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];
const PACKAGE_ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * A new data folder is made in a child process: PGlite runs initdb in a second embedded Postgres
 * whose memory (about 450 MB) a process keeps after closing it, and a child gives it back by exiting.
 */
async function createDataDir(dataDir: string): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  mkdirSync(dataDir, { recursive: true });
  const script =
    "const { PGlite } = await import('@electric-sql/pglite'); const pg = new PGlite(process.argv[1]); await pg.waitReady; await pg.close();";
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, path.resolve(dataDir)], {
    cwd: PACKAGE_ROOT,
  });
}

/**
 * Drizzle runs every query through postgres.js's `unsafe` unprepared (drizzle-orm#6096), and
 * postgres.js then describes each parameterised statement in a round trip of its own before
 * running it, and stops pipelining behind it: a transaction of five statements cost ten round
 * trips, one after another. Prepared, a statement is described once per connection and later
 * ones go out together. Our statements' texts are stable (lists travel as one JSON parameter),
 * and postgres.js recycles connections (max_lifetime), so the cache stays bounded.
 */
function preparedStatements<T extends Pick<postgres.Sql, 'unsafe'>>(client: T): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'unsafe') {
        const unsafe: postgres.Sql['unsafe'] = (query, params, options) =>
          target.unsafe(query, params, { ...options, prepare: true });
        return unsafe;
      }
      if (prop === 'begin' || prop === 'savepoint') {
        // A transaction's (or savepoint's) client is made per call; it gets the same treatment.
        return (...args: unknown[]) => {
          const body = args.pop() as (tx: postgres.TransactionSql) => unknown;
          return (Reflect.get(target, prop, receiver) as (...a: unknown[]) => unknown)(
            ...args,
            (tx: postgres.TransactionSql) => body(preparedStatements(tx)),
          );
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

type CopyTarget = { table: string; columns: readonly string[]; data: string | Uint8Array };
type PostgresCopyQuery = Promise<unknown> & { writable(): Promise<NodeJS.WritableStream>; reject(err: unknown): void };
type PostgresTxClient = { unsafe(query: string): PostgresCopyQuery };
type PgliteTxClient = { query(query: string, params: unknown[], options: { blob: Blob }): Promise<unknown> };

/** The driver's own client under a drizzle transaction: COPY is not part of drizzle's API. */
function driverClient(tx: Tx): PostgresTxClient | PgliteTxClient {
  const client = (tx._.session as unknown as { client?: unknown }).client;
  if (typeof client === 'function' && 'unsafe' in client) return client as unknown as PostgresTxClient;
  if (typeof client === 'object' && client !== null && 'query' in client) return client as PgliteTxClient;
  throw new Error('COPY: this transaction is on neither postgres.js nor PGlite');
}

/**
 * `COPY table (columns) FROM STDIN` of `data` (text format) inside the transaction, on either
 * driver: postgres.js streams it over the connection, PGlite reads it as a blob.
 */
export async function copyIn(tx: Tx, copy: CopyTarget): Promise<void> {
  const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
  const head = `copy ${quote(copy.table)} (${copy.columns.map(quote).join(', ')}) from`;
  const client = driverClient(tx);
  if ('query' in client) {
    await client.query(`${head} '/dev/blob'`, [], { blob: new Blob([copy.data]) });
    return;
  }
  const query = client.unsafe(`${head} stdin`);
  await new Promise<void>((resolve, reject) => {
    /*
     * postgres.js reports a COPY the server refuses after its data was sent (a constraint, a value,
     * the connection lost) to the query it has already resolved with the stream, and never ends the
     * stream (postgres.js#1173): the refusal is caught where it is reported instead.
     */
    const report = query.reject.bind(query);
    query.reject = (err: unknown) => {
      reject(err instanceof Error ? err : new Error(String(err)));
      report(err);
    };
    query.writable().then((stream) => {
      stream.on('error', reject);
      stream.on('finish', resolve);
      stream.end(copy.data);
    }, reject);
  });
}

function withReadiness(
  db: Db,
  kind: DatabaseTarget['kind'],
  migrate: () => Promise<void>,
  close: () => Promise<void>,
): Database {
  const expected = journalLength();
  return {
    db,
    kind,
    migrate,
    close,
    async ready() {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => {
          resolve('late');
        }, READY_DEADLINE_MS);
      });
      try {
        const result = await Promise.race([
          db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
          deadline,
        ]);
        if (result === 'late')
          return { ok: false, reason: `the database did not answer within ${READY_DEADLINE_MS} ms` };
        const applied = rowsOf<{ n: number }>(result)[0]?.n ?? 0;
        return applied >= expected
          ? { ok: true }
          : { ok: false, reason: `${applied} of ${expected} migrations applied` };
      } catch (err) {
        // Anyone may ask /readyz: the driver's message (the statement) is for the log only.
        const down = databaseUnavailable(err);
        return down !== undefined
          ? { ok: false, reason: `the database is unreachable (${down})` }
          : { ok: false, reason: 'the readiness check failed (logged)', error: err };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
