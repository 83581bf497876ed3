import { HUBSPOT_FIELDS, type HubspotField, type HubspotPolicy } from '../config/policy.js';
import type { LeadFields } from '../domain/lead.js';
import type { Properties } from './client.js';

/*
 * From HubSpot's records to Baton's lead fields, as the policy maps them (README, "Connecting
 * HubSpot"). Plain functions of data: which events can start a handoff, whether a contact is an
 * MQL now, and what the intake is given.
 */

/** The properties Baton subscribes to and reads whatever the mapping says. */
export const OWNER_PROPERTY = 'hubspot_owner_id';
export const LIFECYCLE_PROPERTY = 'lifecyclestage';
export const LEAD_STATUS_PROPERTY = 'hs_lead_status';

/** What a stored event can do: start a handoff when its contact is an MQL, or nothing. */
export function mayStartHandoff(
  policy: HubspotPolicy,
  event: { subscriptionType: string; propertyName: string | null; propertyValue: string | null },
): boolean {
  if (event.subscriptionType === 'contact.creation') return true;
  if (event.subscriptionType !== 'contact.propertyChange' || event.propertyName === null) return false;
  if (event.propertyName === LIFECYCLE_PROPERTY && event.propertyValue === policy.mqlStage) return true;
  return policy.mqlWhen.some(
    (rule) => rule.property === event.propertyName && rule.in.includes(event.propertyValue ?? ''),
  );
}

/** A contact is an MQL when its lifecycle stage says so, or when one of the policy's rules holds. */
export function isMql(policy: HubspotPolicy, contact: Properties): boolean {
  if (contact[LIFECYCLE_PROPERTY] === policy.mqlStage) return true;
  return policy.mqlWhen.some((rule) => rule.in.includes(contact[rule.property] ?? ''));
}

const split = (sources: readonly string[]): { contact: string[]; company: string[] } => ({
  contact: sources.filter((s) => !s.startsWith('company.')),
  company: sources.filter((s) => s.startsWith('company.')).map((s) => s.slice('company.'.length)),
});

/** The contact and company properties to read for the policy's mapping and rules. */
export function propertiesToRead(policy: HubspotPolicy): { contact: string[]; company: string[] } {
  const all = split(HUBSPOT_FIELDS.flatMap((f) => policy.fields[f]));
  const contact = new Set([
    ...all.contact,
    LIFECYCLE_PROPERTY,
    LEAD_STATUS_PROPERTY,
    OWNER_PROPERTY,
    'createdate',
    ...policy.mqlWhen.map((r) => r.property),
  ]);
  return { contact: [...contact], company: [...new Set(all.company)] };
}

let countryCodes: Map<string, string> | undefined;

/** "Sweden" → "SE", using the names the runtime knows; the policy's criteria use ISO codes. */
export function countryCode(value: string): string {
  const v = value.trim();
  if (/^[A-Za-z]{2}$/.test(v)) return v.toUpperCase();
  if (countryCodes === undefined) {
    const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    countryCodes = new Map();
    for (let a = 65; a <= 90; a++) {
      for (let b = 65; b <= 90; b++) {
        const code = String.fromCharCode(a, b);
        const name = names.of(code);
        if (name !== undefined) countryCodes.set(name.toLowerCase(), code);
      }
    }
    for (const [alias, code] of [
      ['usa', 'US'],
      ['united states of america', 'US'],
      ['uk', 'GB'],
      ['great britain', 'GB'],
      ['england', 'GB'],
    ] as const)
      countryCodes.set(alias, code);
  }
  return countryCodes.get(v.toLowerCase()) ?? v;
}

/** "1000+", "25-50" (a contact's range) or "250" (a company's count): the lower bound, a whole number. */
export function employeeCount(value: string): number | undefined {
  const m = /^\s*(\d[\d,]*)/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]!.replace(/,/g, ''));
  return Number.isSafeInteger(n) ? n : undefined;
}

/** HubSpot's enumeration values (PAID_SEARCH, COMPUTER_SOFTWARE) as the policy writes them (paid_search). */
const ENUMERATIONS: readonly HubspotField[] = ['industry', 'persona', 'channel'];

/** The lead fields of a contact and its company, as the policy maps them; empty values are left out. */
export function leadFieldsOf(policy: HubspotPolicy, contact: Properties, company: Properties | undefined): LeadFields {
  const read = (source: string): string | undefined => {
    const value = source.startsWith('company.') ? company?.[source.slice('company.'.length)] : contact[source];
    return value === null || value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const out: Record<string, string | number> = {};
  for (const field of HUBSPOT_FIELDS) {
    const raw = policy.fields[field].map(read).find((v) => v !== undefined);
    if (raw === undefined) continue;
    if (field === 'employees') {
      const n = employeeCount(raw);
      if (n !== undefined) out.employees = n;
    } else if (field === 'country') out.country = countryCode(raw);
    else out[field] = ENUMERATIONS.includes(field) ? raw.toLowerCase() : raw;
  }
  return out;
}
