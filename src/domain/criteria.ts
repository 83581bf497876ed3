import type { CriteriaPolicy } from '../config/policy.js';
import type { LeadProfile } from './lead.js';

const eq = (a: string | undefined, list: readonly string[] | undefined): boolean =>
  list === undefined || (a !== undefined && list.some((v) => v.toLowerCase() === a.toLowerCase()));

/**
 * Does a lead satisfy policy criteria (team match, SLA tier match)? Every key given must
 * hold; within a key any listed value matches. Text compares case-insensitively; a lead
 * missing a field never matches a criterion on it. `regions` maps region names to countries.
 */
export function matchesCriteria(
  criteria: CriteriaPolicy,
  lead: LeadProfile,
  regions: Readonly<Record<string, readonly string[]>>,
  score?: number,
): boolean {
  if (!eq(lead.country, criteria.country)) return false;
  if (criteria.region !== undefined) {
    const countries = criteria.region.flatMap((r) => regions[r] ?? []);
    if (!eq(lead.country, countries)) return false;
  }
  if (criteria.employees !== undefined) {
    const n = lead.employees;
    if (n === undefined) return false;
    if (criteria.employees.min !== undefined && n < criteria.employees.min) return false;
    if (criteria.employees.max !== undefined && n > criteria.employees.max) return false;
  }
  if (!eq(lead.industry, criteria.industry)) return false;
  if (!eq(lead.persona, criteria.persona)) return false;
  if (!eq(lead.source, criteria.source)) return false;
  if (!eq(lead.channel, criteria.channel)) return false;
  if (criteria.activity !== undefined && !lead.activities.some((a) => eq(a.type, criteria.activity))) return false;
  if (criteria.minScore !== undefined && (score === undefined || score < criteria.minScore)) return false;
  return true;
}
