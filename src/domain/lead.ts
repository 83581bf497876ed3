/** A lead as the domain sees it: plain data, whatever store or intake it came from. */
export interface Activity {
  type: string;
  at: Date;
}

/** A payload may list the same activity twice; the store keeps it once (one per type and instant), so the score must too. */
export function uniqueActivities(list: readonly Activity[]): Activity[] {
  const seen = new Set<string>();
  return list.filter((a) => {
    const key = `${a.type}@${a.at.getTime()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export type Origin = 'marketing' | 'sales';

export interface LeadFields {
  email?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  title?: string | undefined;
  company?: string | undefined;
  employees?: number | undefined;
  industry?: string | undefined;
  country?: string | undefined;
  phone?: string | undefined;
  persona?: string | undefined;
  channel?: string | undefined;
  source?: string | undefined;
  origin?: Origin | undefined;
  ownerHint?: string | undefined;
  /** The company's domain (src/domain/routing.ts, accountDomainOf); none for free-mail and disposable addresses. */
  accountDomain?: string | undefined;
  /** The CRM's owner of the lead's company: a rep's Slack id or name. */
  accountOwner?: string | undefined;
}

/** The fields that describe the person and their company: what a CRM contact can fill (src/hubspot/mapping.ts). */
export const PROFILE_LEAD_FIELDS = [
  'email',
  'firstName',
  'lastName',
  'title',
  'company',
  'employees',
  'industry',
  'country',
  'phone',
  'persona',
  'channel',
] as const satisfies readonly (keyof LeadFields)[];

/**
 * The fields a sender gives and a lead keeps as sent: what the intake merges, and what an export
 * writes back out (`source` is the key's, the company domain is derived from the e-mail or sent apart).
 */
export const SENT_LEAD_FIELDS = [
  ...PROFILE_LEAD_FIELDS,
  'origin',
  'ownerHint',
  'accountOwner',
] as const satisfies readonly (keyof LeadFields)[];

export interface LeadProfile extends LeadFields {
  activities: readonly Activity[];
}

/** How a person names a lead: first and last name, else the email, else the company. */
export function leadDisplayName(lead: {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  company: string | null;
}): string {
  const name = [lead.firstName, lead.lastName].filter((p) => p !== null && p !== '').join(' ');
  return name !== '' ? name : (lead.email ?? lead.company ?? 'Unnamed lead');
}
