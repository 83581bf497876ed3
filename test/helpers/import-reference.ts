import { DomainError } from '../../src/domain/errors.js';
import type { HistoryEntry } from '../../src/domain/history.js';
import type { LeadFields, LeadProfile } from '../../src/domain/lead.js';
import type { ImportInput } from '../../src/services/import.js';
import { assertTransition, EVENT_FOR_STAGE, type Stage } from '../../src/domain/lifecycle.js';
import { scoreLead } from '../../src/domain/scoring.js';
import type { Tx } from '../../src/db/client.js';
import { appendEvents } from '../../src/db/repo/events.js';
import { decideHandoff, type HandoffRow } from '../../src/db/repo/handoffs.js';
import { addActivities, findLeadForIntake, insertLead, moveLeadStage, type LeadRow } from '../../src/db/repo/leads.js';
import { lockKeys } from '../../src/db/repo/locks.js';
import type { ServiceContext } from '../../src/services/context.js';
import { teamById } from '../../src/domain/teams.js';
import { startHandoff } from '../../src/services/handoff.js';

type ImportOutcome = 'imported' | 'skipped';

const invalid = (i: number, message: string): DomainError =>
  new DomainError('validation_failed', `history[${i}]: ${message}`, [{ path: `history.${i}`, message }]);

/**
 * The import as it was before the bulk path (issue 17), kept only as the tests' reference: one
 * lead per transaction, its history walked one statement at a time through the live repository
 * verbs. The bulk import must leave exactly the same report figures.
 *
 * Backfills one lead with its history (README.md, "POST /api/leads/import"): the same events, handoffs and frozen SLA plans
 * live data produces, so reports cannot tell them apart, and nothing posted to Slack. One
 * transaction per lead: a history that breaks the lifecycle stores nothing of that lead.
 */
export async function importLead(ctx: ServiceContext, input: ImportInput): Promise<ImportOutcome> {
  return ctx.db.transaction(async (tx) => {
    await lockKeys(tx, [`lead:${ctx.workspaceId}:src:${input.source}:${input.externalId}`]);
    if (await findLeadForIntake(tx, ctx.workspaceId, { source: input.source, externalId: input.externalId }))
      return 'skipped';
    const { history, createdAt, activities, source, externalId, ...fields } = input;
    const profile: LeadProfile = { ...fields, source, activities };
    const scored = scoreLead(ctx.policy.scoring, profile, ctx.now(), ctx.policy.accounts.personalDomains);
    const lead = await insertLead(tx, {
      workspaceId: ctx.workspaceId,
      source,
      externalId,
      stage: 'lead',
      createdAt,
      imported: true,
      score: scored.score,
      scoreBreakdown: scored.breakdown,
      ...definedFields(fields),
    });
    await appendEvents(tx, [
      {
        workspaceId: ctx.workspaceId,
        leadId: lead.id,
        type: 'created',
        toStage: 'lead',
        at: createdAt,
        actor: 'import',
      },
    ]);
    await addActivities(tx, ctx.workspaceId, lead.id, activities);
    await replayHistory(ctx, tx, lead, profile, scored.score, history);
    return 'imported';
  });
}

function definedFields(fields: LeadFields): LeadFields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== ''));
}

async function replayHistory(
  ctx: ServiceContext,
  tx: Tx,
  lead: LeadRow,
  profile: LeadProfile,
  score: number,
  history: readonly HistoryEntry[],
): Promise<void> {
  const ws = ctx.workspaceId;
  // Mutated by move() and by the mql branch; an object so the compiler does not pin its type.
  const current: { stage: Stage } = { stage: 'lead' };
  let open: HandoffRow | undefined;
  const move = async (
    i: number,
    to: Stage,
    event: {
      type: string;
      at: Date;
      actor: string | undefined;
      reason?: string | undefined;
      handoffId?: string | undefined;
    },
  ): Promise<void> => {
    try {
      assertTransition(current.stage, to);
    } catch (err) {
      throw invalid(i, err instanceof Error ? err.message : String(err));
    }
    if (!(await moveLeadStage(tx, lead.id, current.stage, to)))
      throw new DomainError('conflict', 'The lead changed while it was imported.');
    await appendEvents(tx, [
      {
        workspaceId: ws,
        leadId: lead.id,
        handoffId: event.handoffId ?? null,
        type: event.type,
        fromStage: current.stage,
        toStage: to,
        at: event.at,
        actor: event.actor ?? 'import',
        reason: event.reason ?? null,
      },
    ]);
    current.stage = to;
  };

  for (const [i, e] of history.entries()) {
    switch (e.stage) {
      case 'mql': {
        if (!teamById(ctx.policy, e.team)) throw invalid(i, `team "${e.team}" is not in the policy`);
        try {
          assertTransition(current.stage, 'mql');
        } catch (err) {
          throw invalid(i, err instanceof Error ? err.message : String(err));
        }
        open = await startHandoff(ctx, tx, {
          lead,
          profile,
          score,
          at: e.at,
          fromStage: current.stage,
          reason: 'import',
          actor: 'import',
          notify: false,
          assigned: { teamId: e.team, repUserId: e.owner },
        });
        current.stage = 'mql';
        break;
      }
      case 'sal':
      case 'rejected': {
        if (!open) throw invalid(i, `"${e.stage}" decides a handoff, but no "mql" entry started one`);
        const reason = e.stage === 'rejected' ? ctx.policy.rejectionReasons.find((r) => r.id === e.reason) : undefined;
        if (e.stage === 'rejected' && e.reason !== undefined && !reason)
          throw invalid(i, `rejection reason "${e.reason}" is not in the policy`);
        const outcome = reason?.outcome ?? 'nurture';
        await decideHandoff(
          tx,
          open.id,
          e.stage === 'sal'
            ? { status: 'accepted', decidedAt: e.at, decidedBy: e.by }
            : {
                status: 'rejected',
                decidedAt: e.at,
                decidedBy: e.by,
                rejectReason: e.reason ?? null,
                rejectNote: e.note ?? null,
                outcome,
              },
        );
        const to: Stage = e.stage === 'sal' ? 'sal' : outcome === 'disqualify' ? 'disqualified' : 'nurture';
        await move(i, to, {
          type: e.stage === 'sal' ? 'accepted' : 'rejected',
          at: e.at,
          actor: e.by,
          reason: e.stage === 'rejected' ? e.reason : undefined,
          handoffId: open.id,
        });
        open = undefined;
        break;
      }
      default: {
        // A rejection already landed the lead in its outcome current.stage; repeating that current.stage says nothing new.
        if (e.stage === current.stage) break;
        if (open && (e.stage === 'nurture' || e.stage === 'disqualified'))
          throw invalid(i, `the open handoff must be decided ("sal" or "rejected") before "${e.stage}"`);
        await move(i, e.stage, {
          type: EVENT_FOR_STAGE[e.stage],
          at: e.at,
          actor: e.by,
          reason: e.stage === 'lost' ? e.reason : undefined,
        });
      }
    }
  }
}
