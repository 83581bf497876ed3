import { abandonDelivery, claimDue, completeDelivery, holdChannel, releaseDeliveries, retryDelivery, takePaceToken, type OutboxRow, type Pace } from '../db/repo/outbox.js';
import type { ServiceContext } from './context.js';
import { parseDelivery, type DeliveryKind, type DeliveryPayload, type ParsedDelivery } from './delivery-catalogue.js';

export type { OutboxRow };

/** What a delivery attempt came to; the worker turns it into the row's next state. */
export type DeliveryOutcome =
  | { kind: 'done'; result: unknown }
  /** Slack said 429: nothing more for this channel until then. */
  | { kind: 'rate_limited'; retryAfterMs: number; error: string }
  /** 5xx, timeout, connection refused, or a Slack error worth retrying. */
  | { kind: 'retry'; error: string }
  /** Can never succeed (the handoff is gone, the channel archived, the blocks invalid): kept as dead, logged. */
  | { kind: 'abandon'; error: string };

export type Deliverer = (row: OutboxRow) => Promise<DeliveryOutcome>;

/** Sends one kind of delivery: its payload, parsed, and the row (attempts, when it was queued, its key). */
export type Sender<K extends DeliveryKind> = (payload: DeliveryPayload<K>, row: OutboxRow) => Promise<DeliveryOutcome>;
/** A sender for each of the kinds `K` (a destination's); the worker needs one for every kind. */
export type Senders<K extends DeliveryKind> = { [k in K]: Sender<k> };

function send<K extends DeliveryKind>(senders: Senders<DeliveryKind>, delivery: ParsedDelivery<K>, row: OutboxRow): Promise<DeliveryOutcome> {
  return senders[delivery.kind](delivery.payload, row);
}

/**
 * The deliverer: each row's payload parsed with its kind's schema (the one it was queued with,
 * src/services/delivery-catalogue.ts) and handed to the kind's sender. A row no sender can take
 * is dead at once: retrying cannot mend it.
 */
export function dispatch(senders: Senders<DeliveryKind>): Deliverer {
  return (row) => {
    const delivery = parseDelivery(row);
    return 'error' in delivery ? Promise.resolve({ kind: 'abandon', error: delivery.error }) : send(senders, delivery, row);
  };
}

export interface OutboxTuning {
  /** Sustained posts per second per channel, across all replicas; Slack allows about one, with short bursts. */
  channelRate: number;
  /** Posts to one channel that may go at once after a quiet spell. */
  channelBurst: number;
  pollMs: number;
  /** Nudges closer together than this wait for it: under a burst of intake, claims run at this pace, not once per lead. */
  nudgeMinMs: number;
  batch: number;
  /** A claimed row is someone else's to retry after this, e.g. when its worker was killed. */
  leaseMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_OUTBOX_TUNING: OutboxTuning = { channelRate: 1, channelBurst: 3, pollMs: 500, nudgeMinMs: 100, batch: 50, leaseMs: 30_000, maxBackoffMs: 5 * 60_000 };

export function backoffMs(attempts: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, 1000 * 2 ** Math.max(0, attempts - 1));
  // Jitter spreads retries from several replicas so they do not hit Slack in step.
  return Math.round(base * (0.75 + random() * 0.5));
}

export interface OutboxWorker {
  /** Look for work now rather than at the next poll (called after a commit that queued some). */
  nudge(): void;
  /** Finishes the deliveries in hand, then stops. */
  stop(): Promise<void>;
  /** Resolves when a pass finds nothing due (tests and benchmarks). */
  idle(): Promise<void>;
}

/**
 * Delivers queued Slack messages. Rows are claimed with a lease, so a killed worker's rows are
 * retried by whoever comes next; the deliverer makes a retry find an already-posted message
 * instead of posting it twice.
 */
export function startOutboxWorker(ctx: ServiceContext, deliver: Deliverer, tuning: OutboxTuning = DEFAULT_OUTBOX_TUNING): OutboxWorker {
  const pace: Pace = { intervalMs: 1000 / tuning.channelRate, burst: tuning.channelBurst };
  let running = true;
  let wake: (() => void) | undefined;
  let lastClaimAt = 0;
  let nudgeTimer: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => { wake = undefined; resolve(); }, ms);
      wake = () => { clearTimeout(timer); wake = undefined; resolve(); };
    });

  async function settle(row: OutboxRow, outcome: DeliveryOutcome): Promise<void> {
    const now = ctx.now();
    switch (outcome.kind) {
      case 'done':
        await completeDelivery(ctx.db, row.id, outcome.result);
        return;
      case 'rate_limited': {
        ctx.logger.warn({ outbox: row.id, kind: row.kind, channel: row.channel, retryAfterMs: outcome.retryAfterMs }, 'slack rate limit; holding channel');
        await retryDelivery(ctx.db, row.id, new Date(now.getTime() + outcome.retryAfterMs), outcome.error, false);
        if (row.channel !== null) await holdChannel(ctx.db, row.channel, { now, retryAfterMs: outcome.retryAfterMs }, pace);
        return;
      }
      case 'retry': {
        const wait = backoffMs(row.attempts, tuning.maxBackoffMs);
        ctx.logger.warn({ outbox: row.id, kind: row.kind, attempts: row.attempts, retryInMs: wait, error: outcome.error }, 'slack delivery failed; will retry');
        await retryDelivery(ctx.db, row.id, new Date(now.getTime() + wait), outcome.error);
        return;
      }
      case 'abandon':
        ctx.logger.error({ outbox: row.id, kind: row.kind, channel: row.channel, error: outcome.error }, 'slack delivery abandoned: it can never succeed, so it is kept as dead (npm run outbox -- list)');
        await abandonDelivery(ctx.db, row.id, outcome.error);
        return;
    }
  }

  async function handle(row: OutboxRow): Promise<void> {
    let outcome: DeliveryOutcome;
    try {
      outcome = await deliver(row);
    } catch (err) {
      // An unexpected failure is a bug or an outage we did not classify: log it and retry later.
      ctx.logger.error({ err, outbox: row.id, kind: row.kind }, 'delivery threw');
      outcome = { kind: 'retry', error: err instanceof Error ? err.message : String(err) };
    }
    await settle(row, outcome);
  }

  const busy = new Map<string, Promise<void>>();
  // Runs finished so far: a run that ends while a claim is in flight may have made a row due that
  // the claim's snapshot could not see, so that pass proves nothing about being idle.
  let finishedRuns = 0;

  /**
   * Waits for a token of the channel's bucket, shared with every replica and taken right before
   * the post, so the pace holds at Slack whichever replica posts: 0 once taken. Gives up when the
   * wait would run into the rows' lease (another replica could claim them meanwhile) or the worker
   * is stopping, and returns the wait left, so the rows are not claimed again before it is over.
   */
  async function paced(channel: string, deadline: number): Promise<number> {
    for (;;) {
      const wait = await takePaceToken(ctx.db, channel, pace);
      if (wait === 0 || !running || Date.now() + wait > deadline) return wait;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** A channel's rows go one after another at its pace; channels run side by side. */
  async function runChannel(rows: OutboxRow[], claimedAt: number): Promise<void> {
    // Half the lease: the delivery itself (a timeout, a history search) needs the rest.
    const deadline = claimedAt + tuning.leaseMs / 2;
    for (const [i, row] of rows.entries()) {
      const wait = running && row.channel !== null ? await paced(row.channel, deadline) : 0;
      if (!running || wait > 0) {
        await releaseDeliveries(ctx.db, rows.slice(i).map((r) => r.id), new Date(ctx.now().getTime() + wait));
        return;
      }
      await handle(row);
    }
  }

  const loop = (async () => {
    while (running) {
      let rows: OutboxRow[] = [];
      const finishedBefore = finishedRuns;
      lastClaimAt = Date.now();
      try {
        rows = await claimDue(ctx.db, ctx.now(), { limit: tuning.batch, leaseMs: tuning.leaseMs, perChannel: tuning.channelBurst, busyChannels: [...busy.keys()] });
      } catch (err) {
        ctx.logger.error({ err }, 'outbox claim failed');
      }
      if (rows.length === 0 && busy.size === 0 && finishedRuns === finishedBefore) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
      const byChannel = new Map<string, OutboxRow[]>();
      for (const row of rows) byChannel.set(row.channel ?? '', [...(byChannel.get(row.channel ?? '') ?? []), row]);
      for (const [channel, list] of byChannel) {
        const run = runChannel(list, lastClaimAt)
          .catch((err: unknown) => { ctx.logger.error({ err, channel }, 'outbox channel runner failed'); })
          .finally(() => {
            busy.delete(channel);
            finishedRuns++;
            // A channel freed up: its next rows may be due already.
            wake?.();
          });
        busy.set(channel, run);
      }
      if (running && rows.length === 0 && finishedRuns === finishedBefore) await sleep(tuning.pollMs);
    }
    await Promise.all(busy.values());
  })();

  return {
    nudge: () => {
      if (nudgeTimer !== undefined) return;
      nudgeTimer = setTimeout(() => { nudgeTimer = undefined; wake?.(); }, Math.max(0, lastClaimAt + tuning.nudgeMinMs - Date.now()));
    },
    idle: () => new Promise<void>((resolve) => { idleWaiters.push(resolve); wake?.(); }),
    async stop() {
      running = false;
      clearTimeout(nudgeTimer);
      wake?.();
      await loop;
      for (const w of idleWaiters) w();
    },
  };
}
