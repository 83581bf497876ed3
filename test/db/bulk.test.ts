import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyIn, type Tx } from '../../src/db/client.js';
import {
  copyBytes,
  copyFormat,
  rowsInsert,
  transactionEndingWith,
  writeTogether,
  type CopyFormat,
} from '../../src/db/repo/bulk.js';
import { events, leads, outbox } from '../../src/db/schema.js';
import { freshDatabase, hasServer, type TestDatabase } from '../helpers/db.js';

/** The embedded database, and the server when the suite has one. */
const BOTH_DATABASES = [
  ['PGlite', { server: false }],
  ...(hasServer ? [['the PostgreSQL server', { server: true }] as const] : []),
] as const;

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db.dispose();
});

describe('copyBytes', () => {
  it.each([
    ['no lines', []],
    ['ASCII lines and an empty one', ['a\tb', '', 'c']],
    ['characters of two, three and four UTF-8 bytes', ['å ä ö', '€ ✓', '🙂 \u{1F680}']],
    // Past the first 64 KiB the buffer grows, once by doubling and once to fit a single long line.
    [
      'lines past the first buffer',
      [...Array.from({ length: 900 }, (_, i) => `${i}:${'x'.repeat(100)}`), '€'.repeat(300_000)],
    ],
  ])('%s: the same bytes as the lines joined with newlines and encoded as UTF-8', (_name, lines) => {
    const expected = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
    expect(copyBytes(lines).equals(expected)).toBe(true);
  });
});

describe('rowsInsert (one JSON parameter, jsonb_to_recordset)', () => {
  it('stores every column as an ordinary insert would: instants, jsonb, nulls, static and database defaults', async () => {
    const leadId = '00000000-0000-4000-8000-000000000001';
    const before = Date.now();
    await writeTogether(db.db, [
      rowsInsert(leads, [
        {
          id: leadId,
          workspaceId: 'T1',
          source: 's',
          stage: 'lead',
          createdAt: new Date('2026-03-29T01:30:00Z'),
          scoreBreakdown: [{ family: 'negatives', label: 'x "quoted"', points: -20 }],
        },
      ]),
    ]);
    const [lead] = await db.db.select().from(leads).where(eq(leads.id, leadId));
    expect(lead).toMatchObject({
      source: 's',
      score: 0,
      origin: 'marketing',
      imported: false,
      email: null,
      scoreBreakdown: [{ family: 'negatives', label: 'x "quoted"', points: -20 }],
    });
    expect(lead!.createdAt.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // The database's own now(), taken during the write: between the instants around it.
    expect(lead!.updatedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(lead!.updatedAt.getTime()).toBeLessThanOrEqual(Date.now());

    await writeTogether(db.db, [
      rowsInsert(events, [
        {
          workspaceId: 'T1',
          leadId,
          type: 'created',
          toStage: 'lead',
          at: new Date('2026-03-29T01:30:00Z'),
          data: { n: 1 },
        },
        { workspaceId: 'T1', leadId, type: 'assigned', at: new Date('2026-03-29T01:31:00Z') },
      ]),
    ]);
    const rows = await db.db.select().from(events).where(eq(events.leadId, leadId)).orderBy(asc(events.id));
    expect(rows.map((r) => [r.type, r.toStage, r.fromStage, r.data])).toEqual([
      ['created', 'lead', null, { n: 1 }],
      ['assigned', null, null, {}],
    ]);
  });

  it('a database default applies to the rows that leave the value out, and on conflict do nothing skips duplicates', async () => {
    const later = new Date('2030-01-01T00:00:00Z');
    const row = (key: string, notBefore?: Date) => ({
      workspaceId: 'T1',
      dedupeKey: key,
      kind: 'k',
      payload: { key },
      ...(notBefore ? { notBefore } : {}),
    });
    await writeTogether(db.db, [rowsInsert(outbox, [row('a', later), row('b')], { onConflictDoNothing: true })]);
    await writeTogether(db.db, [rowsInsert(outbox, [row('a'), row('c')], { onConflictDoNothing: true })]);
    const rows = await db.db.select().from(outbox).orderBy(asc(outbox.id));
    expect(rows.map((r) => r.dedupeKey)).toEqual(['a', 'b', 'c']);
    expect(rows[0]!.notBefore.toISOString()).toBe(later.toISOString());
    expect(rows[1]!.notBefore.getTime()).toBeLessThan(later.getTime());
    expect(rows[1]!.status).toBe('pending');
  });

  it('writes for several tables go as one statement: a row may reference one written beside it, and a failure stores none', async () => {
    const leadId = '00000000-0000-4000-8000-000000000002';
    await writeTogether(db.db, [
      rowsInsert(events, [
        { workspaceId: 'T1', leadId, type: 'created', toStage: 'lead', at: new Date('2026-04-01T09:00:00Z') },
      ]),
      rowsInsert(leads, [{ id: leadId, workspaceId: 'T1', source: 'together', stage: 'lead' }]),
      undefined,
    ]);
    expect((await db.db.select().from(events).where(eq(events.leadId, leadId))).map((e) => e.type)).toEqual([
      'created',
    ]);

    const orphan = '00000000-0000-4000-8000-000000000003';
    const other = '00000000-0000-4000-8000-000000000004';
    await expect(
      writeTogether(db.db, [
        rowsInsert(leads, [{ id: other, workspaceId: 'T1', source: 'together', stage: 'lead' }]),
        rowsInsert(events, [{ workspaceId: 'T1', leadId: orphan, type: 'created', at: new Date() }]),
      ]),
    ).rejects.toThrow();
    expect(await db.db.select().from(leads).where(eq(leads.id, other))).toEqual([]);
  });
});

describe.each(BOTH_DATABASES)('copyFormat and copyIn (COPY … FROM STDIN) on %s', (_name, target) => {
  let copyDb: TestDatabase;
  beforeAll(async () => {
    copyDb = await freshDatabase(target);
  });
  afterAll(async () => {
    await copyDb.dispose();
  });

  const leadFormat = copyFormat(leads, ['updatedAt']);
  const eventFormat = copyFormat(events, ['id']);
  const copy = (tx: Tx, format: CopyFormat<never>, rows: readonly unknown[]) =>
    copyIn(tx, {
      table: format.table,
      columns: format.columns,
      data: copyBytes(rows.map((r) => format.line(r as never))),
    });

  it('stores text COPY must escape, instants to the millisecond, jsonb, nulls and defaults as an ordinary insert would', async () => {
    const leadId = '00000000-0000-4000-8000-00000000c001';
    const awkward = 'tab\there, new\nline, carriage\rreturn, back\\slash \\N, "quotes", å ä ö, 🙂';
    const instants = [
      '1970-01-01T00:00:00.000Z',
      '2026-03-29T00:59:59.999Z',
      '2026-10-25T01:00:00.001Z',
      '9999-12-31T23:59:59.999Z',
    ];
    await copyDb.db.transaction(async (tx) => {
      await copy(tx, leadFormat, [
        {
          id: leadId,
          workspaceId: 'T1',
          source: 'copy',
          externalId: awkward,
          stage: 'lead',
          createdAt: new Date(instants[1]!),
          scoreBreakdown: [{ label: awkward, points: -20 }],
          employees: 250,
          imported: true,
        },
      ]);
      await copy(
        tx,
        eventFormat,
        instants.map((at, i) => ({
          workspaceId: 'T1',
          leadId,
          type: `e${i}`,
          at: new Date(at),
          actor: i === 0 ? null : awkward,
          data: i === 0 ? undefined : { i, awkward },
        })),
      );
    });
    const [lead] = await copyDb.db.select().from(leads).where(eq(leads.id, leadId));
    expect(lead).toMatchObject({
      externalId: awkward,
      origin: 'marketing',
      score: 0,
      employees: 250,
      imported: true,
      email: null,
      scoreBreakdown: [{ label: awkward, points: -20 }],
    });
    expect(lead!.createdAt.toISOString()).toBe(instants[1]);
    // The database's default for the column every row leaves out.
    expect(Math.abs(lead!.updatedAt.getTime() - Date.now())).toBeLessThan(60_000);
    const rows = await copyDb.db.select().from(events).where(eq(events.leadId, leadId)).orderBy(asc(events.id));
    expect(rows.map((r) => [r.at.toISOString(), r.actor, r.data, r.toStage])).toEqual(
      instants.map((at, i) => [at, i === 0 ? null : awkward, i === 0 ? {} : { i, awkward }, null]),
    );
  });

  it('a COPY the database refuses fails with its error and stores nothing, and the connection goes on', async () => {
    const leadId = '00000000-0000-4000-8000-00000000c002';
    const row = {
      id: leadId,
      workspaceId: 'T1',
      source: 'refused',
      externalId: 'twice',
      stage: 'lead',
      createdAt: new Date(),
    };
    // The same key twice: refused by the unique index only when the data has all been sent.
    const failed = copyDb.db.transaction(async (tx) => {
      await copy(tx, leadFormat, [row, { ...row, id: '00000000-0000-4000-8000-00000000c003' }]);
    });
    await expect(failed).rejects.toMatchObject({
      message: expect.stringMatching(
        /duplicate key value violates unique constraint "leads_source_external_id"/,
      ) as unknown,
    });
    expect(await copyDb.db.select().from(leads).where(eq(leads.source, 'refused'))).toEqual([]);
    // An orphan event: refused by its foreign key as the copy ends.
    const orphan = copyDb.db.transaction(async (tx) => {
      await copy(tx, eventFormat, [
        { workspaceId: 'T1', leadId: '00000000-0000-4000-8000-00000000c0ff', type: 'created', at: new Date() },
      ]);
    });
    await expect(orphan).rejects.toMatchObject({ message: expect.stringMatching(/foreign key/) as unknown });
    await copyDb.db.transaction(async (tx) => {
      await copy(tx, leadFormat, [{ ...row, externalId: 'once' }]);
    });
    expect((await copyDb.db.select().from(leads).where(eq(leads.source, 'refused'))).map((l) => l.externalId)).toEqual([
      'once',
    ]);
  }, 30_000);

  it('a column whose default is SQL must be set by every row or left out', () => {
    expect(() => copyFormat(leads).line({ workspaceId: 'T1', source: 's', stage: 'lead' })).toThrow(
      /leads\.(id|created_at|updated_at): a row leaves it to the database's default/,
    );
  });
});

describe.each(BOTH_DATABASES)('transactionEndingWith on %s', (_name, target) => {
  let endDb: TestDatabase;
  beforeAll(async () => {
    endDb = await freshDatabase(target);
  });
  afterAll(async () => {
    await endDb.dispose();
  });

  const lead = (id: string, externalId: string) =>
    rowsInsert(leads, [{ id, workspaceId: 'T1', source: 'ending', externalId, stage: 'lead' }]);
  const event = (leadId: string) =>
    rowsInsert(events, [{ workspaceId: 'T1', leadId, type: 'created', toStage: 'lead', at: new Date() }]);
  const stored = async () =>
    (await endDb.db.select().from(leads).where(eq(leads.source, 'ending')).orderBy(asc(leads.externalId))).map(
      (l) => l.externalId,
    );

  it('stores what the body wrote and the last writes with it, and answers the body value', async () => {
    const id = '00000000-0000-4000-8000-00000000e001';
    const value = await transactionEndingWith(endDb.db, async (tx) => {
      await writeTogether(tx, [lead(id, 'body')]);
      return { value: 'done', last: [event(id), undefined, lead('00000000-0000-4000-8000-00000000e002', 'last')] };
    });
    expect(value).toBe('done');
    expect(await stored()).toEqual(['body', 'last']);
    expect((await endDb.db.select().from(events).where(eq(events.leadId, id))).map((e) => e.type)).toEqual(['created']);
  });

  it('a last write that fails fails the call with its error and stores nothing of the transaction; the next one goes on', async () => {
    const failing = transactionEndingWith(endDb.db, async (tx) => {
      await writeTogether(tx, [lead('00000000-0000-4000-8000-00000000e003', 'kept-back')]);
      // An event for a lead that does not exist: refused by its foreign key.
      return { value: 'never', last: [event('00000000-0000-4000-8000-00000000e0ff')] };
    });
    await expect(failing).rejects.toMatchObject({
      cause: expect.objectContaining({ message: expect.stringMatching(/foreign key/) as unknown }) as unknown,
    });
    expect(await stored()).not.toContain('kept-back');
    await transactionEndingWith(endDb.db, () =>
      Promise.resolve({ value: undefined, last: [lead('00000000-0000-4000-8000-00000000e004', 'after')] }),
    );
    expect(await stored()).toContain('after');
  });
});
