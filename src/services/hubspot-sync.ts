import { leadPayloadSchema } from '../http/schemas/lead.js';
import { HubspotError, type HubspotClient, type HubspotObject, type Properties } from '../hubspot/client.js';
import { isMql, leadFieldsOf, mayStartHandoff, OWNER_PROPERTY, propertiesToRead } from '../hubspot/mapping.js';
import {
  claimHubspotEvents,
  finishHubspotEvents,
  latestHandoffStart,
  postponeHubspotEvents,
  type HubspotEventRow,
} from '../db/repo/hubspot.js';
import type { Pace } from '../db/repo/outbox.js';
import type { ServiceContext } from './context.js';
import { holdHubspot } from './hubspot.js';
import type { OwnerMatcher } from './hubspot-owners.js';
import type { IntakeQueue } from './intake.js';
import { HUBSPOT_SOURCE } from './hubspot-writeback.js';
import { backoffMs } from './outbox.js';

/*
 * Processing stored HubSpot events (README, "Connecting HubSpot"). Each pass claims the waiting
 * events of a batch of contacts, reads from HubSpot only the contacts whose events may start a
 * handoff, and hands every contact that is an MQL now to the same intake as POST /api/leads.
 * Events are marked processed only after their intake committed; HubSpot down or rate-limiting
 * postpones them. Replays are harmless: the intake is idempotent, and an event older than the
 * lead's latest handoff starts nothing.
 */

export interface HubspotWorkerDeps {
  client: HubspotClient;
  intake: IntakeQueue;
  owners: OwnerMatcher;
  pace: Pace;
  /** Called after an intake that started a handoff: its card is waiting in the outbox. */
  onHandoff(): void;
  /** Is this event Baton's own write coming back? Such an event starts nothing. */
  isEcho(event: HubspotEventRow): Promise<boolean>;
}

export interface HubspotWorkerTuning {
  /** Contacts claimed per pass; a contact's events are read with one batch call per 100. */
  contacts: number;
  leaseMs: number;
  pollMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_HUBSPOT_TUNING: HubspotWorkerTuning = {
  contacts: 100,
  leaseMs: 60_000,
  pollMs: 1_000,
  maxBackoffMs: 5 * 60_000,
};

export interface HubspotWorker {
  nudge(): void;
  stop(): Promise<void>;
  /** Resolves when a pass finds nothing due (tests and benchmarks). */
  idle(): Promise<void>;
}

type Outcome = 'intake' | 'not_mql' | 'echo' | 'nothing' | 'contact_gone' | 'already_handed_off';

interface ContactRead {
  contact: HubspotObject;
  company: Properties | undefined;
}

/** Reads contacts and their first company, a batch call per 100 of each. */
async function readContacts(
  ctx: ServiceContext,
  client: HubspotClient,
  ids: readonly string[],
): Promise<Map<string, ContactRead>> {
  const props = propertiesToRead(ctx.policy.hubspot);
  const out = new Map<string, ContactRead>();
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    const contacts = await client.batchReadContacts(chunk, props.contact);
    const companyOf =
      props.company.length > 0 && contacts.length > 0
        ? await client.contactCompanies(contacts.map((c) => c.id))
        : new Map<string, string[]>();
    const companyIds = [...new Set([...companyOf.values()].flatMap((list) => list.slice(0, 1)))];
    const companies = new Map(
      (await client.batchReadCompanies(companyIds, props.company)).map((c) => [c.id, c.properties]),
    );
    for (const c of contacts) {
      const first = companyOf.get(c.id)?.[0];
      out.set(c.id, { contact: c, company: first === undefined ? undefined : companies.get(first) });
    }
  }
  return out;
}

/**
 * The intake payload of a contact, checked by the same schema as POST /api/leads. A value that
 * schema refuses (a country it cannot name) is left out rather than losing the lead.
 */
function intakePayload(ctx: ServiceContext, read: ContactRead, ownerHint: string | undefined) {
  const fields = leadFieldsOf(ctx.policy.hubspot, read.contact.properties, read.company);
  const raw: Record<string, unknown> = {
    ...fields,
    source: HUBSPOT_SOURCE,
    externalId: read.contact.id,
    origin: 'marketing',
    ...(ownerHint !== undefined ? { ownerHint } : {}),
    mql: true,
  };
  let parsed = leadPayloadSchema.safeParse(raw);
  if (!parsed.success) {
    const dropped = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))];
    ctx.logger.warn(
      { contact: read.contact.id, fields: dropped },
      'HubSpot contact fields left out: not valid lead values',
    );
    parsed = leadPayloadSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([k]) => !dropped.includes(k))));
  }
  return parsed.success ? parsed.data : undefined;
}

/** What one contact's triggering events lead to: a handoff through the intake, or why not. */
async function contactOutcome(
  ctx: ServiceContext,
  deps: HubspotWorkerDeps,
  id: string,
  read: ContactRead | undefined,
  latestTrigger: Date,
): Promise<Outcome> {
  if (read === undefined) return 'contact_gone';
  if (!isMql(ctx.policy.hubspot, read.contact.properties)) return 'not_mql';
  // An event from before the lead's latest handoff (a late retry, a replay) is history already told.
  const started = await latestHandoffStart(ctx.db, ctx.workspaceId, HUBSPOT_SOURCE, id);
  if (started !== undefined && started.getTime() >= latestTrigger.getTime()) return 'already_handed_off';
  const owner = read.contact.properties[OWNER_PROPERTY];
  const hint = owner !== null && owner !== undefined && owner !== '' ? await deps.owners.repForOwner(owner) : undefined;
  const payload = intakePayload(ctx, read, hint);
  if (payload === undefined) return 'not_mql';
  const result = await deps.intake.submit(payload);
  if (result.handoffId !== undefined) deps.onHandoff();
  return 'intake';
}

/**
 * A claimed batch's contacts are handled side by side: each is its own contact, and MQLs reaching
 * the intake together share its group commit (one at a time, a pass of 100 took seconds).
 */
async function processContacts(
  ctx: ServiceContext,
  deps: HubspotWorkerDeps,
  events: readonly HubspotEventRow[],
): Promise<Map<number, Outcome>> {
  const outcomes = new Map<number, Outcome>();
  const triggers = new Map<string, Date>();
  const echoes = await Promise.all(events.map((e) => deps.isEcho(e)));
  events.forEach((e, i) => {
    if (echoes[i] === true) outcomes.set(e.id, 'echo');
    else if (mayStartHandoff(ctx.policy.hubspot, e)) triggers.set(e.objectId, e.occurredAt);
    else outcomes.set(e.id, 'nothing');
  });
  const reads = await readContacts(ctx, deps.client, [...triggers.keys()]);
  const byContact = new Map(
    await Promise.all(
      [...triggers].map(
        async ([id, latest]) => [id, await contactOutcome(ctx, deps, id, reads.get(id), latest)] as const,
      ),
    ),
  );
  for (const e of events) if (!outcomes.has(e.id)) outcomes.set(e.id, byContact.get(e.objectId) ?? 'nothing');
  return outcomes;
}

export function startHubspotWorker(
  ctx: ServiceContext,
  deps: HubspotWorkerDeps,
  tuning: HubspotWorkerTuning = DEFAULT_HUBSPOT_TUNING,
): HubspotWorker {
  let running = true;
  let wake: (() => void) | undefined;
  let idleWaiters: (() => void)[] = [];

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });

  /** One pass: answers how long to wait before the next (0: more may be waiting); -1 when nothing was due. */
  async function pass(): Promise<number> {
    const events = await claimHubspotEvents(ctx.db, ctx.workspaceId, ctx.now(), {
      contacts: tuning.contacts,
      leaseMs: tuning.leaseMs,
    });
    if (events.length === 0) return -1;
    try {
      const outcomes = await processContacts(ctx, deps, events);
      await finishHubspotEvents(
        ctx.db,
        [...outcomes].map(([id, outcome]) => ({ id, outcome })),
        ctx.now(),
      );
      return 0;
    } catch (err) {
      const now = ctx.now().getTime();
      const attempts = Math.max(...events.map((e) => e.attempts));
      const failure = err instanceof HubspotError ? err.failure : undefined;
      if (failure?.kind === 'rate_limited') {
        ctx.logger.warn(
          { contacts: new Set(events.map((e) => e.objectId)).size, retryAfterMs: failure.retryAfterMs },
          'HubSpot rate limit; holding every HubSpot call',
        );
        await holdHubspot(ctx, failure.retryAfterMs, deps.pace);
        await postponeHubspotEvents(
          ctx.db,
          events.map((e) => e.id),
          new Date(now + failure.retryAfterMs),
        );
        return failure.retryAfterMs;
      }
      const wait = backoffMs(attempts, tuning.maxBackoffMs);
      // Kept and retried whatever the failure: a refused token or scope is fixed by an admin, and the events wait for it.
      const log = failure?.kind === 'permanent' ? ctx.logger.error.bind(ctx.logger) : ctx.logger.warn.bind(ctx.logger);
      log(
        { err: failure ? undefined : err, error: failure?.error, attempts, retryInMs: wait },
        'HubSpot events not processed; will retry',
      );
      await postponeHubspotEvents(
        ctx.db,
        events.map((e) => e.id),
        new Date(now + wait),
      );
      return 0;
    }
  }

  const loop = (async () => {
    while (running) {
      let wait: number;
      try {
        wait = await pass();
      } catch (err) {
        ctx.logger.error({ err }, 'HubSpot event pass failed');
        wait = tuning.pollMs;
      }
      if (wait < 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
      if (wait !== 0 && running) await sleep(wait < 0 ? tuning.pollMs : wait);
    }
  })();

  return {
    nudge: () => wake?.(),
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        wake?.();
      }),
    async stop() {
      running = false;
      wake?.();
      await loop;
      for (const w of idleWaiters) w();
    },
  };
}
