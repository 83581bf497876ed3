import { sql } from 'drizzle-orm';
import type { Tx } from '../client.js';

/**
 * Serialises transactions that touch the same natural key (a lead's source id or email) without
 * a unique constraint that would make the second writer fail: the second waits, then sees the row.
 * Keys are taken in sorted order so two transactions never wait on each other.
 */
export async function lockKeys(tx: Tx, keys: readonly string[]): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return;
  // One round trip; ORDER BY keeps the sorted locking order inside the statement, and the keys
  // travel as one parameter so the statement is the same however many there are.
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from jsonb_array_elements_text(${JSON.stringify(sorted)}::jsonb) as k order by k`,
  );
}
