import { createServer, type Server, type Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { databaseUnavailable } from '../../src/db/errors.js';
import { freePort } from '../helpers/process.js';

/*
 * A database that cannot be reached is told apart from a statement it refuses, and is noticed
 * within the connect timeout (1.5 s) even when nothing answers at all. The generous bounds are
 * for a busy machine; postgres.js's defaults would wait 30 s.
 */

describe('what counts as an unreachable database', () => {
  const wrapped = (cause: unknown): Error => Object.assign(new Error('Failed query: select 1\nparams: '), { cause });
  const socketError = (code: string, syscall: string): Error =>
    Object.assign(new Error(`${syscall} ${code}`), { code, syscall });

  it.each([
    ['connection refused', socketError('ECONNREFUSED', 'connect'), 'ECONNREFUSED'],
    [
      'refused on every address',
      new AggregateError([socketError('ECONNREFUSED', 'connect'), socketError('ECONNREFUSED', 'connect')]),
      'ECONNREFUSED',
    ],
    ['inside a failed query', wrapped(socketError('ECONNRESET', 'read')), 'ECONNRESET'],
    [
      "the driver's connect timeout",
      wrapped(Object.assign(new Error('write CONNECT_TIMEOUT'), { code: 'CONNECT_TIMEOUT' })),
      'CONNECT_TIMEOUT',
    ],
    [
      'the server shutting down',
      wrapped(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })),
      '57P01',
    ],
    ['too many connections', Object.assign(new Error('sorry, too many clients already'), { code: '53300' }), '53300'],
    ['a connection exception (class 08)', Object.assign(new Error('connection failure'), { code: '08006' }), '08006'],
    ['a unique violation', wrapped(Object.assign(new Error('duplicate key'), { code: '23505' })), undefined],
    ['a statement timeout', Object.assign(new Error('canceling statement'), { code: '57014' }), undefined],
    // An HTTP client that hung up mid-body: ECONNRESET, but not from a socket of ours.
    ["a client's aborted request", Object.assign(new Error('aborted'), { code: 'ECONNRESET' }), undefined],
    ['not an error at all', 'boom', undefined],
  ])('%s → %s', (_name, err, code) => {
    expect(databaseUnavailable(err)).toBe(code);
  });
});

describe('a database server that never answers', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  let database: Database;

  beforeAll(async () => {
    // Accepts connections and says nothing: a hung server, or a network that drops the replies.
    silent = createServer((s) => {
      sockets.push(s);
    });
    await new Promise<void>((resolve) =>
      silent.listen(0, '127.0.0.1', () => {
        resolve();
      }),
    );
    const { port } = silent.address() as { port: number };
    database = await openDatabase({ kind: 'postgres', url: `postgres://postgres@127.0.0.1:${port}/baton` });
  });
  afterAll(async () => {
    await database.close();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('is reported by the readiness check within its deadline, naming no SQL', async () => {
    const started = Date.now();
    const state = await database.ready();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(state).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^the database (did not answer within 1500 ms|is unreachable \(CONNECT_TIMEOUT\))$/,
      ) as unknown,
    });
  });

  it('fails a query within the connect timeout, as unreachable', async () => {
    const started = Date.now();
    const err = await database.db.execute(sql`select 1`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(databaseUnavailable(err)).toBe('CONNECT_TIMEOUT');
  });
});

describe('a database server that is not there', () => {
  it('fails a query at once, as unreachable, and /readyz says so', async () => {
    const database = await openDatabase({
      kind: 'postgres',
      url: `postgres://postgres@127.0.0.1:${await freePort()}/baton`,
    });
    try {
      const err = await database.db.execute(sql`select 1`).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(databaseUnavailable(err)).toBe('ECONNREFUSED');
      expect(await database.ready()).toEqual({ ok: false, reason: 'the database is unreachable (ECONNREFUSED)' });
    } finally {
      await database.close();
    }
  });
});
