import { randomUUID } from 'node:crypto';
import {
  SENT_LEAD_FIELDS,
  uniqueActivities,
  type Activity,
  type LeadFields,
  type LeadProfile,
} from '../domain/lead.js';
import { accountDomainOf } from '../domain/routing.js';
import { decideMql, scoreLead, type ScoreResult } from '../domain/scoring.js';
import type { Tx } from '../db/client.js';
import { databaseUnavailable } from '../db/errors.js';
import { transactionEndingWith, writeTogether, type Write } from '../db/repo/bulk.js';
import { eventsInsert } from '../db/repo/events.js';
import { pendingHandoffForLead } from '../db/repo/handoffs.js';
import {
  activitiesInsert,
  addActivities,
  findLeadForIntake,
  knownIntakeKeys,
  leadsInsert,
  listActivities,
  updateLead,
  type LeadRow,
} from '../db/repo/leads.js';
import { lockKeys } from '../db/repo/locks.js';
import { accountOwners, roundRobinUpdate } from '../db/repo/routing.js';
import { assignUnderLock, handoffWrites, lockRouting, planHandoff, startHandoff } from './handoff.js';
import type { ServiceContext } from './context.js';

export interface IntakeInput extends LeadFields {
  source: string;
  externalId?: string | undefined;
  activities: readonly Activity[];
  /** The marketing-automation system already decided this is an MQL. */
  mql?: boolean | undefined;
  /** The sender's own score: kept with the lead's history, never a substitute for the policy's. */
  score?: number | undefined;
  /** The company's domain or website, when the sender knows it better than the e-mail does. */
  domain?: string | undefined;
  website?: string | undefined;
}

export interface IntakeResult {
  leadId: string;
  stage: string;
  score: number;
  handoffId: string | undefined;
  created: boolean;
}

/** Stages from which a fresh qualification starts a new handoff (a recycled lead comes back). */
const REQUALIFIABLE = new Set(['lead', 'nurture', 'lost']);

/**
 * Non-empty incoming values win; a field the sender left out or blank keeps what we know. The
 * company's domain follows what was sent (a free-mail address sent later keeps the known one).
 */
function mergedFields(
  existing: LeadRow | undefined,
  input: IntakeInput,
  personalDomains: ReadonlySet<string>,
): Partial<LeadFields> {
  const patch: Record<string, unknown> = {};
  for (const key of SENT_LEAD_FIELDS) {
    const value = input[key];
    if (value === undefined || value === '') continue;
    if (existing === undefined || existing[key] !== value) patch[key] = value;
  }
  const accountDomain = accountDomainOf(input, personalDomains);
  if (accountDomain !== undefined && accountDomain !== existing?.accountDomain) patch.accountDomain = accountDomain;
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
    accountDomain: row.accountDomain ?? undefined,
    accountOwner: row.accountOwner ?? undefined,
    activities: acts,
  };
}

const intakeKeys = (ctx: ServiceContext, input: IntakeInput): string[] =>
  [
    input.externalId !== undefined ? `lead:${ctx.workspaceId}:src:${input.source}:${input.externalId}` : undefined,
    input.email !== undefined ? `lead:${ctx.workspaceId}:email:${input.email.toLowerCase()}` : undefined,
  ].filter((k): k is string => k !== undefined);

/**
 * Takes in one lead (README.md, "POST /api/leads"): upsert on (source, externalId), else on email; merge; score; and,
 * when it qualifies and has no open handoff, start one — all in one transaction, together with
 * the Slack deliveries it implies. Replays find the same lead and change nothing.
 */
export async function intakeLead(ctx: ServiceContext, input: IntakeInput): Promise<IntakeResult> {
  return transactionEndingWith(ctx.db, async (tx) => {
    const now = ctx.now();
    await lockKeys(tx, intakeKeys(ctx, input));
    const existing = await findLeadForIntake(tx, ctx.workspaceId, input);
    if (existing !== undefined) return { value: await intakeKnown(ctx, tx, existing, input, now), last: [] };
    const { results, last } = await intakeNew(ctx, tx, [input], now);
    return { value: results[0]!, last };
  });
}

/**
 * Leads never seen before, any number at once: each scored from what was sent and stored once
 * with its final values; those that qualify are routed together (one lock on the teams'
 * counters) and start their handoffs. A statement per table, however many leads. The handoffs
 * and the counters are not written here but handed back (`last`), for the caller to send with
 * its COMMIT: the counters' lock is held from the routing to the end of the transaction.
 * `owners`, when the caller has read them, are the account owners of the leads' domains.
 */
async function intakeNew(
  ctx: ServiceContext,
  tx: Tx,
  inputs: readonly IntakeInput[],
  now: Date,
  owners?: ReadonlyMap<string, string>,
): Promise<{ results: IntakeResult[]; last: (Write | undefined)[] }> {
  const { workspaceId } = ctx;
  const fresh = inputs.map((input) => {
    const { activities, patch, profile } = newLeadProfile(input, ctx.policy.accounts.personalDomains);
    const scored = scoreLead(ctx.policy.scoring, profile, now, ctx.policy.accounts.personalDomains);
    return { input, id: randomUUID(), activities, patch, profile, scored, mql: decideMql(scored, input.mql) };
  });
  // The lead row is written in its final stage; its history still reads created → handoff started.
  // Leads, events and activities go out as one statement, and with it the lock on the teams'
  // counters, held for the rest of this short transaction.
  const qualified = fresh.filter((f) => f.mql);
  const routable = qualified.map((f) => ({ profile: f.profile, score: f.scored.score }));
  const [, lock] = await Promise.all([
    writeTogether(tx, [
      leadsInsert(
        fresh.map((f) => ({
          id: f.id,
          workspaceId,
          source: f.input.source,
          externalId: f.input.externalId ?? null,
          stage: f.mql ? 'mql' : 'lead',
          createdAt: now,
          score: f.scored.score,
          scoreBreakdown: f.scored.breakdown,
          ...f.patch,
        })),
      ),
      eventsInsert(
        fresh.map((f) => ({
          workspaceId,
          leadId: f.id,
          type: 'created',
          toStage: 'lead',
          at: now,
          actor: `intake:${f.input.source}`,
          data: { externalScore: f.input.score ?? null },
        })),
      ),
      activitiesInsert(
        fresh.flatMap((f) => f.activities.map((a) => ({ workspaceId, leadId: f.id, type: a.type, at: a.at }))),
      ),
    ]),
    lockRouting(ctx, tx, routable, now, { lock: true, ...(owners !== undefined ? { owners } : {}) }),
  ]);
  const { assignments, counters } = assignUnderLock(ctx.policy, lock, routable);
  const planned = qualified.map((f, i) =>
    planHandoff(
      ctx,
      {
        lead: { id: f.id },
        profile: f.profile,
        score: f.scored.score,
        at: now,
        fromStage: 'lead',
        reason: f.input.mql === true ? 'mql_from_sender' : 'score_threshold',
        actor: 'baton',
        notify: true,
        seq: 1,
      },
      assignments[i]!,
    ),
  );
  const handoffOf = new Map(planned.map((p) => [p.handoff.leadId, p.handoff.id]));
  return {
    results: fresh.map((f) => ({
      leadId: f.id,
      stage: f.mql ? 'mql' : 'lead',
      score: f.scored.score,
      handoffId: handoffOf.get(f.id),
      created: true,
    })),
    last: [roundRobinUpdate(workspaceId, counters, lock.counters), ...handoffWrites(planned)],
  };
}

/** A lead never seen before as it would be stored: its fields, its activities once each, its profile. */
export function newLeadProfile(
  input: IntakeInput,
  personalDomains: ReadonlySet<string>,
): { activities: Activity[]; patch: Partial<LeadFields>; profile: LeadProfile } {
  const activities = uniqueActivities(input.activities);
  const patch = mergedFields(undefined, input, personalDomains);
  return { activities, patch, profile: { ...patch, source: input.source, activities } };
}

/** A lead we know: merged, its activities added without duplicates, rescored, maybe requalified. */
async function intakeKnown(
  ctx: ServiceContext,
  tx: Tx,
  existing: LeadRow,
  input: IntakeInput,
  now: Date,
): Promise<IntakeResult> {
  const patch = mergedFields(existing, input, ctx.policy.accounts.personalDomains);
  let lead = existing;
  if (Object.keys(patch).length > 0) {
    await updateLead(tx, lead.id, patch);
    lead = { ...lead, ...patch };
  }
  await addActivities(tx, ctx.workspaceId, lead.id, input.activities);
  const profile = profileOf(lead, await listActivities(tx, lead.id));
  const scored = scoreLead(ctx.policy.scoring, profile, now, ctx.policy.accounts.personalDomains);
  if (scored.score !== lead.score || JSON.stringify(scored.breakdown) !== JSON.stringify(lead.scoreBreakdown)) {
    await updateLead(tx, lead.id, { score: scored.score, scoreBreakdown: scored.breakdown });
  }
  let handoffId = (await pendingHandoffForLead(tx, lead.id))?.id;
  let stage = lead.stage;
  if (handoffId === undefined && decideMql(scored, input.mql) && REQUALIFIABLE.has(lead.stage)) {
    handoffId = await qualify(ctx, tx, lead, profile, scored, now, input.mql === true);
    stage = 'mql';
  }
  return { leadId: lead.id, stage, score: scored.score, handoffId, created: false };
}

async function qualify(
  ctx: ServiceContext,
  tx: Tx,
  lead: LeadRow,
  profile: LeadProfile,
  scored: ScoreResult,
  now: Date,
  bySender: boolean,
): Promise<string> {
  const handoff = await startHandoff(ctx, tx, {
    lead,
    profile,
    score: scored.score,
    at: now,
    fromStage: lead.stage,
    reason: bySender ? 'mql_from_sender' : 'score_threshold',
    actor: 'baton',
    notify: true,
  });
  return handoff.id;
}

/**
 * Several leads in one transaction: the new ones are written together; a known lead is left out
 * (undefined) to be merged on its own, since merging reads and rescores what is stored.
 */
async function intakeBatch(ctx: ServiceContext, inputs: readonly IntakeInput[]): Promise<(IntakeResult | undefined)[]> {
  const { personalDomains } = ctx.policy.accounts;
  return transactionEndingWith(ctx.db, async (tx) => {
    const now = ctx.now();
    // Sent together: the lookup starts (and takes its snapshot) only once the locks are held. The
    // account owners of the leads' domains (a new lead's domain is the one its fields give) come
    // in the same round trip rather than one of their own before the routing lock.
    const [, known, owners] = await Promise.all([
      lockKeys(
        tx,
        inputs.flatMap((i) => intakeKeys(ctx, i)),
      ),
      knownIntakeKeys(tx, ctx.workspaceId, inputs),
      accountOwners(
        tx,
        ctx.workspaceId,
        inputs.flatMap((i) => accountDomainOf(i, personalDomains) ?? []),
      ),
    ]);
    const isKnown = (i: IntakeInput): boolean =>
      known.some(
        (k) =>
          (i.externalId !== undefined && k.source === i.source && k.externalId === i.externalId) ||
          (i.email !== undefined && k.email === i.email.toLowerCase()),
      );
    const fresh = inputs.filter((i) => !isKnown(i));
    const { results, last } = await intakeNew(ctx, tx, fresh, now, owners);
    const resultOf = new Map(results.map((r, n) => [fresh[n]!, r]));
    return { value: inputs.map((i) => resultOf.get(i)), last };
  });
}

export interface IntakeQueue {
  submit(input: IntakeInput): Promise<IntakeResult>;
}

interface Waiting {
  input: IntakeInput;
  keys: string[];
  resolve(result: IntakeResult): void;
  reject(err: unknown): void;
}

export interface IntakeQueueTuning {
  /** Leads written in one transaction at most. */
  maxBatch: number;
  /** Transactions in flight at once; leads arriving meanwhile wait and go together. */
  parallel: number;
}

// Measured with bench:intake (README, Performance): two in flight keep the database busy while the
// next batch gathers; more only queue on the routing lock and make smaller batches.
export const DEFAULT_INTAKE_TUNING: IntakeQueueTuning = { maxBatch: 64, parallel: 2 };

/**
 * The next batch, taken out of `waiting` in arrival order: at most `max` leads, none sharing a key
 * with another in the batch, with a batch in flight (`busy`), or with a lead left waiting before
 * it — so leads sharing a key (a replay, the same email) never share or overtake a batch.
 */
export function takeBatch<W extends { keys: readonly string[] }>(
  waiting: W[],
  busy: ReadonlySet<string>,
  max: number,
): W[] {
  const batch: W[] = [];
  const taken = new Set<string>();
  // Keys of leads left waiting: a later lead sharing one must not overtake them.
  const blocked = new Set<string>();
  for (let i = 0; i < waiting.length && batch.length < max;) {
    const w = waiting[i]!;
    if (w.keys.some((k) => busy.has(k) || taken.has(k) || blocked.has(k))) {
      for (const k of w.keys) blocked.add(k);
      i++;
      continue;
    }
    for (const k of w.keys) taken.add(k);
    batch.push(w);
    waiting.splice(i, 1);
  }
  return batch;
}

/** Writes a batch and tells each lead's sender; a batch that fails is retried lead by lead. */
async function writeBatch(ctx: ServiceContext, batch: readonly Waiting[]): Promise<void> {
  let results: (IntakeResult | undefined)[];
  try {
    results = await intakeBatch(
      ctx,
      batch.map((w) => w.input),
    );
  } catch (err) {
    // Lead by lead would only meet the same closed door once per lead: each sender hears it now.
    if (databaseUnavailable(err) !== undefined) {
      for (const w of batch) w.reject(err);
      return;
    }
    if (batch.length > 1)
      ctx.logger.warn({ err, leads: batch.length }, 'intake batch failed; taking its leads one by one');
    results = [];
  }
  await Promise.all(
    batch.map(async (w, i) => {
      try {
        w.resolve(results[i] ?? (await intakeLead(ctx, w.input)));
      } catch (err) {
        w.reject(err);
      }
    }),
  );
}

/**
 * Intake under load (group commit). A lead alone is written at once; leads that arrive while
 * earlier transactions are in flight are written together in the next one, so a burst costs a
 * few statements per batch rather than per lead. Every lead is still committed before its caller
 * hears back, and leads sharing a key never share or overtake a batch (`takeBatch`). A batch that
 * fails is retried lead by lead, so one bad lead cannot fail its neighbours.
 */
export function createIntakeQueue(ctx: ServiceContext, tuning: IntakeQueueTuning = DEFAULT_INTAKE_TUNING): IntakeQueue {
  const waiting: Waiting[] = [];
  const busyKeys = new Set<string>();
  let running = 0;

  /** Starts batches while a transaction slot is free and some waiting lead may go. */
  function pump(): void {
    while (running < tuning.parallel && waiting.length > 0) {
      const batch = takeBatch(waiting, busyKeys, tuning.maxBatch);
      if (batch.length === 0) return;
      const keys = batch.flatMap((w) => w.keys);
      running++;
      for (const k of keys) busyKeys.add(k);
      void writeBatch(ctx, batch).finally(() => {
        running--;
        for (const k of keys) busyKeys.delete(k);
        pump();
      });
    }
  }

  // While transactions are in flight, a lead waits for the leads arriving with it (the same turn
  // of the event loop) rather than taking a free slot alone: alone only when the queue is idle.
  let gathering = false;
  const schedule = (): void => {
    if (running === 0) {
      pump();
      return;
    }
    if (gathering) return;
    gathering = true;
    setImmediate(() => {
      gathering = false;
      pump();
    });
  };

  return {
    submit: (input) =>
      new Promise<IntakeResult>((resolve, reject) => {
        waiting.push({ input, keys: intakeKeys(ctx, input), resolve, reject });
        schedule();
      }),
  };
}
