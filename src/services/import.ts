import { randomUUID } from 'node:crypto';
import type { Activity, LeadFields } from '../domain/lead.js';
import { replayHistory, type HistoryEntry } from '../domain/history.js';
import { accountOwnerAfterAccept, latestClaims, type AccountClaim } from '../domain/routing.js';
import { scoreLead } from '../domain/scoring.js';
import { writeTogether } from '../db/repo/bulk.js';
import { eventsInsert, type NewEvent } from '../db/repo/events.js';
import { handoffsInsert } from '../db/repo/handoffs.js';
import { activitiesInsert, knownIntakeKeys, leadsInsert, type NewLead } from '../db/repo/leads.js';
import { lockKeys } from '../db/repo/locks.js';
import { claimAccounts } from '../db/repo/routing.js';
import type { ServiceContext } from './context.js';
import { planHandoff, teamById } from './handoff.js';
import { newLeadProfile, type IntakeInput } from './intake.js';

export interface ImportInput extends LeadFields, Pick<IntakeInput, 'domain' | 'website'> {
  source: string;
  externalId: string;
  createdAt: Date;
  activities: readonly Activity[];
  history: readonly HistoryEntry[];
}

export interface Problem {
  path: string;
  message: string;
}

/** Per lead: stored now, already there (skipped), or refused with what is wrong (nothing stored). */
export type ImportOutcome = 'imported' | 'skipped' | { problems: Problem[] };

/** One lead as rows, planned from plain data before anything is written. */
interface PlannedLead {
  input: ImportInput;
  lead: NewLead;
  events: NewEvent[];
  activities: { workspaceId: string; leadId: string; type: string; at: Date }[];
  handoffs: ReturnType<typeof planHandoff>['handoff'][];
  /** Its accepts, which make their rep the company's owner as a live accept does. */
  claims: AccountClaim[];
}

const keyOf = (l: { source: string; externalId: string | null }): string => JSON.stringify([l.source, l.externalId]);

/**
 * A lead and its history as rows (README.md, "POST /api/leads/import"): the same lead, events, handoffs and frozen SLA plans
 * live data produces, so reports cannot tell them apart; no Slack delivery and no SLA step, since
 * history is not announced. A history that breaks the lifecycle plans nothing.
 */
function planLead(ctx: ServiceContext, input: ImportInput, now: Date): PlannedLead | { problems: Problem[] } {
  const { policy, workspaceId } = ctx;
  const replay = replayHistory(input.history, {
    hasTeam: (id) => teamById(policy, id) !== undefined,
    rejectionOutcome: (id) => policy.rejectionReasons.find((r) => r.id === id)?.outcome,
  });
  if (!replay.ok) return { problems: [replay.problem] };
  const { createdAt, source, externalId } = input;
  // The same fields, company domain and activities as a live lead's; the sender's own score and MQL flag are not the lead's.
  const { activities, patch, profile } = newLeadProfile(input, policy.accounts.personalDomains);
  const scored = scoreLead(policy.scoring, profile, now, policy.accounts.personalDomains);
  const id = randomUUID();
  const events: NewEvent[] = [{ workspaceId, leadId: id, type: 'created', toStage: 'lead', at: createdAt, actor: 'import' }];
  const handoffs: PlannedLead['handoffs'] = [];
  const handoffIds = new Map<number, string>();
  const claims: AccountClaim[] = [];
  for (const step of replay.steps) {
    if (step.kind === 'handoff') {
      const h = step.handoff;
      const team = teamById(policy, h.teamId)!;
      const planned = planHandoff(ctx, { lead: { id }, profile, score: scored.score, at: h.at, fromStage: h.fromStage, reason: 'import', actor: 'import', notify: false, seq: h.seq }, { team, repUserId: h.repUserId, via: 'import' });
      const d = h.decision;
      handoffs.push(d === undefined ? planned.handoff : { ...planned.handoff, status: d.status, decidedAt: d.at, decidedBy: d.by, rejectReason: d.reason, rejectNote: d.note, outcome: d.outcome });
      handoffIds.set(h.seq, planned.handoff.id);
      if (d?.status === 'accepted' && profile.accountDomain !== undefined) claims.push({ domain: profile.accountDomain, ownerUserId: accountOwnerAfterAccept(policy, d.by, h.repUserId), teamId: h.teamId, leadId: id, since: d.at });
      events.push(...planned.events);
    } else {
      events.push({ workspaceId, leadId: id, handoffId: step.handoffSeq === undefined ? null : handoffIds.get(step.handoffSeq)!, type: step.type, fromStage: step.from, toStage: step.to, at: step.at, actor: step.actor, reason: step.reason });
    }
  }
  return {
    input,
    lead: { id, workspaceId, source, externalId, stage: replay.stage, createdAt, imported: true, score: scored.score, scoreBreakdown: scored.breakdown, ...patch },
    events,
    activities: activities.map((a) => ({ workspaceId, leadId: id, type: a.type, at: a.at })),
    handoffs,
    claims,
  };
}

/** The plans not stored yet, each (source, externalId) once: the first of a chunk's copies wins. */
function notStored(valid: readonly PlannedLead[], known: readonly { source: string; externalId: string | null }[]): PlannedLead[] {
  const seen = new Set(known.map(keyOf));
  return valid.filter((p) => {
    const key = keyOf(p.input);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Imports a chunk of leads in one transaction: every lead planned in memory
 * first, the chunk's keys locked and looked up at once, then leads, events, activities and
 * handoffs written as one statement. Idempotent on (source, externalId): a lead already stored —
 * or sent twice in the chunk — is skipped, so re-running a file or resuming after a crash imports
 * each lead once. With `dryRun` the chunk is planned and looked up, and nothing is written.
 */
export async function importChunk(ctx: ServiceContext, inputs: readonly ImportInput[], opts: { dryRun?: boolean } = {}): Promise<ImportOutcome[]> {
  const now = ctx.now();
  const { workspaceId } = ctx;
  const plans = inputs.map((input) => planLead(ctx, input, now));
  const valid = plans.filter((p): p is PlannedLead => !('problems' in p));
  const keys = valid.map((p) => ({ source: p.input.source, externalId: p.input.externalId }));
  let stored: Set<PlannedLead>;
  if (valid.length === 0) stored = new Set();
  else if (opts.dryRun === true) stored = new Set(notStored(valid, await knownIntakeKeys(ctx.db, workspaceId, keys)));
  else {
    stored = await ctx.db.transaction(async (tx) => {
      const [, known] = await Promise.all([lockKeys(tx, valid.map((p) => `lead:${workspaceId}:src:${p.input.source}:${p.input.externalId}`)), knownIntakeKeys(tx, workspaceId, keys)]);
      const fresh = notStored(valid, known);
      await writeTogether(tx, [
        leadsInsert(fresh.map((p) => p.lead)),
        handoffsInsert(fresh.flatMap((p) => p.handoffs)),
        eventsInsert(fresh.flatMap((p) => p.events)),
        activitiesInsert(fresh.flatMap((p) => p.activities)),
      ]);
      await claimAccounts(tx, workspaceId, latestClaims(fresh.flatMap((p) => p.claims)));
      return new Set(fresh);
    });
  }
  return plans.map((p) => ('problems' in p ? p : stored.has(p) ? 'imported' : 'skipped'));
}
