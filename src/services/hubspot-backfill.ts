import type { Policy } from '../config/policy.js';
import { findRep, selectTeam } from '../domain/routing.js';
import type { HubspotClient, HubspotObject, Properties } from '../hubspot/client.js';
import { LIFECYCLE_PROPERTY, leadFieldsOf, OWNER_PROPERTY, propertiesToRead } from '../hubspot/mapping.js';
import type { OwnerMatcher } from './hubspot-owners.js';
import { HUBSPOT_SOURCE } from './hubspot-writeback.js';

/*
 * HubSpot's contacts and their lifecycle history as import lines (README, "Connecting HubSpot",
 * backfill): the CLI feeds them to the same import as POST /api/leads/import. HubSpot keeps the
 * date each lifecycle stage was entered (hs_v2_date_entered_<stage>); those dates become the
 * history, along the one path Baton's lifecycle allows.
 */

const SQL = 'salesqualifiedlead';
const OPPORTUNITY = 'opportunity';
const CUSTOMER = 'customer';
/** HubSpot allows about four searches a second per account. */
const SEARCH_GAP_MS = 260;
/** A search reaches at most 10,000 results: past that the next query starts where this one ended. */
const SEARCH_WINDOW = 10_000;
/** Contacts a search page holds. */
export const SEARCH_PAGE = 100;

const entered = (p: Properties, stage: string): string | undefined => p[`hs_v2_date_entered_${stage}`] ?? undefined;
const PRE_MQL = new Set(['subscriber', 'lead', '']);

/**
 * A contact's history for the import. An MQL date starts a handoff in the owner's team (or the
 * team the policy's criteria pick), held by the owner's rep, else the team's manager. Reaching
 * SQL means sales accepted it then; opportunity and customer follow. A later stage without an
 * MQL date implies the MQL at that stage's date. A contact back below MQL today was sent back
 * to marketing (nurture), as far as anyone can tell at its last modification.
 */
export function contactHistory(
  policy: Policy,
  contact: Properties,
  fields: ReturnType<typeof leadFieldsOf>,
  ownerRep: string | undefined,
): unknown[] {
  const later = [SQL, OPPORTUNITY, CUSTOMER]
    .map((s) => entered(contact, s))
    .filter((d): d is string => d !== undefined);
  const mqlAt = entered(contact, policy.hubspot.mqlStage) ?? later[0];
  if (mqlAt === undefined) return [];
  const hinted = findRep(policy.teams, ownerRep);
  const team = hinted?.team ?? selectTeam(policy, { ...fields, source: HUBSPOT_SOURCE, activities: [] }, 0);
  const owner = hinted?.rep.user ?? team.manager;
  const history: Record<string, string>[] = [{ stage: 'mql', at: mqlAt, team: team.id, owner }];
  const sqlAt = entered(contact, SQL) ?? entered(contact, OPPORTUNITY) ?? entered(contact, CUSTOMER);
  if (sqlAt !== undefined) {
    history.push({ stage: 'sal', at: sqlAt, by: owner }, { stage: 'sql', at: sqlAt, by: owner });
    const oppAt = entered(contact, OPPORTUNITY) ?? entered(contact, CUSTOMER);
    if (oppAt !== undefined) history.push({ stage: 'opportunity', at: oppAt, by: owner });
    const customerAt = entered(contact, CUSTOMER);
    if (customerAt !== undefined) history.push({ stage: 'customer', at: customerAt, by: owner });
  } else if (PRE_MQL.has(contact[LIFECYCLE_PROPERTY] ?? '')) {
    history.push({ stage: 'rejected', at: contact.lastmodifieddate ?? mqlAt, by: owner });
  }
  // HubSpot's dates can disagree by a moment (a workflow setting two stages): keep time order.
  let latest = '';
  for (const h of history) {
    if (h.at! < latest) h.at = latest;
    latest = h.at!;
  }
  return history;
}

export interface BackfillPosition {
  /** Contacts created at or after this instant are still to come. */
  createdFrom: string;
}

/**
 * Contacts created since `since` as import lines, oldest first, read a page of 100 at a time
 * (search, then their companies in one batch call). `onTotal` hears how many there are;
 * `position` after each line says where a resumed run may start.
 */
export async function* hubspotImportLines(
  policy: Policy,
  client: HubspotClient,
  owners: Pick<OwnerMatcher, 'repForOwner'>,
  from: string,
  opts: { onTotal?: (total: number) => void } = {},
): AsyncGenerator<{ line: unknown; position: BackfillPosition }> {
  const props = propertiesToRead(policy.hubspot);
  const stages = [policy.hubspot.mqlStage, SQL, OPPORTUNITY, CUSTOMER].map((s) => `hs_v2_date_entered_${s}`);
  const contactProps = [...new Set([...props.contact, ...stages, 'lastmodifieddate'])];
  let createdFrom = from;
  let seenAtBoundary = new Set<string>();
  let first = true;
  for (;;) {
    let after: string | undefined;
    let last: HubspotObject | undefined;
    const seenNow = new Set<string>();
    for (let offset = 0; offset < SEARCH_WINDOW; offset += SEARCH_PAGE) {
      const page = await client.searchContacts({
        filterGroups: [{ filters: [{ propertyName: 'createdate', operator: 'GTE', value: createdFrom }] }],
        sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }],
        properties: contactProps,
        limit: SEARCH_PAGE,
        after,
      });
      if (first) opts.onTotal?.(page.total);
      first = false;
      const fresh = page.results.filter((c) => !seenAtBoundary.has(c.id));
      const companyOf =
        props.company.length > 0 && fresh.length > 0
          ? await client.contactCompanies(fresh.map((c) => c.id))
          : new Map<string, string[]>();
      const companies = new Map(
        (
          await client.batchReadCompanies(
            [...new Set([...companyOf.values()].flatMap((l) => l.slice(0, 1)))],
            props.company,
          )
        ).map((c) => [c.id, c.properties]),
      );
      for (const c of fresh) {
        const companyId = companyOf.get(c.id)?.[0];
        const fields = leadFieldsOf(
          policy.hubspot,
          c.properties,
          companyId === undefined ? undefined : companies.get(companyId),
        );
        const ownerId = c.properties[OWNER_PROPERTY];
        const ownerRep =
          ownerId !== null && ownerId !== undefined && ownerId !== '' ? await owners.repForOwner(ownerId) : undefined;
        seenNow.add(c.id);
        const line = {
          ...fields,
          source: HUBSPOT_SOURCE,
          externalId: c.id,
          origin: 'marketing',
          ...(ownerRep !== undefined ? { ownerHint: ownerRep } : {}),
          createdAt: c.properties.createdate,
          history: contactHistory(policy, c.properties, fields, ownerRep),
        };
        yield { line, position: { createdFrom: c.properties.createdate ?? createdFrom } };
      }
      last = page.results.at(-1) ?? last;
      after = page.after;
      if (after === undefined) return;
      await new Promise((r) => setTimeout(r, SEARCH_GAP_MS));
    }
    // Ten thousand read: the next query starts at the last one's creation time, skipping those already seen at that instant.
    const boundary = last?.properties.createdate ?? createdFrom;
    seenAtBoundary = boundary === createdFrom ? new Set([...seenAtBoundary, ...seenNow]) : seenNow;
    createdFrom = boundary;
  }
}
