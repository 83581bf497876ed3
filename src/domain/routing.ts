import type { Policy, RepPolicy, TeamPolicy } from '../config/policy.js';
import { matchesCriteria } from './criteria.js';
import type { LeadProfile } from './lead.js';

/** Leads assigned so far per rep of one team; lives in Postgres, a row per (team, rep). */
export type RoundRobinState = Readonly<Record<string, number>>;

/** Teams in policy order, first match wins; the default team takes whatever nobody matched. */
export function selectTeam(policy: Policy, lead: LeadProfile, score: number): TeamPolicy {
  return policy.teams.find((t) => !t.default && matchesCriteria(t.match, lead, policy.regions, score)) ?? policy.teams.find((t) => t.default)!;
}

/** The CRM owner, when they are an active rep who is available now: the lead is theirs. */
export function ownerHintRep(policy: Policy, ownerHint: string | undefined, available: (user: string) => boolean): { team: TeamPolicy; rep: RepPolicy } | undefined {
  if (ownerHint === undefined || ownerHint === '') return undefined;
  for (const team of policy.teams) {
    const rep = team.reps.find((r) => r.user.toLowerCase() === ownerHint.toLowerCase() || r.name.toLowerCase() === ownerHint.toLowerCase());
    if (rep && rep.active && available(rep.user)) return { team, rep };
  }
  return undefined;
}

/**
 * Weighted round robin with quotas. Among the reps who can take a lead, the next goes to the one
 * furthest behind its weighted share ((assigned + 1) / weight smallest, policy order on ties),
 * never above its upper quota, so each share stays within one lead of weight/Σweight × n.
 *
 * Counters are never frozen while a rep is away; instead a returning rep's deficit is capped (at
 * most two leads of catch-up), so a week of holiday does not earn a flood of leads on return.
 */
export function pickRep(team: TeamPolicy, state: RoundRobinState, available: (user: string) => boolean, exclude: ReadonlySet<string> = new Set()): { rep: RepPolicy; nextState: Record<string, number> } | undefined {
  const candidates = team.reps.filter((r) => r.active && available(r.user) && !exclude.has(r.user));
  if (candidates.length === 0) return undefined;
  const totalWeight = candidates.reduce((s, r) => s + r.weight, 0);
  const assignedSoFar = candidates.reduce((s, r) => s + (state[r.user] ?? 0), 0);
  const next: Record<string, number> = { ...state };
  const expectedAfter = (r: RepPolicy): number => (r.weight / totalWeight) * (assignedSoFar + 1);
  for (const r of candidates) next[r.user] = Math.max(state[r.user] ?? 0, Math.floor(expectedAfter(r)) - 1);
  const underQuota = candidates.filter((r) => next[r.user]! + 1 <= Math.ceil(expectedAfter(r)));
  const pool = underQuota.length > 0 ? underQuota : candidates;
  const rep = pool.reduce((best, r) => ((next[r.user]! + 1) / r.weight < (next[best.user]! + 1) / best.weight ? r : best));
  next[rep.user] = next[rep.user]! + 1;
  return { rep, nextState: next };
}

/** A lead moved because its rep went away does not count against them (docs/scoring-and-routing.md). */
export function creditBack(state: RoundRobinState, user: string): Record<string, number> {
  return { ...state, [user]: Math.max(0, (state[user] ?? 0) - 1) };
}
