import {
  abandonDelivery,
  claimDue,
  completeDelivery,
  holdChannel,
  releaseDeliveries,
  retryDelivery,
  takePaceToken,
  type OutboxRow,
  type Pace,
} from '../db/repo/outbox.js';
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

function send<K extends DeliveryKind>(
  senders: Senders<DeliveryKind>,
  delivery: ParsedDelivery<K>,
  row: OutboxRow,
): Promise<DeliveryOutcome> {
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
    return 'error' in delivery
      ? Promise.resolve({ kind: 'abandon', error: delivery.error })
      : send(senders, delivery, row);
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
  /** Lanes whose senders take a token for each call themselves (HubSpot's account-wide limit), not one per row at Slack's pace. */
  selfPaced: readonly string[];
}

export const DEFAULT_OUTBOX_TUNING: OutboxTuning = {
  channelRate: 1,
  channelBurst: 3,
  pollMs: 500,
  nudgeMinMs: 100,
  batch: 50,
  leaseMs: 30_000,
  maxBackoffMs: 5 * 60_000,
  selfPaced: [],
};

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

/** What a row's delivery comes to, written back: done, retried later (the channel held on a 429), or dead. */
async function settle(
  ctx: ServiceContext,
  row: OutboxRow,
  outcome: DeliveryOutcome,
  tuning: OutboxTuning,
  pace: Pace,
): Promise<void> {
  const now = ctx.now();
  switch (outcome.kind) {
    case 'done':
      await completeDelivery(ctx.db, row.id, outcome.result);
      return;
    case 'rate_limited': {
      ctx.logger.warn(
        { outbox: row.id, kind: row.kind, channel: row.channel, retryAfterMs: outcome.retryAfterMs },
        'slack rate limit; holding channel',
      );
      await retryDelivery(ctx.db, row.id, new Date(now.getTime() + outcome.retryAfterMs), outcome.error, false);
      if (row.channel !== null)
        await holdChannel(ctx.db, row.channel, { now, retryAfterMs: outcome.retryAfterMs }, pace);
      return;
    }
    case 'retry': {
      const wait = backoffMs(row.attempts, tuning.maxBackoffMs);
      ctx.logger.warn(
        { outbox: row.id, kind: row.kind, attempts: row.attempts, retryInMs: wait, error: outcome.error },
        'slack delivery failed; will retry',
      );
      await retryDelivery(ctx.db, row.id, new Date(now.getTime() + wait), outcome.error);
      return;
    }
    case 'abandon':
      ctx.logger.error(
        { outbox: row.id, kind: row.kind, channel: row.channel, error: outcome.error },
        'slack delivery abandoned: it can never succeed, so it is kept as dead (npm run outbox -- list)',
      );
      await abandonDelivery(ctx.db, row.id, outcome.error);
      return;
  }
}

/** One attempt at a row; a throw is an outage or a bug nobody classified, so it is retried later. */
async function attempt(ctx: ServiceContext, deliver: Deliverer, row: OutboxRow): Promise<DeliveryOutcome> {
  try {
    return await deliver(row);
  } catch (err) {
    ctx.logger.error({ err, outbox: row.id, kind: row.kind }, 'delivery threw');
    return { kind: 'retry', error: err instanceof Error ? err.message : String(err) };
  }
}

/** A pause between claims that a nudge, a freed channel or a stop cuts short. */
export class Pause {
  private wake: (() => void) | undefined;

  for(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.end(resolve);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.end(resolve);
      };
    });
  }

  /** Ends the pause under way, if any. */
  cut(): void {
    this.wake?.();
  }

  private end(resolve: () => void): void {
    this.wake = undefined;
    resolve();
  }
}

/**
 * Knows when the worker is idle, for whoever waits for it (tests, benchmarks): a claim found
 * nothing, no channel is still being worked, and no channel's run finished while the claim was
 * in flight — a run that ends then may have made a row due (the next of its handoff) that the
 * claim's snapshot could not see, so that claim proves nothing.
 */
export class IdleWatch {
  private waiters: (() => void)[] = [];
  private finished = 0;

  /** Taken before a claim, to tell afterwards whether a run finished meanwhile. */
  mark(): number {
    return this.finished;
  }

  runFinished(): void {
    this.finished++;
  }

  /** A claim that found nothing, with no run finished since `mark`: nothing is due that the claim could not see. */
  quiet(mark: number, claimed: number): boolean {
    return claimed === 0 && this.finished === mark;
  }

  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Tells every waiter the worker is idle (or stopping). */
  release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Calls `run` at most once per `minMs` after the previous claim; calls in between fold into one. */
class Nudges {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly minMs: number,
    private readonly lastClaimAt: () => number,
    private readonly run: () => void,
  ) {}

  nudge(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.run();
      },
      Math.max(0, this.lastClaimAt() + this.minMs - Date.now()),
    );
  }

  cancel(): void {
    clearTimeout(this.timer);
  }
}

/**
 * Delivers queued messages. Rows are claimed with a lease, so a killed worker's rows are retried
 * by whoever comes next; the senders make a retry find an already-posted message instead of
 * posting it twice. Each pass claims what is due, hands each channel's rows to a runner of their
 * own (a channel's rows go one after another at its pace, channels side by side), and pauses
 * when there was nothing to do.
 */
export function startOutboxWorker(
  ctx: ServiceContext,
  deliver: Deliverer,
  tuning: OutboxTuning = DEFAULT_OUTBOX_TUNING,
): OutboxWorker {
  const pace: Pace = { intervalMs: 1000 / tuning.channelRate, burst: tuning.channelBurst };
  const state = { running: true, lastClaimAt: 0 };
  const pause = new Pause();
  const idle = new IdleWatch();
  const nudges = new Nudges(
    tuning.nudgeMinMs,
    () => state.lastClaimAt,
    () => {
      pause.cut();
    },
  );
  const busy = new Map<string, Promise<void>>();

  /**
   * Waits for a token of the channel's bucket, shared with every replica and taken right before
   * the post, so the pace holds at Slack whichever replica posts: 0 once taken. Gives up when the
   * wait would run into the rows' lease (another replica could claim them meanwhile) or the worker
   * is stopping, and returns the wait left, so the rows are not claimed again before it is over.
   */
  async function paced(channel: string, deadline: number): Promise<number> {
    for (;;) {
      const wait = await takePaceToken(ctx.db, channel, pace);
      if (wait === 0 || !state.running || Date.now() + wait > deadline) return wait;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** A channel's rows, one after another at its pace; the rest go back when the pace or a stop says so. */
  async function runChannel(rows: OutboxRow[], claimedAt: number): Promise<void> {
    // Half the lease: the delivery itself (a timeout, a history search) needs the rest.
    const deadline = claimedAt + tuning.leaseMs / 2;
    for (const [i, row] of rows.entries()) {
      const wait =
        state.running && row.channel !== null && !tuning.selfPaced.includes(row.channel)
          ? await paced(row.channel, deadline)
          : 0;
      if (!state.running || wait > 0) {
        await releaseDeliveries(
          ctx.db,
          rows.slice(i).map((r) => r.id),
          new Date(ctx.now().getTime() + wait),
        );
        return;
      }
      await settle(ctx, row, await attempt(ctx, deliver, row), tuning, pace);
    }
  }

  function startRunners(rows: readonly OutboxRow[]): void {
    const byChannel = new Map<string, OutboxRow[]>();
    for (const row of rows) byChannel.set(row.channel ?? '', [...(byChannel.get(row.channel ?? '') ?? []), row]);
    for (const [channel, list] of byChannel) {
      const run = runChannel(list, state.lastClaimAt)
        .catch((err: unknown) => {
          ctx.logger.error({ err, channel }, 'outbox channel runner failed');
        })
        .finally(() => {
          busy.delete(channel);
          idle.runFinished();
          // A channel freed up: its next rows may be due already.
          pause.cut();
        });
      busy.set(channel, run);
    }
  }

  async function claim(): Promise<OutboxRow[]> {
    state.lastClaimAt = Date.now();
    try {
      return await claimDue(ctx.db, ctx.now(), {
        limit: tuning.batch,
        leaseMs: tuning.leaseMs,
        perChannel: tuning.channelBurst,
        busyChannels: [...busy.keys()],
      });
    } catch (err) {
      ctx.logger.error({ err }, 'outbox claim failed');
      return [];
    }
  }

  const loop = (async () => {
    while (state.running) {
      const mark = idle.mark();
      const rows = await claim();
      const quiet = idle.quiet(mark, rows.length);
      if (quiet && busy.size === 0) idle.release();
      startRunners(rows);
      if (state.running && quiet) await pause.for(tuning.pollMs);
    }
    await Promise.all(busy.values());
  })();

  return {
    nudge: () => {
      nudges.nudge();
    },
    idle: () => {
      const waited = idle.wait();
      pause.cut();
      return waited;
    },
    async stop() {
      state.running = false;
      nudges.cancel();
      pause.cut();
      await loop;
      idle.release();
    },
  };
}
