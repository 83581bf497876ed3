import { and, asc, eq, inArray, lt, lte, ne, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.js';
import { handoffs, slaSteps } from '../schema.js';
import { rowsInsert, type Write } from './bulk.js';
import type { HandoffRow } from './handoffs.js';

export type NewSlaStep = typeof slaSteps.$inferInsert;
export type SlaStepRow = typeof slaSteps.$inferSelect;

/** Steps are inserted once: the (handoff, step, occurrence, rep) key makes a replay a no-op. */
export function stepsInsert(rows: readonly NewSlaStep[]): Write | undefined {
  return rowsInsert(slaSteps, rows, { onConflictDoNothing: true });
}

/** How many due steps a claim reads for each handoff it may lock. */
const CANDIDATE_STEPS_PER_CLAIM = 5;

export interface ClaimedStep {
  step: SlaStepRow;
  handoff: HandoffRow;
}

/**
 * Claims up to `limit` handoffs with due steps, earliest due first, and every due step of each,
 * for the rest of the transaction. The lock is the handoff's row: a sweep performs all of a
 * handoff's due steps together, so a catch-up is told whole (who missed, where the lead went) and
 * never split between two sweeps or two replicas. Handoffs another replica holds are skipped, not
 * waited for, so replicas share a backlog instead of queueing on it; a replica that dies mid-sweep
 * releases them with its transaction. Whatever else changes a handoff's steps (a decision, an
 * acknowledgement, a reassignment) updates the handoff's row first, so it takes the same lock in
 * the same order.
 */
export async function claimDueSteps(tx: Tx, workspaceId: string, now: Date, limit: number): Promise<ClaimedStep[]> {
  const due = and(eq(slaSteps.status, 'pending'), lte(slaSteps.dueAt, now));
  // The handoffs of the earliest due steps, earliest first, read from the due steps' index: several
  // times `limit` steps, so that replicas sweeping at once each find handoffs the others have not
  // locked, and never the whole backlog, which after a long downtime is large. As an array the
  // handoffs are then found by their key; joined, the planner scans every handoff ever made.
  const earliest = tx
    .select({ handoffId: slaSteps.handoffId, dueAt: slaSteps.dueAt })
    .from(slaSteps)
    .where(and(due, eq(slaSteps.workspaceId, workspaceId)))
    .orderBy(asc(slaSteps.dueAt))
    .limit(limit * CANDIDATE_STEPS_PER_CLAIM)
    .as('earliest');
  const candidates = sql`array(${tx
    .select({ id: earliest.handoffId })
    .from(earliest)
    .groupBy(earliest.handoffId)
    .orderBy(sql`min(${earliest.dueAt})`, earliest.handoffId)})`;
  const locked = await tx
    .select()
    .from(handoffs)
    .where(sql`${handoffs.id} = any(${candidates})`)
    .orderBy(sql`array_position(${candidates}, ${handoffs.id})`)
    .limit(limit)
    .for('update', { skipLocked: true });
  if (locked.length === 0) return [];
  const byId = new Map(locked.map((h) => [h.id, h]));
  const steps = await tx
    .select()
    .from(slaSteps)
    .where(and(inArray(slaSteps.handoffId, [...byId.keys()]), due));
  return steps
    .map((step) => ({ step, handoff: byId.get(step.handoffId)! }))
    .sort((a, b) => a.step.dueAt.getTime() - b.step.dueAt.getTime() || a.step.id - b.step.id);
}

export async function finishSteps(
  tx: DbOrTx,
  done: readonly number[],
  cancelled: readonly number[],
  at: Date,
): Promise<void> {
  if (done.length > 0)
    await tx
      .update(slaSteps)
      .set({ status: 'done', doneAt: at })
      .where(inArray(slaSteps.id, [...done]));
  if (cancelled.length > 0)
    await tx
      .update(slaSteps)
      .set({ status: 'cancelled', doneAt: at })
      .where(inArray(slaSteps.id, [...cancelled]));
}

/** Cancels a handoff's pending steps: all of them (a decision), or one action's (an acknowledged escalation). */
export async function cancelPendingSteps(
  tx: DbOrTx,
  handoffId: string,
  at: Date,
  only?: { action: SlaStepRow['action'] },
): Promise<void> {
  await tx
    .update(slaSteps)
    .set({ status: 'cancelled', doneAt: at })
    .where(
      and(
        eq(slaSteps.handoffId, handoffId),
        eq(slaSteps.status, 'pending'),
        only ? eq(slaSteps.action, only.action) : undefined,
      ),
    );
}

/** Cancels the steps of every rep but `repUserId`: their clock stopped when the handoff moved on. */
export async function cancelStepsOfOthers(tx: DbOrTx, handoffId: string, repUserId: string, at: Date): Promise<void> {
  await tx
    .update(slaSteps)
    .set({ status: 'cancelled', doneAt: at })
    .where(and(eq(slaSteps.handoffId, handoffId), eq(slaSteps.status, 'pending'), ne(slaSteps.repUserId, repUserId)));
}

/** Deletes up to `limit` done steps performed before `before`, skipping rows another replica is deleting; returns how many went. */
export async function purgeDoneSteps(db: DbOrTx, before: Date, limit: number): Promise<number> {
  const batch = db
    .select({ id: slaSteps.id })
    .from(slaSteps)
    .where(and(eq(slaSteps.status, 'done'), lt(slaSteps.doneAt, before)))
    .orderBy(asc(slaSteps.id))
    .limit(limit)
    .for('update', { skipLocked: true });
  return (await db.delete(slaSteps).where(inArray(slaSteps.id, batch)).returning({ id: slaSteps.id })).length;
}
