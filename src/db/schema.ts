import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { Stage } from '../domain/lifecycle.js';
import type { BreakdownLine } from '../domain/scoring.js';
import type { SlaFact, SlaPlan } from '../domain/sla.js';

/*
 * The whole data model (docs/lifecycle.md). Postgres is the source of truth and Slack a projection of
 * it: every row carries the Slack workspace id, every instant is timestamptz, and idempotency
 * lives in the unique keys below rather than in memory.
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const workspaceId = () => text('workspace_id').notNull();

export const workspaces = pgTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name'),
  botUserId: text('bot_user_id'),
  firstSeenAt: ts('first_seen_at').notNull().defaultNow(),
});

export const leads = pgTable(
  'leads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    source: text('source').notNull(),
    externalId: text('external_id'),
    email: text('email'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    title: text('title'),
    company: text('company'),
    employees: integer('employees'),
    industry: text('industry'),
    country: text('country'),
    phone: text('phone'),
    persona: text('persona'),
    channel: text('channel'),
    origin: text('origin', { enum: ['marketing', 'sales'] })
      .notNull()
      .default('marketing'),
    ownerHint: text('owner_hint'),
    /** The company's domain (a `domain`/`website` field, else the work e-mail's); null for free-mail and disposable ones. */
    accountDomain: text('account_domain'),
    /** The CRM's owner of the lead's company (a rep's Slack id or name), when the intake names one. */
    accountOwner: text('account_owner'),
    stage: text('stage').$type<Stage>().notNull(),
    score: integer('score').notNull().default(0),
    scoreBreakdown: jsonb('score_breakdown').$type<BreakdownLine[]>().notNull().default([]),
    imported: boolean('imported').notNull().default(false),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('leads_source_external_id')
      .on(t.workspaceId, t.source, t.externalId)
      .where(sql`${t.externalId} is not null`),
    index('leads_email').on(t.workspaceId, sql`lower(${t.email})`),
    // Reports (src/db/repo/report-queries.ts) read these columns from the index alone (index-only scans);
    // each starts with what a time-range query filters on, so it serves those queries too.
    index('reports_leads_created').on(t.workspaceId, t.createdAt, t.stage),
  ],
);

export const activities = pgTable(
  'activities',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceId(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id),
    type: text('type').notNull(),
    at: ts('at').notNull(),
  },
  // A replayed intake carries the same activities again: they must not count twice in the score.
  (t) => [uniqueIndex('activities_once').on(t.leadId, t.type, t.at)],
);

export const handoffs = pgTable(
  'handoffs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id),
    /** 1 for the first pass of a lead to sales, 2 after it was recycled and re-qualified, … */
    seq: integer('seq').notNull(),
    status: text('status', { enum: ['pending', 'accepted', 'rejected'] })
      .notNull()
      .default('pending'),
    teamId: text('team_id').notNull(),
    repUserId: text('rep_user_id').notNull(),
    /** owner_hint, round_robin, manager_fallback (nobody available), import, reassigned. */
    assignedVia: text('assigned_via').notNull(),
    startedAt: ts('started_at').notNull(),
    /** The handoff's own clock (reports) runs from here, whatever reassignments follow. */
    firstAssignedAt: ts('first_assigned_at').notNull(),
    /** The current rep's clock, restarted by a reassignment. */
    assignedAt: ts('assigned_at').notNull(),
    slaTierId: text('sla_tier_id').notNull(),
    /** The tier frozen when the handoff started: later policy edits apply to new handoffs only. */
    slaPlan: jsonb('sla_plan').$type<SlaPlan>().notNull(),
    slaTargetMinutes: integer('sla_target_minutes').notNull(),
    slaClock: text('sla_clock', { enum: ['business', 'wall'] }).notNull(),
    dueAt: ts('due_at').notNull(),
    decidedAt: ts('decided_at'),
    decidedBy: text('decided_by'),
    rejectReason: text('reject_reason'),
    rejectNote: text('reject_note'),
    outcome: text('outcome', { enum: ['nurture', 'disqualify'] }),
    escalationAckedBy: text('escalation_acked_by'),
    escalationAckedAt: ts('escalation_acked_at'),
  },
  (t) => [
    uniqueIndex('handoffs_lead_seq').on(t.leadId, t.seq),
    // At most one open handoff per lead, whatever races the intake sees.
    uniqueIndex('handoffs_one_pending')
      .on(t.leadId)
      .where(sql`${t.status} = 'pending'`),
    index('reports_handoffs_started').on(t.workspaceId, t.startedAt, t.status, t.leadId, t.seq, t.teamId, t.repUserId),
    index('reports_handoffs_decided')
      .on(
        t.workspaceId,
        t.decidedAt,
        t.status,
        t.rejectReason,
        t.firstAssignedAt,
        t.teamId,
        t.repUserId,
        t.slaClock,
        t.slaTargetMinutes,
      )
      .where(sql`${t.decidedAt} is not null`),
    index('handoffs_pending_due')
      .on(t.workspaceId, t.dueAt)
      .where(sql`${t.status} = 'pending'`),
    index('handoffs_rep_pending')
      .on(t.workspaceId, t.repUserId)
      .where(sql`${t.status} = 'pending'`),
  ],
);

/** Append-only history; reports are computed from it and nothing here is ever updated. */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceId(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id),
    handoffId: uuid('handoff_id').references(() => handoffs.id),
    type: text('type').notNull(),
    fromStage: text('from_stage'),
    toStage: text('to_stage'),
    at: ts('at').notNull(),
    actor: text('actor'),
    reason: text('reason'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('events_lead').on(t.leadId, t.at),
    index('reports_events_stage')
      .on(t.workspaceId, t.toStage, t.at, t.leadId)
      .where(sql`${t.toStage} is not null`),
    index('events_handoff').on(t.handoffId),
    // Velocity by rep charges a rep the handoffs taken from them for breaching (src/db/repo/report-queries.ts).
    index('reports_events_reassigned')
      .on(t.workspaceId, t.at)
      .where(sql`${t.type} = 'reassigned'`),
  ],
);

/** Where a handoff's Slack messages live, so they can be updated and threaded under. */
export const slackMessages = pgTable(
  'slack_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceId(),
    handoffId: uuid('handoff_id')
      .notNull()
      .references(() => handoffs.id),
    kind: text('kind', { enum: ['card', 'marketing_note'] }).notNull(),
    channel: text('channel').notNull(),
    ts: text('ts').notNull(),
    postedAt: ts('posted_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('slack_messages_once').on(t.handoffId, t.kind)],
);

/**
 * Slack deliveries waiting to happen. Written in the same transaction as the change they
 * announce; a worker delivers them, so a crash or a Slack outage delays a message, never loses it.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceId(),
    /** One delivery per key, however often the change that asked for it is replayed. */
    dedupeKey: text('dedupe_key').notNull(),
    kind: text('kind').notNull(),
    handoffId: uuid('handoff_id').references(() => handoffs.id),
    channel: text('channel'),
    payload: jsonb('payload').notNull(),
    status: text('status', { enum: ['pending', 'done', 'dead'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    notBefore: ts('not_before').notNull().defaultNow(),
    lockedUntil: ts('locked_until'),
    lastError: text('last_error'),
    result: jsonb('result'),
    createdAt: ts('created_at').notNull().defaultNow(),
    doneAt: ts('done_at'),
  },
  (t) => [
    uniqueIndex('outbox_dedupe').on(t.workspaceId, t.dedupeKey),
    // The claim skips through pending rows channel by channel, each from its oldest.
    index('outbox_channel_pending')
      .on(t.channel, t.id)
      .where(sql`${t.status} = 'pending'`),
    // Deliveries for one handoff go in order: the card before its update, the note before its replies.
    index('outbox_handoff_pending')
      .on(t.handoffId, t.id)
      .where(sql`${t.status} = 'pending'`),
    // GET /metrics counts dead deliveries at every scrape; done ones pile up, so they are not read.
    index('outbox_dead')
      .on(t.id)
      .where(sql`${t.status} = 'dead'`),
  ],
);

/**
 * Slack's pace per channel, shared by every replica: a token bucket kept as one instant (the
 * generic cell rate algorithm), moved on by each post in the statement that allows it.
 */
export const channelPace = pgTable('channel_pace', {
  channel: text('channel').primaryKey(),
  /** When the bucket is full again if nothing more is posted; a post may go while it is at most `burst - 1` intervals away. */
  fullAt: ts('full_at').notNull(),
});

/** SLA steps as rows with due times: claimed with SKIP LOCKED so each fires exactly once. */
export const slaSteps = pgTable(
  'sla_steps',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceId(),
    handoffId: uuid('handoff_id')
      .notNull()
      .references(() => handoffs.id),
    stepIndex: integer('step_index').notNull(),
    /** Repeating manager notices get occurrence 1, 2, …; every other step only 1. */
    occurrence: integer('occurrence').notNull().default(1),
    action: text('action', { enum: ['remind_rep', 'notify_manager', 'reassign', 'notify_marketing'] }).notNull(),
    /** The rep's clock this step belongs to; a reassignment cancels the old rep's steps. */
    repUserId: text('rep_user_id').notNull(),
    dueAt: ts('due_at').notNull(),
    status: text('status', { enum: ['pending', 'done', 'cancelled'] })
      .notNull()
      .default('pending'),
    doneAt: ts('done_at'),
  },
  (t) => [
    uniqueIndex('sla_steps_once').on(t.handoffId, t.stepIndex, t.occurrence, t.repUserId),
    index('sla_steps_due')
      .on(t.dueAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);

/** Weighted round-robin counters per rep; updated inside the assignment transaction. */
export const roundRobin = pgTable(
  'round_robin',
  {
    workspaceId: workspaceId(),
    teamId: text('team_id').notNull(),
    repUserId: text('rep_user_id').notNull(),
    assigned: integer('assigned').notNull().default(0),
    /** The rep's weighted share of every pick they were eligible for; assigned − entitled is how far ahead they are. */
    entitled: doublePrecision('entitled').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.teamId, t.repUserId] })],
);

/** Reps who are away (`/baton away`), set by themselves or their manager. */
export const repStatus = pgTable(
  'rep_status',
  {
    workspaceId: workspaceId(),
    userId: text('user_id').notNull(),
    /** Null: away from when it was set; else from this instant (a planned leave). */
    awayFrom: ts('away_from'),
    awayUntil: ts('away_until'),
    away: boolean('away').notNull().default(false),
    setBy: text('set_by').notNull(),
    setAt: ts('set_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })],
);

/**
 * HubSpot webhook events as received (docs/hubspot.md), stored before any work: HubSpot retries a
 * delivery up to ten times over a day, so the same event can come twice, late, or out of order.
 * The event id is the idempotency key; a contact's events are processed in `occurred_at` order.
 */
export const hubspotEvents = pgTable(
  'hubspot_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceId(),
    eventId: text('event_id').notNull(),
    portalId: text('portal_id').notNull(),
    subscriptionType: text('subscription_type').notNull(),
    objectId: text('object_id').notNull(),
    propertyName: text('property_name'),
    propertyValue: text('property_value'),
    changeSource: text('change_source'),
    sourceId: text('source_id'),
    occurredAt: ts('occurred_at').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
    processedAt: ts('processed_at'),
    /** What processing did: intake (a handoff may have started), not_mql, echo (Baton's own write), nothing, contact_gone. */
    outcome: text('outcome'),
    /** Processing attempts; HubSpot being down or rate-limiting postpones an event, never drops it. */
    attempts: integer('attempts').notNull().default(0),
    notBefore: ts('not_before'),
    /** A replica working on the event holds it until then; a killed one's events are taken up after. */
    lockedUntil: ts('locked_until'),
  },
  (t) => [
    uniqueIndex('hubspot_events_event').on(t.workspaceId, t.eventId),
    index('hubspot_events_unprocessed')
      .on(t.objectId, t.occurredAt)
      .where(sql`${t.processedAt} is null`),
  ],
);

/**
 * Leads listed in a grouped SLA notice to one person: the notices that fall due close together
 * share a batch and go out as one message, whose place (channel, ts) is kept so it can be edited
 * when someone acts on a lead in it. `story` is what happened, frozen when the step fell due.
 */
export const slaNotices = pgTable(
  'sla_notices',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceId(),
    batchKey: text('batch_key').notNull(),
    recipient: text('recipient').notNull(),
    handoffId: uuid('handoff_id')
      .notNull()
      .references(() => handoffs.id),
    story: jsonb('story').$type<SlaFact[]>().notNull(),
    channel: text('channel'),
    ts: text('ts'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('sla_notices_once').on(t.workspaceId, t.batchKey, t.handoffId),
    index('sla_notices_handoff').on(t.handoffId),
  ],
);

/** Who owns a company: the rep who last accepted a lead of its domain. Leads of the domain go to them. */
export const accounts = pgTable(
  'accounts',
  {
    workspaceId: workspaceId(),
    domain: text('domain').notNull(),
    ownerUserId: text('owner_user_id').notNull(),
    teamId: text('team_id').notNull(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id),
    since: ts('since').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.domain] })],
);

/*
 * Sandbox mode only: what its built-in Slack stand-in shows, kept with the rest of the data so a
 * restart on the same database finds the cards Baton's rows point at (README, "Try it: the
 * sandbox"). A message is kept as the stand-in holds it; an uploaded file's bytes as base64.
 */
export const sandboxSlackMessages = pgTable(
  'sandbox_slack_messages',
  {
    workspaceId: workspaceId(),
    channel: text('channel').notNull(),
    ts: text('ts').notNull(),
    message: jsonb('message').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.channel, t.ts] })],
);

export const sandboxSlackFiles = pgTable(
  'sandbox_slack_files',
  {
    workspaceId: workspaceId(),
    id: text('id').notNull(),
    filename: text('filename').notNull(),
    altText: text('alt_text'),
    bytes: text('bytes').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/**
 * What Baton is about to write to a HubSpot contact, recorded before the write: HubSpot sends
 * Baton's own changes back as webhook events, and an event matching one of these is recognised as
 * that echo and starts nothing (README, "Connecting HubSpot").
 */
export const hubspotWrites = pgTable(
  'hubspot_writes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceId(),
    contactId: text('contact_id').notNull(),
    property: text('property').notNull(),
    value: text('value').notNull(),
    at: ts('at').notNull(),
  },
  (t) => [index('hubspot_writes_contact').on(t.workspaceId, t.contactId, t.property, t.at)],
);
