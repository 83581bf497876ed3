/*
 * What the HubSpot stand-in's CRM holds — contacts, companies, owners, notes — and the rules it
 * keeps when properties change (docs/hubspot.md), with the shapes HubSpot's API answers them in.
 */

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

export interface StandInContact {
  id: string;
  properties: Record<string, string>;
  createdAt: Date;
  companyIds: string[];
  noteIds: string[];
}

export interface CrmObject {
  id: string;
  properties: Record<string, string>;
  createdAt: Date;
}

export interface CrmNote extends CrmObject {
  contactIds: string[];
}

export interface CrmOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  createdAt: Date;
}

/** Who changed a property, as its contact.propertyChange event says. */
export interface ChangeSource {
  changeSource: string;
  sourceId: string;
}

/** A change made as a person in the CRM would. */
export const BY_A_PERSON: ChangeSource = { changeSource: 'CRM_UI', sourceId: 'userId:1' };

/** An HTTP answer: its status and JSON body. */
export class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/** HubSpot's error body. */
export const error = (status: number, category: string, message: string): HttpAnswer =>
  new HttpAnswer(status, { status: 'error', message, correlationId: '00000000-0000-0000-0000-000000000000', category });

export interface CrmEvents {
  /** A contact was created (no change) or a subscribed property changed. */
  emit(
    subscriptionType: string,
    objectId: string,
    at: Date,
    change?: ChangeSource & { propertyName: string; propertyValue: string },
  ): void;
  /** Something the sandbox page could show changed. */
  changed(): void;
}

export class HubspotCrm {
  readonly contacts = new Map<string, StandInContact>();
  readonly companies = new Map<string, CrmObject>();
  readonly owners = new Map<string, CrmOwner>();
  readonly notes = new Map<string, CrmNote>();
  private nextId = 1001;

  constructor(
    private readonly subscribed: ReadonlySet<string>,
    private readonly events: CrmEvents,
  ) {}

  newId(): string {
    return String(this.nextId++);
  }

  addOwner(owner: { email: string; firstName: string; lastName: string }): string {
    const id = this.newId();
    this.owners.set(id, { id, ...owner, userId: 9_000_000 + this.owners.size, createdAt: new Date() });
    return id;
  }

  addCompany(properties: Record<string, string>): string {
    const id = this.newId();
    this.companies.set(id, { id, properties: { ...properties }, createdAt: new Date() });
    this.events.changed();
    return id;
  }

  /** A contact created as a person in the CRM would: a contact.creation event, then its properties' events. */
  createContact(
    properties: Record<string, string>,
    { companyId, at = new Date() }: { companyId?: string; at?: Date },
  ): string {
    const id = this.newId();
    const c: StandInContact = {
      id,
      properties: { createdate: at.toISOString() },
      createdAt: at,
      companyIds: companyId !== undefined ? [companyId] : [],
      noteIds: [],
    };
    this.contacts.set(id, c);
    this.events.emit('contact.creation', id, at);
    this.applyProperties(c, properties, at, BY_A_PERSON);
    return id;
  }

  /** A note on contacts, which must exist. */
  addNote(properties: Record<string, string>, contactIds: string[]): CrmNote {
    const note = { id: this.newId(), properties, createdAt: new Date(), contactIds };
    this.notes.set(note.id, note);
    for (const id of contactIds) this.contacts.get(id)!.noteIds.push(note.id);
    this.events.changed();
    return note;
  }

  /**
   * Sets properties as HubSpot would (null or '' clears one), or refuses them with the answer
   * HubSpot gives: a lifecycle stage that does not exist or moves backwards.
   */
  applyProperties(
    c: StandInContact,
    props: Record<string, string | null>,
    at: Date,
    source: ChangeSource,
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
      if (this.subscribed.has(name))
        this.events.emit('contact.propertyChange', c.id, at, { propertyName: name, propertyValue: value, ...source });
    }
    c.properties.lastmodifieddate = at.toISOString();
    this.events.changed();
    return undefined;
  }

  reset(): void {
    this.contacts.clear();
    this.companies.clear();
    this.owners.clear();
    this.notes.clear();
  }
}

export function contactJson(
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
    properties: Object.fromEntries([...names].map((n) => [n, n === 'hs_object_id' ? c.id : (c.properties[n] ?? null)])),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.properties.lastmodifieddate ?? c.createdAt.toISOString(),
    archived: false,
    ...(withCompanies && c.companyIds.length > 0
      ? { associations: { companies: { results: c.companyIds.map((id) => ({ id, type: 'contact_to_company' })) } } }
      : {}),
  };
}

export const objectJson = (o: CrmObject, wanted: readonly string[]): Record<string, unknown> => ({
  id: o.id,
  properties: Object.fromEntries(
    [...wanted, 'hs_object_id'].map((n) => [n, n === 'hs_object_id' ? o.id : (o.properties[n] ?? null)]),
  ),
  createdAt: o.createdAt.toISOString(),
  updatedAt: o.createdAt.toISOString(),
  archived: false,
});

export const ownerJson = (o: CrmOwner): Record<string, unknown> => ({
  id: o.id,
  email: o.email,
  firstName: o.firstName,
  lastName: o.lastName,
  userId: o.userId,
  createdAt: o.createdAt.toISOString(),
  updatedAt: o.createdAt.toISOString(),
  archived: false,
});
