import type { Policy } from '../config/policy.js';
import { uniqueActivities, type Activity, type LeadFields } from '../domain/lead.js';
import { replayHistory, type HistoryEntry, type HistoryRules } from '../domain/history.js';
import { accountDomainOf, accountOwnerAfterAccept, latestClaims, type AccountClaim } from '../domain/routing.js';
import { scoreLead } from '../domain/scoring.js';
import { timeOrderedIds } from '../db/ids.js';
import type { NewEvent } from '../db/repo/events.js';
import type { HandoffRow } from '../db/repo/handoffs.js';
import { encodeImported, writeImported, writeImportedUnlessStored, type EncodedLead } from '../db/repo/imports.js';
import { knownIntakeKeys } from '../db/repo/leads.js';
import { lockKeys } from '../db/repo/locks.js';
import { claimAccounts } from '../db/repo/routing.js';
import type { ServiceContext } from './context.js';
import { teamById } from '../domain/teams.js';
import { planHandoff } from './handoff.js';
import type { IntakeInput } from './intake.js';

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

/** One lead planned from plain data before anything is written: its key, and its rows encoded for the write. */
export interface PlannedLead {
  source: string;
  externalId: string;
  rows: EncodedLead;
  /** Its accepts, which make their rep the company's owner as a live accept does. */
  claims: AccountClaim[];
}

/** A lead of a chunk as planned: ready to write, or refused with what is wrong. */
export type PlannedImport = PlannedLead | { problems: Problem[] };

/** Imported leads and handoffs get ids that sort by time, so a big import appends to their indexes. */
const newId = timeOrderedIds();

const keyOf = (l: { source: string; externalId: string | null }): string => `${l.source}\u0000${l.externalId}`;

/** What the policy says about the names a history uses, looked up once per policy rather than once per lead. */
const historyRulesOf = new WeakMap<Policy, HistoryRules>();
function historyRules(policy: Policy): HistoryRules {
  let rules = historyRulesOf.get(policy);
  if (rules === undefined) {
    const teams = new Set(policy.teams.map((t) => t.id));
    const outcomes = new Map(policy.rejectionReasons.map((r) => [r.id, r.outcome]));
    historyRulesOf.set(
      policy,
      (rules = { hasTeam: (id) => teams.has(id), rejectionOutcome: (id) => outcomes.get(id) }),
    );
  }
  return rules;
}

/**
 * A lead and its history as rows (README.md, "POST /api/leads/import"): the same lead, events, handoffs and frozen SLA plans
 * live data produces, so reports cannot tell them apart; no Slack delivery and no SLA step, since
 * history is not announced. A history that breaks the lifecycle plans nothing. Planned as soon as
 * the lead is read, before anything is written: only the plan is kept while its chunk waits for
 * the database. `now` is the chunk's, for the score's decay.
 */
export function planImport(ctx: ServiceContext, input: ImportInput, now: Date): PlannedImport {
  const { policy, workspaceId } = ctx;
  const replay = replayHistory(input.history, historyRules(policy));
  if (!replay.ok) return { problems: [replay.problem] };
  // The input is the lead's profile as it is: its fields, source and activities.
  const scored = scoreLead(policy.scoring, input, now, policy.accounts.personalDomains);
  const accountDomain = accountDomainOf(input, policy.accounts.personalDomains);
  const claims: AccountClaim[] = [];
  const id = newId();
  const { createdAt } = input;
  const events: NewEvent[] = [
    { workspaceId, leadId: id, type: 'created', toStage: 'lead', at: createdAt, actor: 'import' },
  ];
  const handoffs: HandoffRow[] = [];
  const handoffIds: string[] = [];
  for (const step of replay.steps) {
    if (step.kind === 'handoff') {
      const h = step.handoff;
      const { handoff, events: started } = planHandoff(
        ctx,
        {
          lead: { id },
          profile: input,
          score: scored.score,
          at: h.at,
          fromStage: h.fromStage,
          reason: 'import',
          actor: 'import',
          notify: false,
          seq: h.seq,
          id: newId(),
        },
        { team: teamById(policy, h.teamId)!, repUserId: h.repUserId, via: 'import' },
      );
      const d = h.decision;
      if (d !== undefined)
        Object.assign(handoff, {
          status: d.status,
          decidedAt: d.at,
          decidedBy: d.by,
          rejectReason: d.reason,
          rejectNote: d.note,
          outcome: d.outcome,
        });
      handoffs.push(handoff);
      handoffIds[h.seq] = handoff.id;
      if (d?.status === 'accepted' && accountDomain !== undefined)
        claims.push({
          domain: accountDomain,
          ownerUserId: accountOwnerAfterAccept(policy, d.by, h.repUserId),
          teamId: h.teamId,
          leadId: id,
          since: d.at,
        });
      events.push(...started);
    } else {
      events.push({
        workspaceId,
        leadId: id,
        handoffId: step.handoffSeq === undefined ? null : handoffIds[step.handoffSeq]!,
        type: step.type,
        fromStage: step.from,
        toStage: step.to,
        at: step.at,
        actor: step.actor,
        reason: step.reason,
      });
    }
  }
  const rows = encodeImported({
    // Every column by name (a field left out stays empty, the origin takes its default): a sender's
    // `score` is not the lead's score, as on the live intake.
    lead: {
      id,
      workspaceId,
      source: input.source,
      externalId: input.externalId,
      email: input.email,
      firstName: input.firstName,
      lastName: input.lastName,
      title: input.title,
      company: input.company,
      employees: input.employees,
      industry: input.industry,
      country: input.country,
      phone: input.phone,
      persona: input.persona,
      channel: input.channel,
      origin: input.origin,
      ownerHint: input.ownerHint,
      accountOwner: input.accountOwner,
      accountDomain,
      stage: replay.stage,
      createdAt,
      imported: true,
      score: scored.score,
      scoreBreakdown: scored.breakdown,
    },
    handoffs,
    events,
    activities: uniqueActivities(input.activities).map((a) => ({ workspaceId, leadId: id, type: a.type, at: a.at })),
  });
  return { source: input.source, externalId: input.externalId, rows, claims };
}

/** The plans not stored yet, each (source, externalId) once: the first of a chunk's copies wins. */
function notStored(
  valid: readonly PlannedLead[],
  known: readonly { source: string; externalId: string | null }[],
): PlannedLead[] {
  const seen = new Set(known.map(keyOf));
  return valid.filter((p) => {
    const key = keyOf(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Writes a chunk of planned leads in one transaction: the chunk's keys locked at once, then leads,
 * handoffs, events and activities copied in (COPY). Idempotent on (source, externalId): a lead
 * already stored — or sent twice in the chunk — is skipped, so re-running a file or resuming after
 * a crash imports each lead once. The keys are looked up only when the copy finds one stored. With
 * `dryRun` the keys are looked up and nothing is written.
 */
export async function writeImport(
  ctx: ServiceContext,
  plans: readonly PlannedImport[],
  opts: { dryRun?: boolean } = {},
): Promise<ImportOutcome[]> {
  const { workspaceId } = ctx;
  const valid = plans.filter((p): p is PlannedLead => !('problems' in p));
  const keys = valid.map((p) => ({ source: p.source, externalId: p.externalId }));
  let stored: Set<PlannedLead>;
  if (valid.length === 0) stored = new Set();
  else if (opts.dryRun === true) stored = new Set(notStored(valid, await knownIntakeKeys(ctx.db, workspaceId, keys)));
  else {
    stored = await ctx.db.transaction(async (tx) => {
      await lockKeys(
        tx,
        valid.map((p) => `lead:${workspaceId}:src:${p.source}:${p.externalId}`),
      );
      const once = notStored(valid, []);
      let fresh = once;
      if (
        !(await writeImportedUnlessStored(
          tx,
          once.map((p) => p.rows),
        ))
      ) {
        fresh = notStored(valid, await knownIntakeKeys(tx, workspaceId, keys));
        await writeImported(
          tx,
          fresh.map((p) => p.rows),
        );
      }
      await claimAccounts(tx, workspaceId, latestClaims(fresh.flatMap((p) => p.claims)));
      return new Set(fresh);
    });
  }
  return plans.map((p) => ('problems' in p ? p : stored.has(p) ? 'imported' : 'skipped'));
}
