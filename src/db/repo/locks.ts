import { sql } from 'drizzle-orm';
import type { Tx } from '../client.js';

/**
 * Serialises transactions that touch the same natural key (a lead's source id or email) without
 * a unique constraint that would make the second writer fail: the second waits, then sees the row.
 * Keys are taken in sorted order so two transactions never wait on each other.
 */
export async function lockKeys(tx: Tx, keys: readonly string[]): Promise<void> {
  for (const key of [...new Set(keys)].sort()) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
  }
}
