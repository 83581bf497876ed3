import { Agent, request } from 'undici';
import { z } from 'zod';

/*
 * A thin typed client for the few HubSpot CRM endpoints Baton calls (docs/hubspot.md), over undici
 * (README, "Connecting HubSpot" says why not @hubspot/api-client). It never retries and never
 * sleeps: a failure is thrown as a HubspotError saying how the caller should treat it, because
 * the callers (the event worker, the outbox) own retries, pacing and HubSpot's limits across
 * replicas. Error messages name the operation, never the URL: an owner lookup carries an email.
 */

export type HubspotFailure =
  /** 429: nothing more until then (Retry-After, or HubSpot's daily reset). */
  | { kind: 'rate_limited'; retryAfterMs: number; error: string }
  /** 5xx, a timeout, a refused or dropped connection: worth trying again. */
  | { kind: 'transient'; error: string }
  /** The object is gone (deleted, merged). */
  | { kind: 'not_found'; error: string }
  /** The same request will always be refused (a bad property value, a missing scope, a revoked token). */
  | { kind: 'permanent'; error: string };

export class HubspotError extends Error {
  constructor(readonly failure: HubspotFailure) {
    super(failure.error);
    this.name = 'HubspotError';
  }
}

export type Properties = Record<string, string | null>;

export interface HubspotObject {
  id: string;
  properties: Properties;
}

export interface HubspotOwner {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
}

export interface SearchRequest {
  filterGroups: {
    filters: { propertyName: string; operator: 'EQ' | 'GT' | 'GTE' | 'LT' | 'LTE' | 'HAS_PROPERTY'; value?: string }[];
  }[];
  sorts: { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }[];
  properties: readonly string[];
  limit: number;
  after?: string | undefined;
}

export interface SearchPage {
  total: number;
  results: HubspotObject[];
  /** The cursor of the next page; undefined on the last. */
  after: string | undefined;
}

export interface HubspotClient {
  getContact(id: string, properties: readonly string[]): Promise<HubspotObject & { companyIds: string[] }>;
  batchReadContacts(ids: readonly string[], properties: readonly string[]): Promise<HubspotObject[]>;
  searchContacts(req: SearchRequest): Promise<SearchPage>;
  updateContact(id: string, properties: Properties): Promise<HubspotObject>;
  /** The companies each contact is associated with (CRM v4 batch associations). */
  contactCompanies(contactIds: readonly string[]): Promise<Map<string, string[]>>;
  batchReadCompanies(ids: readonly string[], properties: readonly string[]): Promise<HubspotObject[]>;
  getOwner(id: string): Promise<HubspotOwner | undefined>;
  findOwnerByEmail(email: string): Promise<HubspotOwner | undefined>;
  createNote(note: { contactId: string; body: string; timestamp: Date }): Promise<{ id: string }>;
  /** The bodies of the notes on a contact: how a retried note finds the one an earlier attempt made. */
  contactNoteBodies(contactId: string): Promise<string[]>;
}

export interface HubspotClientSettings {
  accessToken: string;
  /** Base URL, e.g. https://api.hubapi.com (HUBSPOT_API_URL). */
  apiUrl: string;
  /** Headers and body each within this (default 10 s): a hung HubSpot is a transient failure, not a stuck worker. */
  timeoutMs?: number;
  /** Called before every request: the shared pace of the account's rate limit. */
  beforeRequest?: () => Promise<void>;
}

/** The association type HubSpot defines for a note attached to a contact. */
export const NOTE_TO_CONTACT = 202;

const properties = z
  .record(z.string(), z.string().nullable().optional())
  .transform((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v ?? null])));
const object = z.object({ id: z.string(), properties });
const ownerSchema = z.object({
  id: z.string(),
  email: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
});
const toOwner = (o: z.output<typeof ownerSchema>): HubspotOwner => ({
  id: o.id,
  email: o.email ?? null,
  firstName: o.firstName ?? null,
  lastName: o.lastName ?? null,
});
const batch = z.object({ results: z.array(object) });
const associationsBatch = z.object({
  results: z.array(
    z.object({
      from: z.object({ id: z.string() }),
      to: z.array(z.object({ toObjectId: z.union([z.string(), z.number()]).transform(String) })),
    }),
  ),
});
const associationsList = z.object({
  results: z.array(z.object({ toObjectId: z.union([z.string(), z.number()]).transform(String) })),
});
const contactWithCompanies = object.extend({
  associations: z
    .object({ companies: z.object({ results: z.array(z.object({ id: z.string() })) }).optional() })
    .optional(),
});
const searchPage = z.object({
  total: z.number(),
  results: z.array(object),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

/** HubSpot's daily limit resets at midnight; without a Retry-After, wait for the next UTC midnight. */
function untilNextMidnightMs(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return next - now.getTime();
}

/** How a HubSpot answer other than 2xx should be treated. */
export function classifyHubspotAnswer(
  op: string,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
  now: Date = new Date(),
): HubspotFailure {
  const error = `${op}: HubSpot answered ${status}`;
  if (status === 429) {
    const policy = typeof body === 'object' && body !== null && 'policyName' in body ? String(body.policyName) : '';
    const header = headers['retry-after'];
    const seconds = Number(Array.isArray(header) ? header[0] : header);
    if (policy === 'DAILY')
      return {
        kind: 'rate_limited',
        retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : untilNextMidnightMs(now),
        error: `${error} (daily limit)`,
      };
    // The ten-second window is HubSpot's burst limit: without a Retry-After, wait it out.
    return {
      kind: 'rate_limited',
      retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000,
      error,
    };
  }
  if (status === 404) return { kind: 'not_found', error };
  if (status >= 500 || status === 408) return { kind: 'transient', error };
  if (status === 401)
    return {
      kind: 'permanent',
      error: `${error}: HubSpot refused HUBSPOT_ACCESS_TOKEN (revoked, or from another account)`,
    };
  if (status === 403)
    return { kind: 'permanent', error: `${error}: the private app lacks a scope (README, "Connecting HubSpot")` };
  const message =
    typeof body === 'object' && body !== null && 'message' in body ? String(body.message).slice(0, 300) : '';
  return { kind: 'permanent', error: message === '' ? error : `${error}: ${message}` };
}

export function createHubspotClient(settings: HubspotClientSettings): HubspotClient {
  const timeout = settings.timeoutMs ?? 10_000;
  const base = settings.apiUrl.replace(/\/+$/, '');
  const agent = new Agent({
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connectTimeout: timeout,
    keepAliveTimeout: 10_000,
  });

  async function call<S extends z.ZodType>(
    op: string,
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.output<S>> {
    await settings.beforeRequest?.();
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(`${base}${path}`, {
        method,
        dispatcher: agent,
        headers: {
          authorization: `Bearer ${settings.accessToken}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new HubspotError({
        kind: 'transient',
        error: `${op}: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
    let json: unknown;
    try {
      const text = await res.body.text();
      json = text === '' ? {} : (JSON.parse(text) as unknown);
    } catch (err) {
      if (res.statusCode >= 200 && res.statusCode < 300)
        throw new HubspotError({
          kind: 'transient',
          error: `${op}: the answer was cut off or not JSON (${err instanceof Error ? err.message : String(err)})`,
        });
      json = {};
    }
    if (res.statusCode < 200 || res.statusCode >= 300)
      throw new HubspotError(classifyHubspotAnswer(op, res.statusCode, res.headers, json));
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new HubspotError({ kind: 'permanent', error: `${op}: HubSpot's answer is not in the documented shape` });
    return parsed.data;
  }

  const list = (names: readonly string[]): string => encodeURIComponent(names.join(','));

  return {
    async getContact(id, props) {
      const c = await call(
        'read contact',
        'GET',
        `/crm/v3/objects/contacts/${encodeURIComponent(id)}?properties=${list(props)}&associations=companies`,
        contactWithCompanies,
      );
      return {
        id: c.id,
        properties: c.properties,
        companyIds: c.associations?.companies?.results.map((r) => r.id) ?? [],
      };
    },
    async batchReadContacts(ids, props) {
      if (ids.length === 0) return [];
      return (
        await call('batch read contacts', 'POST', '/crm/v3/objects/contacts/batch/read', batch, {
          inputs: ids.map((id) => ({ id })),
          properties: props,
        })
      ).results;
    },
    async searchContacts(req) {
      const page = await call('search contacts', 'POST', '/crm/v3/objects/contacts/search', searchPage, {
        ...req,
        ...(req.after !== undefined ? { after: req.after } : {}),
      });
      return { total: page.total, results: page.results, after: page.paging?.next?.after };
    },
    updateContact(id, props) {
      return call('update contact', 'PATCH', `/crm/v3/objects/contacts/${encodeURIComponent(id)}`, object, {
        properties: props,
      });
    },
    async contactCompanies(contactIds) {
      if (contactIds.length === 0) return new Map();
      const res = await call(
        'read contact companies',
        'POST',
        '/crm/v4/associations/contacts/companies/batch/read',
        associationsBatch,
        { inputs: contactIds.map((id) => ({ id })) },
      );
      return new Map(res.results.map((r) => [r.from.id, r.to.map((t) => t.toObjectId)]));
    },
    async batchReadCompanies(ids, props) {
      if (ids.length === 0) return [];
      return (
        await call('batch read companies', 'POST', '/crm/v3/objects/companies/batch/read', batch, {
          inputs: ids.map((id) => ({ id })),
          properties: props,
        })
      ).results;
    },
    async getOwner(id) {
      try {
        return toOwner(await call('read owner', 'GET', `/crm/v3/owners/${encodeURIComponent(id)}`, ownerSchema));
      } catch (err) {
        if (err instanceof HubspotError && err.failure.kind === 'not_found') return undefined;
        throw err;
      }
    },
    async findOwnerByEmail(email) {
      const res = await call(
        'find owner by email',
        'GET',
        `/crm/v3/owners?email=${encodeURIComponent(email)}&limit=1`,
        z.object({ results: z.array(ownerSchema) }),
      );
      const first = res.results[0];
      return first ? toOwner(first) : undefined;
    },
    async createNote(note) {
      const created = await call('create note', 'POST', '/crm/v3/objects/notes', object, {
        properties: { hs_note_body: note.body, hs_timestamp: note.timestamp.toISOString() },
        associations: [
          {
            to: { id: note.contactId },
            types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: NOTE_TO_CONTACT }],
          },
        ],
      });
      return { id: created.id };
    },
    async contactNoteBodies(contactId) {
      const linked = await call(
        'read contact notes',
        'GET',
        `/crm/v4/objects/contacts/${encodeURIComponent(contactId)}/associations/notes?limit=500`,
        associationsList,
      );
      if (linked.results.length === 0) return [];
      const notes = await call('batch read notes', 'POST', '/crm/v3/objects/notes/batch/read', batch, {
        inputs: linked.results.slice(0, 100).map((r) => ({ id: r.toObjectId })),
        properties: ['hs_note_body'],
      });
      return notes.results.map((n) => n.properties.hs_note_body ?? '');
    },
  };
}
