import type { DbOrTx } from '../client.js';
import { events } from '../schema.js';

export type NewEvent = typeof events.$inferInsert;

/** The append-only history: rows are only ever inserted. */
export async function appendEvents(db: DbOrTx, rows: readonly NewEvent[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(events).values([...rows]);
}
