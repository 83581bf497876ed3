import type { Activity, LeadFields, LeadProfile } from '../domain/lead.js';
import { decideMql, scoreLead, type ScoreResult } from '../domain/scoring.js';
import type { Tx } from '../db/client.js';
import { appendEvents } from '../db/repo/events.js';
import { pendingHandoffForLead } from '../db/repo/handoffs.js';
import { addActivities, findLeadForIntake, insertLead, listActivities, updateLead, type LeadRow } from '../db/repo/leads.js';
import { lockKeys } from '../db/repo/locks.js';
import { startHandoff } from './handoff.js';
import type { ServiceContext } from './context.js';

export interface IntakeInput extends LeadFields {
  source: string;
  externalId?: string | undefined;
  activities: readonly Activity[];
  /** The marketing-automation system already decided this is an MQL. */
  mql?: boolean | undefined;
  /** The sender's own score: kept with the lead's history, never a substitute for the policy's. */
  score?: number | undefined;
}

export interface IntakeResult {
  leadId: string;
  stage: string;
  score: number;
  handoffId: string | undefined;
  created: boolean;
}

const MERGED_FIELDS = ['email', 'firstName', 'lastName', 'title', 'company', 'employees', 'industry', 'country', 'phone', 'persona', 'channel', 'origin', 'ownerHint'] as const satisfies readonly (keyof LeadFields)[];

/** Stages from which a fresh qualification starts a new handoff (a recycled lead comes back). */
const REQUALIFIABLE = new Set(['lead', 'nurture', 'lost']);

/** Non-empty incoming values win; a field the sender left out or blank keeps what we know. */
function mergedFields(existing: LeadRow | undefined, input: IntakeInput): Partial<LeadFields> {
  const patch: Record<string, unknown> = {};
  for (const key of MERGED_FIELDS) {
    const value = input[key];
    if (value === undefined || value === '') continue;
    if (existing === undefined || existing[key] !== value) patch[key] = value;
  }
  return patch;
}

function profileOf(row: LeadRow, acts: readonly Activity[]): LeadProfile {
  return {
    email: row.email ?? undefined,
    firstName: row.firstName ?? undefined,
    lastName: row.lastName ?? undefined,
    title: row.title ?? undefined,
    company: row.company ?? undefined,
    employees: row.employees ?? undefined,
    industry: row.industry ?? undefined,
    country: row.country ?? undefined,
    phone: row.phone ?? undefined,
    persona: row.persona ?? undefined,
    channel: row.channel ?? undefined,
    source: row.source,
    origin: row.origin,
    ownerHint: row.ownerHint ?? undefined,
    activities: acts,
  };
}

/**
 * Takes in one lead (SPEC §7): upsert on (source, externalId), else on email; merge; score; and,
 * when it qualifies and has no open handoff, start one — all in one transaction, together with
 * the Slack deliveries it implies. Replays find the same lead and change nothing.
 */
export async function intakeLead(ctx: ServiceContext, input: IntakeInput): Promise<IntakeResult> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    const keys = [input.externalId !== undefined ? `lead:${ctx.workspaceId}:src:${input.source}:${input.externalId}` : undefined, input.email !== undefined ? `lead:${ctx.workspaceId}:email:${input.email.toLowerCase()}` : undefined].filter((k): k is string => k !== undefined);
    await lockKeys(tx, keys);
    const existing = await findLeadForIntake(tx, ctx.workspaceId, input);
    return existing === undefined ? intakeNew(ctx, tx, input, now) : intakeKnown(ctx, tx, existing, input, now);
  });
}

/** A lead never seen before: scored from what was sent, stored once with its final values. */
async function intakeNew(ctx: ServiceContext, tx: Tx, input: IntakeInput, now: Date): Promise<IntakeResult> {
  const activities = uniqueActivities(input.activities);
  const patch = mergedFields(undefined, input);
  const profile: LeadProfile = { ...patch, source: input.source, activities };
  const scored = scoreLead(ctx.policy.scoring, profile, now);
  const lead = await insertLead(tx, { workspaceId: ctx.workspaceId, source: input.source, externalId: input.externalId ?? null, stage: 'lead', createdAt: now, score: scored.score, scoreBreakdown: scored.breakdown, ...patch });
  await appendEvents(tx, [{ workspaceId: ctx.workspaceId, leadId: lead.id, type: 'created', toStage: 'lead', at: now, actor: `intake:${input.source}`, data: { externalScore: input.score ?? null } }]);
  await addActivities(tx, ctx.workspaceId, lead.id, activities);
  const handoffId = decideMql(scored, input.mql) ? await qualify(ctx, tx, lead, profile, scored, now, input.mql === true, 1) : undefined;
  return { leadId: lead.id, stage: handoffId !== undefined ? 'mql' : 'lead', score: scored.score, handoffId, created: true };
}

/** A lead we know: merged, its activities added without duplicates, rescored, maybe requalified. */
async function intakeKnown(ctx: ServiceContext, tx: Tx, existing: LeadRow, input: IntakeInput, now: Date): Promise<IntakeResult> {
  const patch = mergedFields(existing, input);
  let lead = existing;
  if (Object.keys(patch).length > 0) {
    await updateLead(tx, lead.id, patch);
    lead = { ...lead, ...patch };
  }
  await addActivities(tx, ctx.workspaceId, lead.id, input.activities);
  const profile = profileOf(lead, await listActivities(tx, lead.id));
  const scored = scoreLead(ctx.policy.scoring, profile, now);
  if (scored.score !== lead.score || JSON.stringify(scored.breakdown) !== JSON.stringify(lead.scoreBreakdown)) {
    await updateLead(tx, lead.id, { score: scored.score, scoreBreakdown: scored.breakdown });
  }
  let handoffId = (await pendingHandoffForLead(tx, lead.id))?.id;
  let stage = lead.stage;
  if (handoffId === undefined && decideMql(scored, input.mql) && REQUALIFIABLE.has(lead.stage)) {
    handoffId = await qualify(ctx, tx, lead, profile, scored, now, input.mql === true, undefined);
    stage = 'mql';
  }
  return { leadId: lead.id, stage, score: scored.score, handoffId, created: false };
}

/** A payload may list the same activity twice; the store keeps it once, so the score must too. */
function uniqueActivities(list: readonly Activity[]): Activity[] {
  const seen = new Set<string>();
  return list.filter((a) => {
    const key = `${a.type}@${a.at.getTime()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function qualify(ctx: ServiceContext, tx: Tx, lead: LeadRow, profile: LeadProfile, scored: ScoreResult, now: Date, bySender: boolean, seq: number | undefined): Promise<string> {
  const handoff = await startHandoff(ctx, tx, { lead, profile, score: scored.score, at: now, fromStage: lead.stage, reason: bySender ? 'mql_from_sender' : 'score_threshold', actor: 'baton', notify: true, seq });
  return handoff.id;
}
