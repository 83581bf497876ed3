import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { rowsInsert, writeTogether, type Write } from './bulk.js';
import { events } from '../schema.js';

export type NewEvent = typeof events.$inferInsert;

/** What an event says, as its readers show it or rebuild history from it; `data` is read by the domain (src/domain/routing.ts). */
export interface EventFacts {
  type: string;
  toStage: string | null;
  at: Date;
  actor: string | null;
  reason: string | null;
  data: unknown;
}

/** The columns of `EventFacts`, for a select. */
export const eventFacts = {
  type: events.type,
  toStage: events.toStage,
  at: events.at,
  actor: events.actor,
  reason: events.reason,
  data: events.data,
};

/** The append-only history: rows are only ever inserted. */
export async function appendEvents(db: DbOrTx, rows: readonly NewEvent[]): Promise<void> {
  await writeTogether(db, [eventsInsert(rows)]);
}

export function eventsInsert(rows: readonly NewEvent[]): Write | undefined {
  return rowsInsert(events, rows);
}

/** The data of a handoff's first assignment: the routing decision and why it was made. */
export async function routingDecision(db: DbOrTx, handoffId: string): Promise<unknown> {
  const rows = await db
    .select({ data: events.data })
    .from(events)
    .where(and(eq(events.handoffId, handoffId), eq(events.type, 'assigned')))
    .orderBy(asc(events.id))
    .limit(1);
  return rows[0]?.data;
}

const PROGRESS_EVENTS = ['qualified', 'opportunity', 'won', 'lost', 'nurtured'];

/** The latest step after acceptance recorded for a handoff, for its card. */
export async function latestProgress(
  db: DbOrTx,
  handoffId: string,
): Promise<{ stage: string; by: string; reason: string | null } | undefined> {
  const rows = await db
    .select({ stage: events.toStage, by: events.actor, reason: events.reason })
    .from(events)
    .where(and(eq(events.handoffId, handoffId), inArray(events.type, PROGRESS_EVENTS)))
    .orderBy(desc(events.at), desc(events.id))
    .limit(1);
  const row = rows[0];
  return row?.stage ? { stage: row.stage, by: row.by ?? 'someone', reason: row.reason } : undefined;
}
