import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsInsert, writeTogether } from '../../src/db/repo/bulk.js';
import { events, leads, outbox } from '../../src/db/schema.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
beforeAll(async () => { db = await freshDatabase(); });
afterAll(async () => { await db.dispose(); });

describe('rowsInsert (one JSON parameter, jsonb_to_recordset)', () => {
  it('stores every column as an ordinary insert would: instants, jsonb, nulls, static and database defaults', async () => {
    const leadId = '00000000-0000-4000-8000-000000000001';
    const before = Date.now();
    await writeTogether(db.db, [rowsInsert(leads, [{ id: leadId, workspaceId: 'T1', source: 's', stage: 'lead', createdAt: new Date('2026-03-29T01:30:00Z'), scoreBreakdown: [{ family: 'negatives', label: 'x "quoted"', points: -20 }] }])]);
    const [lead] = await db.db.select().from(leads).where(eq(leads.id, leadId));
    expect(lead).toMatchObject({ source: 's', score: 0, origin: 'marketing', imported: false, email: null, scoreBreakdown: [{ family: 'negatives', label: 'x "quoted"', points: -20 }] });
    expect(lead!.createdAt.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // The database's own now(), taken during the write: between the instants around it.
    expect(lead!.updatedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(lead!.updatedAt.getTime()).toBeLessThanOrEqual(Date.now());

    await writeTogether(db.db, [rowsInsert(events, [
      { workspaceId: 'T1', leadId, type: 'created', toStage: 'lead', at: new Date('2026-03-29T01:30:00Z'), data: { n: 1 } },
      { workspaceId: 'T1', leadId, type: 'assigned', at: new Date('2026-03-29T01:31:00Z') },
    ])]);
    const rows = await db.db.select().from(events).where(eq(events.leadId, leadId)).orderBy(asc(events.id));
    expect(rows.map((r) => [r.type, r.toStage, r.fromStage, r.data])).toEqual([['created', 'lead', null, { n: 1 }], ['assigned', null, null, {}]]);
  });

  it('a database default applies to the rows that leave the value out, and on conflict do nothing skips duplicates', async () => {
    const later = new Date('2030-01-01T00:00:00Z');
    const row = (key: string, notBefore?: Date) => ({ workspaceId: 'T1', dedupeKey: key, kind: 'k', payload: { key }, ...(notBefore ? { notBefore } : {}) });
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
      rowsInsert(events, [{ workspaceId: 'T1', leadId, type: 'created', toStage: 'lead', at: new Date('2026-04-01T09:00:00Z') }]),
      rowsInsert(leads, [{ id: leadId, workspaceId: 'T1', source: 'together', stage: 'lead' }]),
      undefined,
    ]);
    expect((await db.db.select().from(events).where(eq(events.leadId, leadId))).map((e) => e.type)).toEqual(['created']);

    const orphan = '00000000-0000-4000-8000-000000000003';
    const other = '00000000-0000-4000-8000-000000000004';
    await expect(writeTogether(db.db, [rowsInsert(leads, [{ id: other, workspaceId: 'T1', source: 'together', stage: 'lead' }]), rowsInsert(events, [{ workspaceId: 'T1', leadId: orphan, type: 'created', at: new Date() }])])).rejects.toThrow();
    expect(await db.db.select().from(leads).where(eq(leads.id, other))).toEqual([]);
  });
});
