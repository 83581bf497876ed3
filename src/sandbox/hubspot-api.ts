import {
  contactJson,
  error,
  HttpAnswer,
  objectJson,
  ownerJson,
  type HubspotCrm,
  type StandInContact,
} from './hubspot-crm.js';

/*
 * The CRM endpoints the HubSpot stand-in serves, one function each, answering with HubSpot's
 * documented shapes (docs/hubspot.md). Tokens, failures and rate limits are the server's part
 * (src/sandbox/hubspot-standin.ts).
 */

/** The association type ids HubSpot defines: contact → company (primary), note → contact. */
const CONTACT_TO_COMPANY = 1;
const NOTE_TO_CONTACT = 202;

interface ApiRequest {
  method: string;
  url: URL;
  body: unknown;
  /** The `properties` query parameter, split. */
  wanted: string[] | undefined;
  /** What the endpoint's path pattern captured (ids). */
  params: string[];
}

interface Endpoint {
  /** Undefined: any method (a contact's path answers 404 for an unknown id whatever the method). */
  method: string | undefined;
  path: RegExp;
  /** Undefined: not this endpoint after all; the next one is tried. */
  answer(crm: HubspotCrm, r: ApiRequest, appId: string): HttpAnswer | undefined;
}

export function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A property value as a number for comparisons: epoch ms for dates, else the number itself. */
function comparable(v: string): number {
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return Number.isNaN(t) ? Number.NaN : t;
}

const notFound = (): HttpAnswer => error(404, 'OBJECT_NOT_FOUND', 'resource not found');

const batchAnswer = (results: unknown[]): HttpAnswer =>
  new HttpAnswer(200, {
    status: 'COMPLETE',
    results,
    startedAt: new Date().toISOString(),
    completedAt: new Date().toISOString(),
  });

const idsOf = (body: unknown): string[] =>
  (Array.isArray(asRecord(body).inputs) ? (asRecord(body).inputs as unknown[]) : []).map((i) => String(asRecord(i).id));

const propsOf = (body: unknown): string[] =>
  Array.isArray(asRecord(body).properties) ? (asRecord(body).properties as unknown[]).map(String) : [];

/** A batch read: the inputs' ids that exist, each shown by `json`; unknown ids are left out, as HubSpot does. */
function batchRead<T>(items: ReadonlyMap<string, T>, body: unknown, json: (item: T) => unknown): HttpAnswer {
  return batchAnswer(
    idsOf(body).flatMap((id) => {
      const item = items.get(id);
      return item === undefined ? [] : [json(item)];
    }),
  );
}

/** Whether a contact passes one search filter. */
function passes(c: StandInContact, f: Record<string, unknown>): boolean {
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
}

function search(crm: HubspotCrm, { body: raw }: ApiRequest): HttpAnswer {
  const body = asRecord(raw);
  const groups = (Array.isArray(body.filterGroups) ? body.filterGroups : []).map((g) =>
    (Array.isArray(asRecord(g).filters) ? (asRecord(g).filters as unknown[]) : []).map(asRecord),
  );
  // Groups are ORed, the filters of a group ANDed; no groups: every contact.
  const matches = (c: StandInContact): boolean =>
    groups.length === 0 || groups.some((filters) => filters.every((f) => passes(c, f)));
  const sort = asRecord(Array.isArray(body.sorts) ? body.sorts[0] : undefined);
  const sortBy = typeof sort.propertyName === 'string' ? sort.propertyName : 'hs_object_id';
  const key = (c: StandInContact): number =>
    comparable(sortBy === 'hs_object_id' ? c.id : (c.properties[sortBy] ?? ''));
  const found = [...crm.contacts.values()]
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

/** GET or PATCH a contact by id; other methods are not served. */
function contact(
  crm: HubspotCrm,
  { method, url, body, wanted, params }: ApiRequest,
  appId: string,
): HttpAnswer | undefined {
  const c = crm.contacts.get(params[0]!);
  if (!c) return notFound();
  if (method === 'GET')
    return new HttpAnswer(
      200,
      contactJson(c, wanted, url.searchParams.get('associations')?.split(',').includes('companies') ?? false),
    );
  if (method === 'PATCH') {
    const props = asRecord(asRecord(body).properties) as Record<string, string | null>;
    const refused = crm.applyProperties(c, props, new Date(), { changeSource: 'INTEGRATION', sourceId: appId });
    return refused ?? new HttpAnswer(200, contactJson(c, Object.keys(props)));
  }
  return undefined;
}

function contactCompaniesBatch(crm: HubspotCrm, { body }: ApiRequest): HttpAnswer {
  return batchRead(crm.contacts, body, (c) => ({
    from: { id: c.id },
    to: c.companyIds.map((to) => ({
      toObjectId: Number(to),
      associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: CONTACT_TO_COMPANY, label: 'Primary' }],
    })),
  }));
}

function contactAssociations(crm: HubspotCrm, { params: [id, kind] }: ApiRequest): HttpAnswer {
  const c = crm.contacts.get(id!);
  if (!c) return notFound();
  const ids = kind === 'companies' ? c.companyIds : c.noteIds;
  return new HttpAnswer(200, {
    results: ids.map((to) => ({
      toObjectId: Number(to),
      associationTypes: [
        {
          category: 'HUBSPOT_DEFINED',
          typeId: kind === 'companies' ? CONTACT_TO_COMPANY : NOTE_TO_CONTACT,
          label: null,
        },
      ],
    })),
  });
}

function company(crm: HubspotCrm, { wanted, params }: ApiRequest): HttpAnswer {
  const o = crm.companies.get(params[0]!);
  return o ? new HttpAnswer(200, objectJson(o, wanted ?? ['name', 'domain'])) : notFound();
}

function owners(crm: HubspotCrm, { url }: ApiRequest): HttpAnswer {
  const email = url.searchParams.get('email')?.toLowerCase();
  return new HttpAnswer(200, {
    results: [...crm.owners.values()]
      .filter((o) => email === undefined || o.email.toLowerCase() === email)
      .map(ownerJson),
  });
}

function owner(crm: HubspotCrm, { params }: ApiRequest): HttpAnswer {
  const o = crm.owners.get(params[0]!);
  return o ? new HttpAnswer(200, ownerJson(o)) : notFound();
}

function createNote(crm: HubspotCrm, { body }: ApiRequest): HttpAnswer {
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
  if (contactIds.some((id) => !crm.contacts.has(id)))
    return error(400, 'VALIDATION_ERROR', 'One or more associations are invalid');
  return new HttpAnswer(201, objectJson(crm.addNote(props, contactIds), Object.keys(props)));
}

const ENDPOINTS: readonly Endpoint[] = [
  { method: 'POST', path: /^\/crm\/v3\/objects\/contacts\/search$/, answer: search },
  {
    method: 'POST',
    path: /^\/crm\/v3\/objects\/contacts\/batch\/read$/,
    answer: (crm, { body }) => batchRead(crm.contacts, body, (c) => contactJson(c, propsOf(body))),
  },
  { method: undefined, path: /^\/crm\/v3\/objects\/contacts\/(\d+)$/, answer: contact },
  {
    method: 'POST',
    path: /^\/crm\/v4\/associations\/contacts\/companies\/batch\/read$/,
    answer: contactCompaniesBatch,
  },
  {
    method: 'GET',
    path: /^\/crm\/v4\/objects\/contacts\/(\d+)\/associations\/(companies|notes)$/,
    answer: contactAssociations,
  },
  {
    method: 'POST',
    path: /^\/crm\/v3\/objects\/companies\/batch\/read$/,
    answer: (crm, { body }) => batchRead(crm.companies, body, (o) => objectJson(o, propsOf(body))),
  },
  { method: 'GET', path: /^\/crm\/v3\/objects\/companies\/(\d+)$/, answer: company },
  { method: 'GET', path: /^\/crm\/v3\/owners$/, answer: owners },
  { method: 'GET', path: /^\/crm\/v3\/owners\/(\d+)$/, answer: owner },
  { method: 'POST', path: /^\/crm\/v3\/objects\/notes$/, answer: createNote },
  {
    method: 'POST',
    path: /^\/crm\/v3\/objects\/notes\/batch\/read$/,
    answer: (crm, { body }) => batchRead(crm.notes, body, (n) => objectJson(n, propsOf(body))),
  },
];

/** HubSpot's answer to an authorised call; `appId` is whom changes through the API are credited to. */
export function answerApi(crm: HubspotCrm, method: string, url: URL, body: unknown, appId: string): HttpAnswer {
  const wanted = url.searchParams.get('properties')?.split(',').filter(Boolean);
  for (const e of ENDPOINTS) {
    const m = e.method === undefined || e.method === method ? e.path.exec(url.pathname) : null;
    const answer = m ? e.answer(crm, { method, url, body, wanted, params: m.slice(1) }, appId) : undefined;
    if (answer) return answer;
  }
  return error(404, 'NOT_FOUND', `${method} ${url.pathname} is not served by the stand-in`);
}
