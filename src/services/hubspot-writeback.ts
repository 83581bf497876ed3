import { z } from 'zod';
import { findHandoff } from '../db/repo/handoffs.js';
import { earlierWritePending, recordHubspotWrites } from '../db/repo/hubspot.js';
import { findLeadById } from '../db/repo/leads.js';
import { saveDeliveryProgress, type NewOutboxRow } from '../db/repo/outbox.js';
import { HubspotError, type HubspotClient } from '../hubspot/client.js';
import { LEAD_STATUS_PROPERTY, LIFECYCLE_PROPERTY, OWNER_PROPERTY } from '../hubspot/mapping.js';
import type { ServiceContext } from './context.js';
import {
  delivery,
  HUBSPOT_LANE,
  type DeliveryPayload,
  type HubspotChange,
  type HubspotDeliveryKind,
} from './delivery-catalogue.js';
import type { OwnerMatcher } from './hubspot-owners.js';
import type { DeliveryOutcome, OutboxRow, Senders } from './outbox.js';

/*
 * Write-back (README, "Connecting HubSpot"): what sales decided in Slack, on the HubSpot contact
 * the lead came from. Each change of a handoff is one outbox row, queued in the transaction of
 * the change, so it is written exactly once however often the change is replayed, after a crash
 * as after a HubSpot outage. Every value is recorded before it is written, so its echo (HubSpot's
 * webhook about Baton's own change) starts nothing.
 */

/** Leads from HubSpot: source "hubspot", externalId the contact id. */
export const HUBSPOT_SOURCE = 'hubspot';

/**
 * The rows that write `change` back, when the connector is on; nothing otherwise. A rejection's
 * note is a row of its own: retrying a note must not repeat the status update before it.
 */
export function hubspotWriteBack(
  ctx: ServiceContext,
  handoffId: string,
  change: Exclude<HubspotChange, 'rejection_note'>,
): NewOutboxRow[] {
  if (ctx.hubspot !== true) return [];
  const changes: HubspotChange[] = change === 'rejected' ? ['rejected', 'rejection_note'] : [change];
  return changes.map((c) => delivery(ctx, 'hubspot_write', { handoffId, change: c }));
}

const SQL_STAGE = 'salesqualifiedlead';
const CUSTOMER_STAGE = 'customer';

/** What HubSpot is told, in order: property updates (an empty value clears), then a note. */
interface Writes {
  updates: Record<string, string>[];
  note?: string | undefined;
}

const noteRef = (row: OutboxRow): string => `Baton ref ${row.dedupeKey}`;

/** On a pending row: how many of its updates HubSpot has answered. */
const progress = z.object({ updatesDone: z.number().int().nonnegative() });

function failed(err: unknown): DeliveryOutcome {
  if (!(err instanceof HubspotError)) throw err;
  const f = err.failure;
  switch (f.kind) {
    case 'rate_limited':
      return { kind: 'rate_limited', retryAfterMs: f.retryAfterMs, error: f.error };
    case 'transient':
      return { kind: 'retry', error: f.error };
    case 'not_found':
      return { kind: 'abandon', error: `${f.error}: the HubSpot contact is gone (deleted or merged)` };
    case 'permanent':
      return { kind: 'abandon', error: f.error };
  }
}

async function writesFor(
  ctx: ServiceContext,
  owners: OwnerMatcher,
  change: HubspotChange,
  handoff: NonNullable<Awaited<ReturnType<typeof findHandoff>>>,
): Promise<Writes | string> {
  const { nurture } = ctx.policy.hubspot;
  // Moving a lifecycle stage back takes clearing it first (HubSpot refuses the move otherwise).
  const backToNurture = [{ [LIFECYCLE_PROPERTY]: '' }, { [LIFECYCLE_PROPERTY]: nurture.lifecycleStage }];
  switch (change) {
    case 'accepted':
      return { updates: [{ [LEAD_STATUS_PROPERTY]: 'IN_PROGRESS' }] };
    case 'rejected':
      return {
        updates: [{ [LEAD_STATUS_PROPERTY]: 'UNQUALIFIED' }, ...(handoff.outcome === 'nurture' ? backToNurture : [])],
      };
    case 'rejection_note': {
      const reason =
        ctx.policy.rejectionReasons.find((r) => r.id === handoff.rejectReason)?.label ??
        handoff.rejectReason ??
        'no reason given';
      const by =
        ctx.policy.teams.flatMap((t) => t.reps).find((r) => r.user === handoff.decidedBy)?.name ??
        handoff.decidedBy ??
        'sales';
      const note = [
        `Rejected in Baton by ${by}: ${reason}.`,
        ...(handoff.rejectNote ? [`Note: ${handoff.rejectNote}`] : []),
        handoff.outcome === 'disqualify' ? 'Disqualified.' : 'Back to marketing (nurture).',
      ];
      return { updates: [], note: note.join('\n') };
    }
    case 'sql':
      return { updates: [{ [LIFECYCLE_PROPERTY]: SQL_STAGE }] };
    case 'customer':
      return { updates: [{ [LIFECYCLE_PROPERTY]: CUSTOMER_STAGE }] };
    case 'nurture':
      return {
        updates: [
          ...backToNurture.slice(0, 1),
          { [LIFECYCLE_PROPERTY]: nurture.lifecycleStage, [LEAD_STATUS_PROPERTY]: nurture.leadStatus },
        ],
      };
    default: {
      const rep = change.slice('assigned:'.length);
      const owner = await owners.ownerForRep(rep);
      return owner === undefined
        ? `no HubSpot owner has the e-mail of ${rep}: give the rep an email in the policy, or make them a HubSpot user`
        : { updates: [{ [OWNER_PROPERTY]: owner }] };
    }
  }
}

async function write(
  ctx: ServiceContext,
  client: HubspotClient,
  owners: OwnerMatcher,
  p: DeliveryPayload<'hubspot_write'>,
  row: OutboxRow,
): Promise<DeliveryOutcome> {
  if (await earlierWritePending(ctx.db, HUBSPOT_LANE, row.id, p.handoffId))
    return { kind: 'retry', error: 'an earlier HubSpot write of this handoff is still waiting' };
  const handoff = await findHandoff(ctx.db, p.handoffId);
  const lead = handoff ? await findLeadById(ctx.db, ctx.workspaceId, handoff.leadId) : undefined;
  if (!handoff || !lead) return { kind: 'abandon', error: `handoff ${p.handoffId} not found` };
  if (lead.source !== HUBSPOT_SOURCE || lead.externalId === null)
    return { kind: 'done', result: { skipped: 'the lead did not come from HubSpot' } };
  const contactId = lead.externalId;
  try {
    const writes = await writesFor(ctx, owners, p.change, handoff);
    if (typeof writes === 'string') {
      ctx.logger.warn({ outbox: row.id, handoff: p.handoffId, change: p.change }, `HubSpot write skipped: ${writes}`);
      return { kind: 'done', result: { skipped: writes } };
    }
    // A retry goes on after the updates HubSpot answered: a 5xx on the second must not repeat the first.
    const done = progress.safeParse(row.result).data?.updatesDone ?? 0;
    for (const [i, properties] of writes.updates.entries()) {
      if (i < done) continue;
      await recordHubspotWrites(ctx.db, ctx.workspaceId, contactId, properties, ctx.now());
      await client.updateContact(contactId, properties);
      if (i + 1 < writes.updates.length) await saveDeliveryProgress(ctx.db, row.id, { updatesDone: i + 1 });
    }
    if (writes.note !== undefined) {
      const body = `${writes.note}\n${noteRef(row)}`;
      // A retry may follow a note HubSpot made but whose answer was lost: look for it first.
      const made =
        row.attempts > 1 && (await client.contactNoteBodies(contactId)).some((b) => b.includes(noteRef(row)));
      if (!made) await client.createNote({ contactId, body, timestamp: handoff.decidedAt ?? ctx.now() });
    }
    return { kind: 'done', result: { contactId, updates: writes.updates, note: writes.note !== undefined } };
  } catch (err) {
    return failed(err);
  }
}

/** How each HubSpot kind of delivery (src/services/delivery-catalogue.ts) reaches HubSpot; with the connector off, such a row waits dead for it. */
export function hubspotSenders(
  ctx: ServiceContext,
  connector: { client: HubspotClient; owners: OwnerMatcher } | undefined,
): Senders<HubspotDeliveryKind> {
  return {
    hubspot_write: (p, row) =>
      connector
        ? write(ctx, connector.client, connector.owners, p, row)
        : Promise.resolve({
            kind: 'abandon',
            error: 'the HubSpot connector is off: set HUBSPOT_ACCESS_TOKEN, then npm run outbox -- retry-all',
          }),
  };
}
