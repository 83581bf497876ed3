import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureV3 } from '../hubspot/signature.js';
import { waitForCalls } from './wait-for-calls.js';

/*
 * A stand-in for the HubSpot CRM API on loopback, written from HubSpot's documented request and
 * response shapes (docs/hubspot.md), for the endpoints Baton calls: contacts read, batch read,
 * search and update; companies through the contact's associations; owners; notes. It records
 * every call, can be told to answer 429 with Retry-After, 5xx, or hang, can enforce HubSpot's
 * ten-second limit, and — like HubSpot — sends signed webhook batches to a subscriber when a
 * contact is created or a subscribed property changes, whoever changed it (a person in the CRM or
 * an app through the API), retrying a delivery that fails. The sandbox serves it too.
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

export interface StandInContact {
  id: string;
  properties: Record<string, string>;
  createdAt: Date;
  companyIds: string[];
  noteIds: string[];
}

export interface WebhookSubscriber {
  url: string;
  clientSecret: string;
  /** What HubSpot's events carry; Baton does not rely on them. */
  portalId?: number;
  appId?: number;
}

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

/** The default lifecycle stages, in order (docs/hubspot.md); moving backwards needs the value cleared first. */
export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;
const DEFAULT_SUBSCRIBED = ['lifecyclestage', 'hubspot_owner_id', 'hs_lead_status'];
/** The association type ids HubSpot defines: contact → company (primary), note → contact. */
const CONTACT_TO_COMPANY = 1;
const NOTE_TO_CONTACT = 202;

interface PendingEvent {
  event: Record<string, unknown>;
  attempts: number;
}

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

const error = (status: number, category: string, message: string): HttpAnswer =>
  new HttpAnswer(status, { status: 'error', message, correlationId: '00000000-0000-0000-0000-000000000000', category });

function endpointOf(method: string, path: string): string {
  return `${method} ${path.replace(/\?.*$/, '').replace(/\/\d+(?=\/|$)/g, '/{id}')}`;
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A property value as a number for comparisons: epoch ms for dates, else the number itself. */
function comparable(v: string): number {
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return Number.isNaN(t) ? Number.NaN : t;
}

export async function startHubspotStandIn(opts: HubspotStandInOptions = {}): Promise<HubspotStandIn> {
  const token = opts.token ?? 'pat-test';
  const subscribed = new Set(opts.subscribedProperties ?? DEFAULT_SUBSCRIBED);
  const retryMs = opts.webhookRetryMs ?? 1000;
  let webhook = opts.webhook;
  const calls: HubspotCall[] = [];
  const contacts = new Map<string, StandInContact>();
  const companies = new Map<string, { id: string; properties: Record<string, string>; createdAt: Date }>();
  const owners = new Map<
    string,
    { id: string; email: string; firstName: string; lastName: string; userId: number; createdAt: Date }
  >();
  const notes = new Map<
    string,
    { id: string; properties: Record<string, string>; createdAt: Date; contactIds: string[] }
  >();
  const scripted = new Map<string, HubspotStandInFailure[]>();
  const hanging = new Set<ServerResponse>();
  const waiters = new Set<() => void>();
  const changeListeners = new Set<() => void>();
  let changes = 0;
  let nextId = 1001;
  let nextEventId = 1;
  let queue: PendingEvent[] = [];
  let inFlight = 0;
  let delivered = 0;
  let deliveredEvents = 0;
  let failedDeliveries = 0;
  let flushTimer: NodeJS.Timeout | undefined;
  const retryTimers = new Set<NodeJS.Timeout>();
  const deliveredWaiters = new Set<() => void>();
  const newId = (): string => String(nextId++);
  const changed = (): void => {
    changes += 1;
    for (const l of [...changeListeners]) l();
  };
  const notify = (): void => {
    for (const w of [...waiters]) w();
  };

  // ----- webhooks, as HubSpot sends them -----

  function emit(
    subscriptionType: string,
    objectId: string,
    at: Date,
    change?: { propertyName: string; propertyValue: string; changeSource: string; sourceId: string },
  ): void {
    const event = {
      eventId: nextEventId++,
      subscriptionId: 2001,
      portalId: webhook?.portalId ?? 62515,
      appId: webhook?.appId ?? 54321,
      occurredAt: at.getTime(),
      subscriptionType,
      attemptNumber: 0,
      objectId: Number(objectId),
      ...(change ?? { changeFlag: 'NEW', changeSource: 'CRM_UI', sourceId: 'userId:1' }),
    };
    queue.push({ event, attempts: 0 });
    flushTimer ??= setTimeout(flush, 5);
  }

  function checkDelivered(): void {
    if (queue.length === 0 && inFlight === 0 && retryTimers.size === 0) for (const w of [...deliveredWaiters]) w();
  }

  /** Sends what is queued in batches of up to 100, like HubSpot; a failed batch is sent again later. */
  function flush(): void {
    flushTimer = undefined;
    const target = webhook;
    if (target === undefined) return;
    while (queue.length > 0) {
      const batch = queue.splice(0, 100);
      inFlight += 1;
      void send(target, batch).finally(() => {
        inFlight -= 1;
        checkDelivered();
      });
    }
  }

  async function send(target: WebhookSubscriber, batch: PendingEvent[]): Promise<void> {
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
      delivered += 1;
      deliveredEvents += batch.length;
      return;
    }
    failedDeliveries += 1;
    // HubSpot retries a failed delivery up to ten times.
    const again = batch.filter((p) => ++p.attempts < 10);
    if (again.length === 0) return;
    const timer = setTimeout(() => {
      retryTimers.delete(timer);
      queue.push(...again);
      flush();
      checkDelivered();
    }, retryMs);
    retryTimers.add(timer);
  }

  // ----- the CRM -----

  function applyProperties(
    c: StandInContact,
    props: Record<string, string | null>,
    at: Date,
    source: { changeSource: string; sourceId: string },
  ): HttpAnswer | undefined {
    const stage = props.lifecyclestage;
    if (stage !== undefined && stage !== null && stage !== '') {
      const from = LIFECYCLE_STAGES.indexOf((c.properties.lifecyclestage ?? '') as (typeof LIFECYCLE_STAGES)[number]);
      const to = LIFECYCLE_STAGES.indexOf(stage as (typeof LIFECYCLE_STAGES)[number]);
      if (to < 0)
        return error(400, 'VALIDATION_ERROR', `Property values were not valid: ${stage} is not a lifecycle stage`);
      if (from > to)
        return error(
          400,
          'VALIDATION_ERROR',
          `Property values were not valid: lifecyclestage cannot move backwards from ${c.properties.lifecyclestage ?? ''} to ${stage} without being cleared first`,
        );
    }
    for (const [name, raw] of Object.entries(props)) {
      const value = raw ?? '';
      if ((c.properties[name] ?? '') === value) continue;
      if (value === '') Reflect.deleteProperty(c.properties, name);
      else c.properties[name] = value;
      if (name === 'lifecyclestage' && value !== '') c.properties[`hs_v2_date_entered_${value}`] = at.toISOString();
      if (subscribed.has(name))
        emit('contact.propertyChange', c.id, at, { propertyName: name, propertyValue: value, ...source });
    }
    c.properties.lastmodifieddate = at.toISOString();
    changed();
    return undefined;
  }

  function contactJson(
    c: StandInContact,
    wanted: readonly string[] | undefined,
    withCompanies = false,
  ): Record<string, unknown> {
    const names = new Set([
      ...(wanted ?? ['email', 'firstname', 'lastname']),
      'createdate',
      'lastmodifieddate',
      'hs_object_id',
    ]);
    return {
      id: c.id,
      properties: Object.fromEntries(
        [...names].map((n) => [n, n === 'hs_object_id' ? c.id : (c.properties[n] ?? null)]),
      ),
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.properties.lastmodifieddate ?? c.createdAt.toISOString(),
      archived: false,
      ...(withCompanies && c.companyIds.length > 0
        ? { associations: { companies: { results: c.companyIds.map((id) => ({ id, type: 'contact_to_company' })) } } }
        : {}),
    };
  }

  const objectJson = (
    o: { id: string; properties: Record<string, string>; createdAt: Date },
    wanted: readonly string[],
  ): Record<string, unknown> => ({
    id: o.id,
    properties: Object.fromEntries(
      [...wanted, 'hs_object_id'].map((n) => [n, n === 'hs_object_id' ? o.id : (o.properties[n] ?? null)]),
    ),
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.createdAt.toISOString(),
    archived: false,
  });

  const ownerJson = (o: {
    id: string;
    email: string;
    firstName: string;
    lastName: string;
    userId: number;
    createdAt: Date;
  }): Record<string, unknown> => ({
    id: o.id,
    email: o.email,
    firstName: o.firstName,
    lastName: o.lastName,
    userId: o.userId,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.createdAt.toISOString(),
    archived: false,
  });

  const batchAnswer = (results: unknown[]): HttpAnswer =>
    new HttpAnswer(200, {
      status: 'COMPLETE',
      results,
      startedAt: new Date().toISOString(),
      completedAt: new Date().toISOString(),
    });

  const idsOf = (body: unknown): string[] =>
    (Array.isArray(asRecord(body).inputs) ? (asRecord(body).inputs as unknown[]) : []).map((i) =>
      String(asRecord(i).id),
    );
  const propsOf = (body: unknown): string[] =>
    Array.isArray(asRecord(body).properties) ? (asRecord(body).properties as unknown[]).map(String) : [];

  function search(body: Record<string, unknown>): HttpAnswer {
    const groups = (Array.isArray(body.filterGroups) ? body.filterGroups : []).map((g) =>
      (Array.isArray(asRecord(g).filters) ? (asRecord(g).filters as unknown[]) : []).map(asRecord),
    );
    const matches = (c: StandInContact): boolean =>
      groups.length === 0 ||
      groups.some((filters) =>
        filters.every((f) => {
          const name = String(f.propertyName);
          const actual = name === 'hs_object_id' ? c.id : c.properties[name];
          if (f.operator === 'HAS_PROPERTY') return actual !== undefined;
          if (actual === undefined) return false;
          const value = String(f.value);
          switch (f.operator) {
            case 'EQ':
              return actual.toLowerCase() === value.toLowerCase();
            case 'GT':
              return comparable(actual) > comparable(value);
            case 'GTE':
              return comparable(actual) >= comparable(value);
            case 'LT':
              return comparable(actual) < comparable(value);
            case 'LTE':
              return comparable(actual) <= comparable(value);
            default:
              return false;
          }
        }),
      );
    const sort = asRecord(Array.isArray(body.sorts) ? body.sorts[0] : undefined);
    const sortBy = typeof sort.propertyName === 'string' ? sort.propertyName : 'hs_object_id';
    const key = (c: StandInContact): number =>
      comparable(sortBy === 'hs_object_id' ? c.id : (c.properties[sortBy] ?? ''));
    const found = [...contacts.values()]
      .filter(matches)
      .sort((a, b) => (key(a) - key(b) || Number(a.id) - Number(b.id)) * (sort.direction === 'DESCENDING' ? -1 : 1));
    const limit = Math.min(200, Number(body.limit ?? 10));
    const after = Number(body.after ?? 0);
    // Like HubSpot: a search reaches at most 10,000 results, whatever the paging.
    if (after + limit > 10_000) return error(400, 'VALIDATION_ERROR', 'There was a problem with the request.');
    const page = found.slice(after, after + limit);
    const next = after + limit < found.length ? { paging: { next: { after: String(after + limit) } } } : {};
    return new HttpAnswer(200, {
      total: found.length,
      results: page.map((c) => contactJson(c, propsOf(body))),
      ...next,
    });
  }

  function answer(method: string, url: URL, body: unknown): HttpAnswer {
    const path = url.pathname;
    const wanted = url.searchParams.get('properties')?.split(',').filter(Boolean);
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/crm/v3/objects/contacts/search') return search(asRecord(body));
    if (method === 'POST' && path === '/crm/v3/objects/contacts/batch/read')
      return batchAnswer(
        idsOf(body).flatMap((id) => {
          const c = contacts.get(id);
          return c ? [contactJson(c, propsOf(body))] : [];
        }),
      );
    if ((m = /^\/crm\/v3\/objects\/contacts\/(\d+)$/.exec(path))) {
      const c = contacts.get(m[1]!);
      if (!c) return error(404, 'OBJECT_NOT_FOUND', 'resource not found');
      if (method === 'GET')
        return new HttpAnswer(
          200,
          contactJson(c, wanted, url.searchParams.get('associations')?.split(',').includes('companies') ?? false),
        );
      if (method === 'PATCH') {
        const props = asRecord(asRecord(body).properties) as Record<string, string | null>;
        const refused = applyProperties(c, props, new Date(), {
          changeSource: 'INTEGRATION',
          sourceId: String(webhook?.appId ?? 54321),
        });
        return refused ?? new HttpAnswer(200, contactJson(c, Object.keys(props)));
      }
    }
    if (method === 'POST' && path === '/crm/v4/associations/contacts/companies/batch/read') {
      return batchAnswer(
        idsOf(body).flatMap((id) => {
          const c = contacts.get(id);
          return c
            ? [
                {
                  from: { id },
                  to: c.companyIds.map((to) => ({
                    toObjectId: Number(to),
                    associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: CONTACT_TO_COMPANY, label: 'Primary' }],
                  })),
                },
              ]
            : [];
        }),
      );
    }
    if (method === 'GET' && (m = /^\/crm\/v4\/objects\/contacts\/(\d+)\/associations\/(companies|notes)$/.exec(path))) {
      const c = contacts.get(m[1]!);
      if (!c) return error(404, 'OBJECT_NOT_FOUND', 'resource not found');
      const ids = m[2] === 'companies' ? c.companyIds : c.noteIds;
      return new HttpAnswer(200, {
        results: ids.map((to) => ({
          toObjectId: Number(to),
          associationTypes: [
            {
              category: 'HUBSPOT_DEFINED',
              typeId: m![2] === 'companies' ? CONTACT_TO_COMPANY : NOTE_TO_CONTACT,
              label: null,
            },
          ],
        })),
      });
    }
    if (method === 'POST' && path === '/crm/v3/objects/companies/batch/read')
      return batchAnswer(
        idsOf(body).flatMap((id) => {
          const o = companies.get(id);
          return o ? [objectJson(o, propsOf(body))] : [];
        }),
      );
    if (method === 'GET' && (m = /^\/crm\/v3\/objects\/companies\/(\d+)$/.exec(path))) {
      const o = companies.get(m[1]!);
      return o
        ? new HttpAnswer(200, objectJson(o, wanted ?? ['name', 'domain']))
        : error(404, 'OBJECT_NOT_FOUND', 'resource not found');
    }
    if (method === 'GET' && path === '/crm/v3/owners') {
      const email = url.searchParams.get('email')?.toLowerCase();
      return new HttpAnswer(200, {
        results: [...owners.values()]
          .filter((o) => email === undefined || o.email.toLowerCase() === email)
          .map(ownerJson),
      });
    }
    if (method === 'GET' && (m = /^\/crm\/v3\/owners\/(\d+)$/.exec(path))) {
      const o = owners.get(m[1]!);
      return o ? new HttpAnswer(200, ownerJson(o)) : error(404, 'OBJECT_NOT_FOUND', 'resource not found');
    }
    if (method === 'POST' && path === '/crm/v3/objects/notes') {
      const b = asRecord(body);
      const props = asRecord(b.properties) as Record<string, string>;
      const targets = (Array.isArray(b.associations) ? b.associations : []).map(asRecord);
      const contactIds = targets
        .filter((a) =>
          (Array.isArray(a.types) ? a.types : []).some((t) => asRecord(t).associationTypeId === NOTE_TO_CONTACT),
        )
        .map((a) => String(asRecord(a.to).id));
      if (typeof props.hs_timestamp !== 'string')
        return error(400, 'VALIDATION_ERROR', 'Property values were not valid: hs_timestamp is required');
      if (contactIds.some((id) => !contacts.has(id)))
        return error(400, 'VALIDATION_ERROR', 'One or more associations are invalid');
      const note = { id: newId(), properties: props, createdAt: new Date(), contactIds };
      notes.set(note.id, note);
      for (const id of contactIds) contacts.get(id)!.noteIds.push(note.id);
      changed();
      return new HttpAnswer(201, objectJson(note, Object.keys(props)));
    }
    if (method === 'POST' && path === '/crm/v3/objects/notes/batch/read')
      return batchAnswer(
        idsOf(body).flatMap((id) => {
          const n = notes.get(id);
          return n ? [objectJson(n, propsOf(body))] : [];
        }),
      );
    return error(404, 'NOT_FOUND', `${method} ${path} is not served by the stand-in`);
  }

  function pickFailure(endpoint: string): HubspotStandInFailure | undefined {
    for (const key of [endpoint, '*']) {
      const list = scripted.get(key);
      if (list && list.length > 0) return list.shift();
    }
    return undefined;
  }

  function overLimit(now: number): boolean {
    if (opts.perTenSeconds === undefined) return false;
    let n = 0;
    for (let i = calls.length - 1; i >= 0 && calls[i]!.at.getTime() > now - 10_000; i--)
      if (calls[i]!.status !== 429) n++;
    return n >= opts.perTenSeconds;
  }

  function reply(res: ServerResponse, a: HttpAnswer, headers: Record<string, string> = {}): void {
    res.writeHead(a.status, { 'content-type': 'application/json;charset=utf-8', ...headers });
    res.end(JSON.stringify(a.body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
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
    const limited = overLimit(Date.now());
    const call: HubspotCall = {
      method,
      path: url.pathname + url.search,
      endpoint,
      at: new Date(),
      body,
      headers: req.headers,
      status: 0,
    };
    calls.push(call);
    const failure = pickFailure(endpoint);
    if (req.headers.authorization !== `Bearer ${token}`) {
      call.status = 401;
      reply(res, error(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.'));
    } else if (failure && 'hang' in failure) {
      if (failure.acted === true) call.status = answer(method, url, body).status;
      hanging.add(res);
    } else if (failure && 'lostAnswer' in failure) {
      call.status = answer(method, url, body).status;
      res.socket?.destroy();
    } else if (failure && failure.status === 429) {
      call.status = 429;
      const retry: Record<string, string> =
        failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
      reply(
        res,
        new HttpAnswer(429, {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          errorType: 'RATE_LIMIT',
          correlationId: '0',
          policyName: failure.policyName ?? 'TEN_SECONDLY_ROLLING',
        }),
        retry,
      );
    } else if (failure) {
      call.status = failure.status;
      reply(res, error(failure.status, 'INTERNAL_ERROR', 'internal error'));
    } else if (limited) {
      call.status = 429;
      reply(
        res,
        new HttpAnswer(429, {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          errorType: 'RATE_LIMIT',
          policyName: 'TEN_SECONDLY_ROLLING',
        }),
        { 'retry-after': '1', 'x-hubspot-ratelimit-remaining': '0' },
      );
    } else {
      const a = answer(method, url, body);
      call.status = a.status;
      reply(
        res,
        a,
        opts.perTenSeconds !== undefined
          ? {
              'x-hubspot-ratelimit-max': String(opts.perTenSeconds),
              'x-hubspot-ratelimit-interval-milliseconds': '10000',
            }
          : {},
      );
    }
    notify();
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve();
    }),
  );
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    calls,
    callsTo: (endpoint) => calls.filter((c) => c.endpoint === endpoint),
    waitFor(match, { count = 1, timeoutMs = 10_000 } = {}) {
      const test =
        typeof match === 'string'
          ? (c: HubspotCall) => c.endpoint === match && c.status >= 200 && c.status < 300
          : match;
      return waitForCalls(calls, waiters, test, {
        count,
        timeoutMs,
        failure: (seen) =>
          `HubSpot stand-in: waited ${timeoutMs} ms for ${count} call(s) to ${typeof match === 'string' ? match : 'a match'}, saw ${seen}`,
      });
    },
    failNext(endpoint, failure, times = 1) {
      scripted.set(endpoint, [...(scripted.get(endpoint) ?? []), ...Array.from({ length: times }, () => failure)]);
    },
    stopFailing() {
      scripted.clear();
    },
    subscribe(target) {
      webhook = target;
      flush();
    },
    addOwner(owner) {
      const id = newId();
      owners.set(id, { id, ...owner, userId: 9_000_000 + owners.size, createdAt: new Date() });
      return id;
    },
    addCompany(properties) {
      const id = newId();
      companies.set(id, { id, properties: { ...properties }, createdAt: new Date() });
      changed();
      return id;
    },
    createContact(properties, { companyId, at = new Date() } = {}) {
      const id = newId();
      const c: StandInContact = {
        id,
        properties: { createdate: at.toISOString() },
        createdAt: at,
        companyIds: companyId !== undefined ? [companyId] : [],
        noteIds: [],
      };
      contacts.set(id, c);
      emit('contact.creation', id, at);
      applyProperties(c, properties, at, { changeSource: 'CRM_UI', sourceId: 'userId:1' });
      return id;
    },
    setProperties(id, properties, at = new Date()) {
      const c = contacts.get(id);
      if (!c) throw new Error(`HubSpot stand-in: no contact ${id}`);
      const refused = applyProperties(c, properties, at, { changeSource: 'CRM_UI', sourceId: 'userId:1' });
      if (refused) throw new Error(String(asRecord(refused.body).message));
    },
    contact: (id) => contacts.get(id),
    contacts: () => [...contacts.values()],
    owners: () =>
      [...owners.values()].map(({ id, email, firstName, lastName }) => ({ id, email, firstName, lastName })),
    notes: (contactId) =>
      (contacts.get(contactId)?.noteIds ?? [])
        .map((id) => notes.get(id)!)
        .map((n) => ({ id: n.id, body: n.properties.hs_note_body ?? '', timestamp: n.properties.hs_timestamp ?? '' })),
    webhookStats: () => ({
      delivered,
      events: deliveredEvents,
      pending: queue.length + inFlight + retryTimers.size,
      failed: failedDeliveries,
    }),
    webhooksDelivered(timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer);
          deliveredWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(() => {
          deliveredWaiters.delete(done);
          reject(new Error('HubSpot stand-in: webhooks still pending'));
        }, timeoutMs);
        deliveredWaiters.add(done);
        if (flushTimer === undefined) checkDelivered();
      });
    },
    peakPerTenSeconds() {
      let peak = 0;
      let from = 0;
      for (let i = 0; i < calls.length; i++) {
        while (calls[i]!.at.getTime() - calls[from]!.at.getTime() >= 10_000) from++;
        peak = Math.max(peak, i - from + 1);
      }
      return peak;
    },
    version: () => changes,
    onChange(listener) {
      changeListeners.add(listener);
      return () => {
        changeListeners.delete(listener);
      };
    },
    reset() {
      calls.length = 0;
      contacts.clear();
      companies.clear();
      owners.clear();
      notes.clear();
      scripted.clear();
      queue = [];
    },
    async close() {
      clearTimeout(flushTimer);
      for (const t of retryTimers) clearTimeout(t);
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
