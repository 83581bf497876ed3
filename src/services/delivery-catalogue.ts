import { z } from 'zod';
import type { Policy } from '../config/policy.js';
import type { NewOutboxRow } from '../db/repo/outbox.js';
import type { SlaFact } from '../domain/sla.js';

/*
 * Every kind of outbox delivery, declared once: the payload its sender reads (the schema the worker
 * parses a queued row with), the key that makes it one delivery however often the change that
 * queued it is replayed, and the channel it is paced by. `delivery()` is the only way to build a
 * row, so a misspelt kind or a payload missing a field is a type error, not a dead row.
 * Each destination has its own group and its own senders (Slack's: src/slack/senders.ts); a new
 * destination (a CRM write-back) is a group here and a sender for each of its kinds there.
 */

interface KindSpec<Queued, Payload> {
  /** What the worker parses a row's payload with; the sender gets the result. */
  payload: z.ZodType<Payload>;
  /**
   * Unique per message, equal for a replay of the change that queued it (its unique index makes
   * the replay a no-op). Slack messages also carry it, so a retry finds what an earlier attempt posted.
   */
  key: (q: Queued) => string;
  /** Whom the delivery is paced by (a channel, or the user of a DM); null: the sender finds it (an edit). */
  channel: (q: Queued, policy: Policy) => string | null;
  /** The handoff it is about: deliveries about one handoff go out in the order they were queued. */
  handoff?: (q: Queued) => string;
}

/**
 * A kind. What is queued may carry more than the sender reads — which change a card edit is for,
 * which SLA step a reminder is — when its key needs it: it is stored with the payload and the
 * schema passes over it, so rows queued before a key needed it still parse.
 */
function kind<P, Q extends P = P>(spec: KindSpec<Q, P>): KindSpec<Q, P> {
  return spec;
}

const iso = z.iso.datetime({ offset: true });
const handoffRef = z.object({ handoffId: z.uuid() });
const aboutHandoff = (q: { handoffId: string }): string => q.handoffId;

const movedFact = z.object({
  kind: z.literal('moved'),
  from: z.string(),
  to: z.string(),
  at: iso,
  deadline: iso,
  reason: z.enum(['breach', 'manager', 'away']),
  holder: z.number().int(),
});
/** What happened on a handoff as SLA messages tell it (src/domain/sla.ts). */
const slaStory = z.array(
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('missed'), rep: z.string(), deadline: iso }),
    movedFact,
    z.object({ kind: z.literal('stuck'), rep: z.string(), at: iso }),
  ]),
) satisfies z.ZodType<SlaFact[]>;
type MovedFact = Extract<SlaFact, { kind: 'moved' }>;

const toUser = handoffRef.extend({ user: z.string() });
const storyPayload = handoffRef.extend({ story: slaStory });
/** Stages a thread reply tells after acceptance, with who moved the lead there and why. */
const laterStage = z.enum(['sql', 'opportunity', 'customer', 'lost', 'nurture']);
const minuteOf = (at: string): string => new Date(Math.floor(Date.parse(at) / 60_000) * 60_000).toISOString();

/** Messages to Slack (src/slack/senders.ts sends them). */
const SLACK_KINDS = {
  /** The lead card in the team's channel. */
  post_card: kind({
    payload: handoffRef,
    key: (q: { handoffId: string; teamChannel: string }) => `card:${q.handoffId}`,
    channel: (q) => q.teamChannel,
    handoff: aboutHandoff,
  }),
  /** The handoff's note in the marketing channel, under which its story is threaded. */
  post_marketing_note: kind({
    payload: handoffRef,
    key: (q) => `marketing_note:${q.handoffId}`,
    channel: (_q, policy) => policy.marketing.channel,
    handoff: aboutHandoff,
  }),
  /**
   * The card re-rendered after a change: `change` names it (a decision, a stage, `reassigned:U…`,
   * `sla_steps:ID`) so each change edits once.
   */
  update_card: kind({
    payload: handoffRef,
    key: (q: { handoffId: string; change: string }) => `update_card:${q.handoffId}:${q.change}`,
    channel: () => null,
    handoff: aboutHandoff,
  }),
  /** A decision, or a later stage, told under the marketing note. */
  thread_reply: kind({
    payload: z.union([
      handoffRef.extend({ event: z.enum(['accepted', 'rejected']) }),
      handoffRef.extend({ event: laterStage, by: z.string(), reason: z.string().nullable() }),
    ]),
    key: (q) => `thread_reply:${q.handoffId}:${q.event}`,
    channel: (_q, policy) => policy.marketing.channel,
    handoff: aboutHandoff,
  }),
  /** A direct reminder to the rep holding the lead, from one SLA step. */
  sla_remind_rep: kind({
    payload: toUser.extend({ deadline: iso }),
    key: (q: { handoffId: string; user: string; deadline: string; stepId: number }) => `sla_step:${q.stepId}`,
    channel: (q) => q.user,
    handoff: aboutHandoff,
  }),
  /** The grouped notices of one window to one person (src/db/repo/sla-notices.ts holds what they list). */
  sla_notices: kind({
    payload: z.object({ batchKey: z.string(), user: z.string() }),
    key: (q) => `sla_notices:${q.batchKey}`,
    channel: (q) => q.user,
  }),
  /** Someone acted on a lead: the posted notices listing it are edited; `cause` and `at` make each act one edit. */
  sla_refresh_notices: kind({
    payload: handoffRef,
    key: (q: { handoffId: string; cause: string; at: string }) =>
      `sla_refresh_notices:${q.handoffId}:${q.cause}:${Date.parse(q.at)}`,
    channel: () => null,
    handoff: aboutHandoff,
  }),
  /** The SLA breach told under the marketing note, from one step. */
  sla_breach_note: kind({
    payload: storyPayload,
    key: (q: { handoffId: string; story: SlaFact[]; stepId: number }) => `sla_step:${q.stepId}`,
    channel: (_q, policy) => policy.marketing.channel,
    handoff: aboutHandoff,
  }),
  /** A move told under the marketing note when no breach note tells it. */
  sla_thread_line: kind({
    payload: storyPayload,
    key: (q: { handoffId: string; story: [MovedFact] }) => `thread_line:${q.handoffId}:${q.story[0].to}`,
    channel: (_q, policy) => policy.marketing.channel,
    handoff: aboutHandoff,
  }),
  /** A direct message to the rep a lead was moved to. */
  sla_reassigned: kind({
    payload: toUser.extend({ fact: movedFact }),
    key: (q) => `reassigned:${q.handoffId}:${q.fact.to}`,
    channel: (q) => q.user,
    handoff: aboutHandoff,
  }),
  /** The manager's digest of the team's overdue leads; every replica's cron fires it, the minute lets one through. */
  sla_team_digest: kind({
    payload: z.object({ teamId: z.string(), user: z.string(), at: z.iso.datetime(), handoffIds: z.array(z.uuid()) }),
    key: (q) => `team_digest:${q.teamId}:${minuteOf(q.at)}`,
    channel: (q) => q.user,
  }),
  /** The weekly digest, for the week its period names (`YYYY-MM-DD..YYYY-MM-DD`). */
  reports_digest: kind({
    payload: z.object({ period: z.string() }),
    key: (q) => `reports_digest:${q.period}`,
    channel: (_q, policy) => policy.reports.channel,
  }),
  /** The digest's 12-week trend chart, a delivery of its own so a failed upload never re-posts the digest. */
  reports_trend_chart: kind({
    payload: z.object({ period: z.string().regex(/^\d{4}-\d{2}-\d{2}\.\.(\d{4}-\d{2}-\d{2})$/) }),
    key: (q) => `reports_trend_chart:${q.period}`,
    channel: (_q, policy) => policy.reports.channel,
  }),
};

/**
 * The outbox lane of HubSpot writes, and the name of the one token bucket (channel_pace) every
 * HubSpot call takes from — reads and writes, on every replica — so the account's limit holds.
 */
export const HUBSPOT_LANE = 'hubspot';

/** What a handoff's change asks HubSpot to show (src/services/hubspot-writeback.ts writes it). */
export const hubspotChange = z.union([
  z.templateLiteral(['assigned:', z.string()]),
  z.enum(['accepted', 'rejected', 'rejection_note', 'sql', 'customer', 'nurture']),
]);
export type HubspotChange = z.output<typeof hubspotChange>;

/**
 * Writes to HubSpot, for leads that came from it. They are paced by HubSpot's account-wide bucket
 * (each call takes its token), not by a Slack channel's, and carry no handoff: a HubSpot outage
 * must not hold up a card, nor Slack a write. Their own order per handoff is kept by the sender.
 */
const HUBSPOT_KINDS = {
  /** The contact's owner, status, lifecycle stage and note, as one change of the handoff says. */
  hubspot_write: kind({
    payload: z.object({ handoffId: z.uuid(), change: hubspotChange }),
    key: (q) => `hubspot:${q.handoffId}:${q.change}`,
    channel: () => HUBSPOT_LANE,
  }),
};

const KINDS = { ...SLACK_KINDS, ...HUBSPOT_KINDS };

export type DeliveryKind = keyof typeof KINDS;
export type SlackDeliveryKind = keyof typeof SLACK_KINDS;
export type HubspotDeliveryKind = keyof typeof HUBSPOT_KINDS;
/** What `delivery()` takes for a kind. */
export type QueuedPayload<K extends DeliveryKind> = (typeof KINDS)[K] extends KindSpec<infer Q, unknown> ? Q : never;
/** What a kind's sender gets: the row's payload, parsed. */
export type DeliveryPayload<K extends DeliveryKind> = (typeof KINDS)[K] extends KindSpec<never, infer P> ? P : never;
export interface ParsedDelivery<K extends DeliveryKind = DeliveryKind> {
  kind: K;
  payload: DeliveryPayload<K>;
}

// The same table, typed per kind, so a generic kind's spec has that kind's types.
const SPECS: { [K in DeliveryKind]: KindSpec<QueuedPayload<K>, DeliveryPayload<K>> } = KINDS;

/** A delivery as an outbox row, in `ctx`'s workspace, to be written with the change it announces. */
export function delivery<K extends DeliveryKind>(
  ctx: { workspaceId: string; policy: Policy },
  kind: K,
  payload: QueuedPayload<K>,
  opts: { notBefore?: Date } = {},
): NewOutboxRow {
  const spec = SPECS[kind];
  return {
    workspaceId: ctx.workspaceId,
    dedupeKey: spec.key(payload),
    kind,
    handoffId: spec.handoff?.(payload) ?? null,
    channel: spec.channel(payload, ctx.policy),
    payload,
    ...(opts.notBefore !== undefined ? { notBefore: opts.notBefore } : {}),
  };
}

const isKind = (kind: string): kind is DeliveryKind => Object.hasOwn(KINDS, kind);

function parseAs<K extends DeliveryKind>(kind: K, raw: unknown): ParsedDelivery<K> | { error: string } {
  const parsed = SPECS[kind].payload.safeParse(raw);
  if (!parsed.success)
    return {
      error: `malformed ${kind} payload (${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')})`,
    };
  return { kind, payload: parsed.data };
}

/** A queued row's kind and payload, parsed with the kind's schema; an error for a kind or payload no sender can take. */
export function parseDelivery(row: { kind: string; payload: unknown }): ParsedDelivery | { error: string } {
  return isKind(row.kind) ? parseAs(row.kind, row.payload) : { error: `unknown delivery kind "${row.kind}"` };
}
