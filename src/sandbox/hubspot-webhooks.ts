import { signatureV3 } from '../hubspot/signature.js';
import { Waiters } from './waiters.js';

export interface WebhookSubscriber {
  url: string;
  clientSecret: string;
  /** What HubSpot's events carry; Baton does not rely on them. */
  portalId?: number;
  appId?: number;
}

/** What a contact.propertyChange event says changed, and who changed it. */
export interface PropertyChange {
  propertyName: string;
  propertyValue: string;
  changeSource: string;
  sourceId: string;
}

interface PendingEvent {
  event: Record<string, unknown>;
  attempts: number;
}

/** HubSpot's app id when the subscriber names none. */
const DEFAULT_APP_ID = 54321;

/**
 * The HubSpot stand-in's webhooks, sent as HubSpot sends them: events queued as the CRM changes,
 * sent a moment later in signed batches of up to 100 to the subscriber (none: they wait for
 * one), a failed batch sent again after `retryMs`, at most ten times in all.
 */
export class WebhookSender {
  private queue: PendingEvent[] = [];
  private nextEventId = 1;
  private inFlight = 0;
  private delivered = 0;
  private deliveredEvents = 0;
  private failedDeliveries = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly deliveredWaiters = new Waiters();

  constructor(
    private subscriber: WebhookSubscriber | undefined,
    private readonly retryMs: number,
  ) {}

  /** The app id changes made through the API are credited to. */
  appId(): string {
    return String(this.subscriber?.appId ?? DEFAULT_APP_ID);
  }

  subscribe(target: WebhookSubscriber): void {
    this.subscriber = target;
    this.flush();
  }

  /** Queues an event about `objectId`: a property change, or (no change) its creation. */
  emit(subscriptionType: string, objectId: string, at: Date, change?: PropertyChange): void {
    const event = {
      eventId: this.nextEventId++,
      subscriptionId: 2001,
      portalId: this.subscriber?.portalId ?? 62515,
      appId: this.subscriber?.appId ?? DEFAULT_APP_ID,
      occurredAt: at.getTime(),
      subscriptionType,
      attemptNumber: 0,
      objectId: Number(objectId),
      ...(change ?? { changeFlag: 'NEW', changeSource: 'CRM_UI', sourceId: 'userId:1' }),
    };
    this.queue.push({ event, attempts: 0 });
    this.flushTimer ??= setTimeout(() => {
      this.flush();
    }, 5);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const target = this.subscriber;
    if (target === undefined) return;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 100);
      this.inFlight += 1;
      void this.send(target, batch).finally(() => {
        this.inFlight -= 1;
        this.deliveredWaiters.wake();
      });
    }
  }

  private async send(target: WebhookSubscriber, batch: PendingEvent[]): Promise<void> {
    const body = JSON.stringify(batch.map((p) => ({ ...p.event, attemptNumber: p.attempts })));
    const timestamp = String(Date.now());
    const signature = signatureV3(
      { method: 'POST', uri: target.url, body: Buffer.from(body), timestamp },
      target.clientSecret,
    );
    let ok: boolean;
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hubspot-request-timestamp': timestamp,
          'x-hubspot-signature-v3': signature,
        },
        body,
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      ok = res.status >= 200 && res.status < 300;
    } catch {
      ok = false;
    }
    if (ok) {
      this.delivered += 1;
      this.deliveredEvents += batch.length;
      return;
    }
    this.failedDeliveries += 1;
    // HubSpot retries a failed delivery up to ten times.
    const again = batch.filter((p) => ++p.attempts < 10);
    if (again.length === 0) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.queue.push(...again);
      this.flush();
      this.deliveredWaiters.wake();
    }, this.retryMs);
    this.retryTimers.add(timer);
  }

  /** Deliveries answered 2xx, and those still waiting or being retried. */
  stats(): { delivered: number; events: number; pending: number; failed: number } {
    return {
      delivered: this.delivered,
      events: this.deliveredEvents,
      pending: this.queue.length + this.inFlight + this.retryTimers.size,
      failed: this.failedDeliveries,
    };
  }

  /** Resolves when every queued event has been delivered. */
  async allDelivered(timeoutMs: number): Promise<void> {
    await this.deliveredWaiters.until(
      () => (this.queue.length === 0 && this.inFlight === 0 && this.retryTimers.size === 0 ? true : undefined),
      timeoutMs,
      () => 'HubSpot stand-in: webhooks still pending',
    );
  }

  /** Drops events not yet sent (the stand-in's reset). */
  clear(): void {
    this.queue = [];
  }

  /** Stops the timers: nothing more is sent. */
  close(): void {
    clearTimeout(this.flushTimer);
    for (const t of this.retryTimers) clearTimeout(t);
  }
}
