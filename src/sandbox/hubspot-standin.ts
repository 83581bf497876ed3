import type { IncomingMessage, ServerResponse } from 'node:http';
import { CallLog } from './call-log.js';
import { ChangeSignal } from './change-signal.js';
import { FailurePlan } from './failure-plan.js';
import { answerApi, asRecord } from './hubspot-api.js';
import { BY_A_PERSON, error, HttpAnswer, HubspotCrm, type StandInContact } from './hubspot-crm.js';
import { WebhookSender, type WebhookSubscriber } from './hubspot-webhooks.js';
import { listenOnLoopback, type Handler } from './loopback.js';

export { LIFECYCLE_STAGES, type StandInContact } from './hubspot-crm.js';
export type { WebhookSubscriber } from './hubspot-webhooks.js';

/*
 * A stand-in for the HubSpot CRM API on loopback, written from HubSpot's documented request and
 * response shapes (docs/hubspot.md), for the endpoints Baton calls: contacts read, batch read,
 * search and update; companies through the contact's associations; owners; notes. It records
 * every call, can be told to answer 429 with Retry-After, 5xx, or hang, can enforce HubSpot's
 * ten-second limit, and — like HubSpot — sends signed webhook batches to a subscriber when a
 * contact is created or a subscribed property changes, whoever changed it (a person in the CRM or
 * an app through the API), retrying a delivery that fails. The sandbox serves it too.
 *
 * Its parts: the CRM (src/sandbox/hubspot-crm.ts) and its endpoints (src/sandbox/hubspot-api.ts),
 * the webhooks (src/sandbox/hubspot-webhooks.ts), the call log and failure plan it shares with
 * the Slack stand-in; here, the HTTP side that puts them together, with HubSpot's rate limit.
 */

export interface HubspotCall {
  method: string;
  path: string;
  /** "GET /crm/v3/objects/contacts/{id}": the endpoint, ids replaced, to match calls on. */
  endpoint: string;
  at: Date;
  body: unknown;
  headers: IncomingMessage['headers'];
  status: number;
}

export type HubspotStandInFailure =
  | { status: 429; retryAfterSeconds?: number; policyName?: 'TEN_SECONDLY_ROLLING' | 'DAILY' }
  | { status: 500 | 502 | 503 }
  /** No answer ever comes; `acted`: HubSpot acts on the request first (the note is made, the property set). */
  | { hang: true; acted?: boolean }
  /** HubSpot acts on the request, then the connection drops before the answer. */
  | { lostAnswer: true };

export interface HubspotStandInOptions {
  token?: string;
  /** Where webhook batches go; set later with subscribe(). */
  webhook?: WebhookSubscriber;
  /** Properties whose changes are sent as contact.propertyChange events (HubSpot's subscriptions). */
  subscribedProperties?: readonly string[];
  /** HubSpot's burst limit: more requests than this in any 10 s answer 429. Unset: no limit. */
  perTenSeconds?: number;
  /** Wait before a failed webhook delivery is sent again (HubSpot spreads its 10 retries over a day). */
  webhookRetryMs?: number;
}

export interface HubspotStandIn {
  url: string;
  calls: HubspotCall[];
  /** Calls to an endpoint, e.g. "PATCH /crm/v3/objects/contacts/{id}". */
  callsTo(endpoint: string): HubspotCall[];
  waitFor(
    match: string | ((c: HubspotCall) => boolean),
    opts?: { count?: number; timeoutMs?: number },
  ): Promise<HubspotCall[]>;
  /** The next `times` calls to `endpoint` ('*' for any) fail so. */
  failNext(endpoint: string, failure: HubspotStandInFailure, times?: number): void;
  stopFailing(): void;
  subscribe(webhook: WebhookSubscriber): void;
  addOwner(owner: { email: string; firstName: string; lastName: string }): string;
  addCompany(properties: Record<string, string>): string;
  /** A contact created as a person in the CRM would (a contact.creation event, then its properties' events). */
  createContact(properties: Record<string, string>, opts?: { companyId?: string; at?: Date }): string;
  /** Properties changed as a person in the CRM would (changeSource CRM_UI). */
  setProperties(id: string, properties: Record<string, string>, at?: Date): void;
  contact(id: string): StandInContact | undefined;
  contacts(): StandInContact[];
  owners(): { id: string; email: string; firstName: string; lastName: string }[];
  notes(contactId: string): { id: string; body: string; timestamp: string }[];
  /** Webhook deliveries answered 2xx, and those still waiting or being retried. */
  webhookStats(): { delivered: number; events: number; pending: number; failed: number };
  /** Resolves when every queued webhook event has been delivered. */
  webhooksDelivered(timeoutMs?: number): Promise<void>;
  /** The most requests seen in any ten seconds (HubSpot's burst window). */
  peakPerTenSeconds(): number;
  /** Grows on every change the sandbox page could show. */
  version(): number;
  onChange(listener: () => void): () => void;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_SUBSCRIBED = ['lifecyclestage', 'hubspot_owner_id', 'hs_lead_status'];
/** HubSpot's burst window. */
const TEN_SECONDS = 10_000;

function endpointOf(method: string, path: string): string {
  return `${method} ${path.replace(/\?.*$/, '').replace(/\/\d+(?=\/|$)/g, '/{id}')}`;
}

/** Whether the calls of the last ten seconds before `now` (429s not counted) reached `perTenSeconds`. */
function overLimit(calls: readonly HubspotCall[], perTenSeconds: number | undefined, now: number): boolean {
  if (perTenSeconds === undefined) return false;
  let n = 0;
  for (let i = calls.length - 1; i >= 0 && calls[i]!.at.getTime() > now - TEN_SECONDS; i--)
    if (calls[i]!.status !== 429) n++;
  return n >= perTenSeconds;
}

/** The most calls in any ten seconds. */
function peakPerTenSeconds(calls: readonly HubspotCall[]): number {
  let peak = 0;
  let from = 0;
  for (let i = 0; i < calls.length; i++) {
    while (calls[i]!.at.getTime() - calls[from]!.at.getTime() >= TEN_SECONDS) from++;
    peak = Math.max(peak, i - from + 1);
  }
  return peak;
}

/** HubSpot's 429 body; `correlationId` only on the answers a test asked for. */
function rateLimited(policyName: string, correlationId?: string): HttpAnswer {
  return new HttpAnswer(429, {
    status: 'error',
    message: 'You have reached your ten_secondly_rolling limit.',
    errorType: 'RATE_LIMIT',
    ...(correlationId !== undefined ? { correlationId } : {}),
    policyName,
  });
}

function reply(res: ServerResponse, a: HttpAnswer, headers: Record<string, string> = {}): void {
  res.writeHead(a.status, { 'content-type': 'application/json;charset=utf-8', ...headers });
  res.end(JSON.stringify(a.body));
}

/** What the stand-in's HTTP side works with. */
interface Served {
  log: CallLog<HubspotCall>;
  failures: FailurePlan<HubspotStandInFailure>;
  crm: HubspotCrm;
  webhooks: WebhookSender;
  hold(res: ServerResponse): void;
  token: string;
  perTenSeconds: number | undefined;
}

function hubspotHandler(s: Served): Handler {
  return async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    let body: unknown;
    try {
      body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : {};
    } catch {
      reply(res, error(400, 'VALIDATION_ERROR', 'Invalid input JSON'));
      return;
    }
    const endpoint = endpointOf(method, url.pathname);
    const limited = overLimit(s.log.calls, s.perTenSeconds, Date.now());
    const call: HubspotCall = {
      method,
      path: url.pathname + url.search,
      endpoint,
      at: new Date(),
      body,
      headers: req.headers,
      status: 0,
    };
    s.log.record(call);
    const failure = s.failures.next(endpoint);
    const answer = (): HttpAnswer => answerApi(s.crm, method, url, body, s.webhooks.appId());
    if (req.headers.authorization !== `Bearer ${s.token}`) {
      call.status = 401;
      reply(res, error(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.'));
    } else if (failure) {
      call.status = fail(s, failure, res, answer);
    } else if (limited) {
      call.status = 429;
      reply(res, rateLimited('TEN_SECONDLY_ROLLING'), { 'retry-after': '1', 'x-hubspot-ratelimit-remaining': '0' });
    } else {
      const a = answer();
      call.status = a.status;
      reply(
        res,
        a,
        s.perTenSeconds !== undefined
          ? {
              'x-hubspot-ratelimit-max': String(s.perTenSeconds),
              'x-hubspot-ratelimit-interval-milliseconds': String(TEN_SECONDS),
            }
          : {},
      );
    }
    s.log.announce();
  };
}

/**
 * Answers with the failure the plan picked; `answer` is the call's work, done when HubSpot acts
 * before the answer is lost. Returns the status to record (0: no answer yet).
 */
function fail(s: Served, failure: HubspotStandInFailure, res: ServerResponse, answer: () => HttpAnswer): number {
  if ('hang' in failure) {
    s.hold(res);
    return failure.acted === true ? answer().status : 0;
  }
  if ('lostAnswer' in failure) {
    const status = answer().status;
    res.socket?.destroy();
    return status;
  }
  if (failure.status === 429) {
    reply(
      res,
      rateLimited(failure.policyName ?? 'TEN_SECONDLY_ROLLING', '0'),
      failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {},
    );
    return 429;
  }
  reply(res, error(failure.status, 'INTERNAL_ERROR', 'internal error'));
  return failure.status;
}

export async function startHubspotStandIn(opts: HubspotStandInOptions = {}): Promise<HubspotStandIn> {
  const log = new CallLog<HubspotCall>();
  const failures = new FailurePlan<HubspotStandInFailure>();
  const signal = new ChangeSignal();
  const webhooks = new WebhookSender(opts.webhook, opts.webhookRetryMs ?? 1000);
  const crm = new HubspotCrm(new Set(opts.subscribedProperties ?? DEFAULT_SUBSCRIBED), {
    emit: (type, id, at, change) => {
      webhooks.emit(type, id, at, change);
    },
    changed: () => {
      signal.changed();
    },
  });
  const loopback = await listenOnLoopback();
  loopback.serve(
    hubspotHandler({
      log,
      failures,
      crm,
      webhooks,
      hold: loopback.hold,
      token: opts.token ?? 'pat-test',
      perTenSeconds: opts.perTenSeconds,
    }),
  );

  return {
    url: loopback.base,
    calls: log.calls,
    callsTo: (endpoint) => log.matching((c) => c.endpoint === endpoint),
    waitFor(match, { count = 1, timeoutMs = 10_000 } = {}) {
      const test =
        typeof match === 'string'
          ? (c: HubspotCall) => c.endpoint === match && c.status >= 200 && c.status < 300
          : match;
      return log.waitFor(test, {
        count,
        timeoutMs,
        failure: (seen) =>
          `HubSpot stand-in: waited ${timeoutMs} ms for ${count} call(s) to ${typeof match === 'string' ? match : 'a match'}, saw ${seen}`,
      });
    },
    failNext(endpoint, failure, times) {
      failures.failNext(endpoint, failure, times);
    },
    stopFailing() {
      failures.clear();
    },
    subscribe(target) {
      webhooks.subscribe(target);
    },
    addOwner: (owner) => crm.addOwner(owner),
    addCompany: (properties) => crm.addCompany(properties),
    createContact: (properties, contactOpts = {}) => crm.createContact(properties, contactOpts),
    setProperties(id, properties, at = new Date()) {
      const c = crm.contacts.get(id);
      if (!c) throw new Error(`HubSpot stand-in: no contact ${id}`);
      const refused = crm.applyProperties(c, properties, at, BY_A_PERSON);
      if (refused) throw new Error(String(asRecord(refused.body).message));
    },
    contact: (id) => crm.contacts.get(id),
    contacts: () => [...crm.contacts.values()],
    owners: () =>
      [...crm.owners.values()].map(({ id, email, firstName, lastName }) => ({ id, email, firstName, lastName })),
    notes: (contactId) =>
      (crm.contacts.get(contactId)?.noteIds ?? [])
        .map((id) => crm.notes.get(id)!)
        .map((n) => ({ id: n.id, body: n.properties.hs_note_body ?? '', timestamp: n.properties.hs_timestamp ?? '' })),
    webhookStats: () => webhooks.stats(),
    webhooksDelivered: (timeoutMs = 10_000) => webhooks.allDelivered(timeoutMs),
    peakPerTenSeconds: () => peakPerTenSeconds(log.calls),
    version: () => signal.version(),
    onChange: (listener) => signal.onChange(listener),
    reset() {
      log.clear();
      crm.reset();
      failures.clear();
      webhooks.clear();
    },
    async close() {
      webhooks.close();
      await loopback.close();
    },
  };
}
