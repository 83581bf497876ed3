import { copyIn, type Tx } from '../client.js';
import { isUniqueViolation } from '../errors.js';
import { activities, events, handoffs, leads } from '../schema.js';
import { copyBytes, copyFormat, REUSE_PLANS } from './bulk.js';
import type { NewEvent } from './events.js';
import type { NewHandoff } from './handoffs.js';
import type { NewLead } from './leads.js';

export type NewActivity = typeof activities.$inferInsert;

/** A lead's rows as an import writes them: the lead, its handoffs, events and activities, ids chosen by the caller. */
export interface ImportedRows {
  lead: NewLead;
  handoffs: readonly NewHandoff[];
  events: readonly NewEvent[];
  activities: readonly NewActivity[];
}

/** One lead's rows as lines of COPY text, per table. */
export interface EncodedLead {
  lead: string[];
  handoffs: string[];
  events: string[];
  activities: string[];
}

// Leads first, so that what references them finds them (foreign keys are checked as each copy ends).
const formats = {
  lead: copyFormat(leads, ['updatedAt']),
  handoffs: copyFormat(handoffs),
  events: copyFormat(events, ['id']),
  activities: copyFormat(activities, ['id']),
};

/**
 * A lead's rows as COPY text, made as soon as the lead is planned: the text is all a chunk holds
 * while it waits for the database, and the rows' many small objects are garbage at once, which
 * costs the collector far less than objects that live on.
 */
export function encodeImported(rows: ImportedRows): EncodedLead {
  return {
    lead: [formats.lead.line(rows.lead)],
    handoffs: rows.handoffs.map((h) => formats.handoffs.line(h)),
    events: rows.events.map((e) => formats.events.line(e)),
    activities: rows.activities.map((a) => formats.activities.line(a)),
  };
}

/**
 * Writes a chunk of new leads with COPY. The caller holds their keys' locks and has left out those
 * already stored, so nothing here can conflict with a row another writer committed.
 *
 * Postgres keeps plans for the rest of the transaction, for the foreign-key checks it runs per
 * row, as `writeTogether` (src/db/repo/bulk.ts) does for its statement: planned afresh for every
 * row, they cost ten times the insert itself here (measured with EXPLAIN ANALYZE: 360 µs a
 * handoff). Everything after it in an import's transaction is a write too.
 */
export async function writeImported(tx: Tx, chunk: readonly EncodedLead[]): Promise<void> {
  if (chunk.length === 0) return;
  await tx.execute(REUSE_PLANS);
  for (const table of ['lead', 'handoffs', 'events', 'activities'] as const) {
    const lines = chunk.flatMap((l) => l[table]);
    if (lines.length > 0)
      await copyIn(tx, { table: formats[table].table, columns: formats[table].columns, data: copyBytes(lines) });
  }
}

/**
 * Writes a chunk of leads whose keys the caller holds locked, without looking them up first: false
 * (and nothing written) when one of them is stored already — a file imported again, an import
 * resumed — for the caller to look them up and write the others. A new import is all new leads,
 * and looking a million keys up cost Postgres more than the locks and the leads' own index.
 */
export async function writeImportedUnlessStored(tx: Tx, chunk: readonly EncodedLead[]): Promise<boolean> {
  try {
    await tx.transaction(async (savepoint) => {
      await writeImported(savepoint, chunk);
    });
    return true;
  } catch (err) {
    if (isUniqueViolation(err, 'leads_source_external_id')) return false;
    throw err;
  }
}
