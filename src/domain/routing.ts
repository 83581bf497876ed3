import { z } from 'zod';
import type { Policy, RepPolicy, TeamPolicy } from '../config/policy.js';
import { matchesCriteria } from './criteria.js';
import type { LeadProfile } from './lead.js';

/**
 * One rep's round-robin tally in one team; lives in Postgres, a row per (team, rep). `entitled`
 * grows by the rep's weighted share of every pick they were eligible for, `assigned` by the leads
 * they got: the difference is how far behind (positive) or ahead they are.
 */
export interface RepTally {
  assigned: number;
  entitled: number;
}
export type RoundRobinState = Readonly<Record<string, RepTally>>;

const ZERO: RepTally = { assigned: 0, entitled: 0 };
const tallyOf = (state: RoundRobinState, user: string): RepTally => state[user] ?? ZERO;

/** Teams in policy order, first match wins; the default team takes whatever nobody matched. */
export function selectTeam(policy: Policy, lead: LeadProfile, score: number): TeamPolicy {
  return (
    policy.teams.find((t) => !t.default && matchesCriteria(t.match, lead, policy.regions, score)) ??
    policy.teams.find((t) => t.default)!
  );
}

/** A rep named by a CRM (Slack id or name, case-insensitively), in the first of `teams` that lists them. */
export function findRep(
  teams: readonly TeamPolicy[],
  named: string | undefined,
): { team: TeamPolicy; rep: RepPolicy } | undefined {
  if (named === undefined || named === '') return undefined;
  const key = named.toLowerCase();
  for (const team of teams) {
    const rep = team.reps.find((r) => r.user.toLowerCase() === key || r.name.toLowerCase() === key);
    if (rep) return { team, rep };
  }
  return undefined;
}

/**
 * Weighted round robin by deficit. Every rep who can take the lead is entitled to their weighted
 * share of it (weight / Σ weights of those who can); it goes to the one furthest behind their
 * entitlement (policy order on ties). A rep who is away, inactive, at their cap or excluded earns
 * nothing meanwhile, so coming back brings no flood of leads, and nobody is owed leads for time
 * they could not take them. `forced` gives the turn to that rep (an owner's lead counting as
 * their turn) while the others still earn their share of it.
 */
export function pickRep(
  team: TeamPolicy,
  state: RoundRobinState,
  available: (user: string) => boolean,
  exclude: ReadonlySet<string> = new Set(),
  forced?: RepPolicy,
): { rep: RepPolicy; nextState: Record<string, RepTally> } | undefined {
  const candidates = team.reps.filter((r) => r.active && available(r.user) && !exclude.has(r.user));
  if (forced && !candidates.includes(forced)) candidates.push(forced);
  if (candidates.length === 0) return undefined;
  const totalWeight = candidates.reduce((s, r) => s + r.weight, 0);
  const next: Record<string, RepTally> = { ...state };
  for (const r of candidates) {
    const t = tallyOf(state, r.user);
    next[r.user] = { assigned: t.assigned, entitled: t.entitled + r.weight / totalWeight };
  }
  const behind = (r: RepPolicy): number => next[r.user]!.entitled - next[r.user]!.assigned;
  // Shares are fractions: a difference below this is a tie, not a rounding error's preference.
  const rep = forced ?? candidates.reduce((best, r) => (behind(r) > behind(best) + 1e-9 ? r : best));
  next[rep.user] = { ...next[rep.user]!, assigned: next[rep.user]!.assigned + 1 };
  return { rep, nextState: next };
}

/** A lead moved because its rep went away does not count against them (docs/scoring-and-routing.md). */
export function creditBack(state: RoundRobinState, user: string): Record<string, RepTally> {
  const t = tallyOf(state, user);
  return { ...state, [user]: { ...t, assigned: Math.max(0, t.assigned - 1) } };
}

/** Why a rep could not take a lead. */
const SKIP_REASONS = ['away', 'at_cap', 'inactive'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** The rule that decided a routing (docs/scoring-and-routing.md, "Why this rep"), in the order they are tried. */
const ROUTING_RULES = ['owner_hint', 'account_owner', 'round_robin', 'capacity_fallback', 'manager_fallback'] as const;
export type RoutingRule = (typeof ROUTING_RULES)[number];

export interface SkippedRep {
  user: string;
  reason: SkipReason;
  /** Set when the rep was skipped as the lead's CRM owner or its account's owner. */
  as?: 'owner_hint' | 'account_owner';
}

/** What a routing decision records (the `assigned` event's data) and the card explains. */
export interface RoutingWhy {
  rule: RoutingRule;
  skipped: SkippedRep[];
  /** The company domain looked up, and where its owner came from. */
  account?: { domain: string | null; source: 'crm' | 'accepted' } | undefined;
}

export interface RoutingDecision extends RoutingWhy {
  team: TeamPolicy;
  repUserId: string;
}

/** What a lead needs to be routed: its profile (with the company's domain and CRM account owner) and score. */
export interface RoutableLead {
  profile: LeadProfile;
  score: number;
}

/** What routing reads from the store, as of the routing lock. */
export interface RoutingFacts {
  away: ReadonlySet<string>;
  /** Open (undecided) handoffs of each rep who has a cap. */
  open: Readonly<Record<string, number>>;
  /** Company domain → the rep who last accepted one of its leads. */
  accountOwners: ReadonlyMap<string, string>;
}

/** A rep's cap on open handoffs: their own, else their team's, else none. */
export function capOf(team: TeamPolicy, rep: RepPolicy): number | undefined {
  return rep.maxOpen ?? team.maxOpenPerRep;
}

function skipReason(
  team: TeamPolicy,
  rep: RepPolicy,
  facts: Pick<RoutingFacts, 'away' | 'open'>,
): SkipReason | undefined {
  if (!rep.active) return 'inactive';
  if (facts.away.has(rep.user)) return 'away';
  const cap = capOf(team, rep);
  return cap !== undefined && (facts.open[rep.user] ?? 0) >= cap ? 'at_cap' : undefined;
}

/** Whether a rep of `team` can take a lead now: active, not away, under their cap. */
export function eligibleIn(team: TeamPolicy, facts: Pick<RoutingFacts, 'away' | 'open'>): (user: string) => boolean {
  return (user) => {
    const rep = team.reps.find((r) => r.user === user);
    return rep !== undefined && skipReason(team, rep, facts) === undefined;
  };
}

/** The account owner a lead names or has earned, where the policy lets it go to them. */
function accountOwnerOf(
  policy: Policy,
  lead: RoutableLead,
  matched: TeamPolicy,
  facts: RoutingFacts,
): { team: TeamPolicy; rep: RepPolicy; source: 'crm' | 'accepted' } | undefined {
  if (!matched.accounts.match) return undefined;
  const teams = matched.accounts.acrossTeams ? [matched, ...policy.teams.filter((t) => t !== matched)] : [matched];
  const fromCrm = findRep(teams, lead.profile.accountOwner);
  if (fromCrm) return { ...fromCrm, source: 'crm' };
  const owner =
    lead.profile.accountDomain !== undefined ? facts.accountOwners.get(lead.profile.accountDomain) : undefined;
  const found = findRep(teams, owner);
  return found ? { ...found, source: 'accepted' } : undefined;
}

/** The teams whose counters a lead's routing may move: its matched team, and its owners' teams. */
export function teamsInvolved(
  policy: Policy,
  lead: RoutableLead,
  accountOwners: ReadonlyMap<string, string>,
): TeamPolicy[] {
  const matched = selectTeam(policy, lead.profile, lead.score);
  const facts: RoutingFacts = { away: new Set(), open: {}, accountOwners };
  return [
    matched,
    findRep(policy.teams, lead.profile.ownerHint)?.team,
    accountOwnerOf(policy, lead, matched, facts)?.team,
  ].filter((t): t is TeamPolicy => t !== undefined);
}

/**
 * Routes one lead (docs/scoring-and-routing.md), rules in order: the CRM owner of the contact (`ownerHint`), the
 * company's account owner, the weighted round robin of the matched team, and the team manager's
 * queue when every rep is away, inactive or at their cap. An owner who is away or at their cap is
 * skipped, and said so. Advances `counters` (teams' tallies) and `open` in place: the caller owns
 * both for one batch, so leads routed together see each other.
 */
export function routeLead(
  policy: Policy,
  lead: RoutableLead,
  facts: RoutingFacts & { open: Record<string, number> },
  counters: Record<string, Record<string, RepTally>>,
): RoutingDecision {
  const matched = selectTeam(policy, lead.profile, lead.score);
  const skipped: SkippedRep[] = [];
  const stateOf = (team: TeamPolicy): Record<string, RepTally> => {
    const state = counters[team.id];
    if (!state) throw new Error(`routing: team ${team.id}'s counters were not locked`);
    return state;
  };
  const eligible = (team: TeamPolicy) => eligibleIn(team, facts);
  const give = (
    team: TeamPolicy,
    rep: RepPolicy,
    rule: RoutingRule,
    countsAsTurn: boolean,
    account?: RoutingWhy['account'],
  ): RoutingDecision => {
    if (countsAsTurn) counters[team.id] = pickRep(team, stateOf(team), eligible(team), new Set(), rep)!.nextState;
    facts.open[rep.user] = (facts.open[rep.user] ?? 0) + 1;
    return { team, repUserId: rep.user, rule, skipped, ...(account ? { account } : {}) };
  };

  const hinted = findRep(policy.teams, lead.profile.ownerHint);
  if (hinted) {
    const reason = skipReason(hinted.team, hinted.rep, facts);
    // The contact's own owner counts as their turn, or owners would get twice their share.
    if (reason === undefined) return give(hinted.team, hinted.rep, 'owner_hint', true);
    skipped.push({ user: hinted.rep.user, reason, as: 'owner_hint' });
  }
  const owner = accountOwnerOf(policy, lead, matched, facts);
  if (owner) {
    const reason = skipReason(owner.team, owner.rep, facts);
    if (reason === undefined)
      return give(owner.team, owner.rep, 'account_owner', owner.team.accounts.countsAsTurn, {
        domain: lead.profile.accountDomain ?? null,
        source: owner.source,
      });
    if (!skipped.some((s) => s.user === owner.rep.user))
      skipped.push({ user: owner.rep.user, reason, as: 'account_owner' });
  }
  // Inactive reps are out of the rotation, not skipped: naming them on every card would be noise.
  for (const rep of matched.reps) {
    const reason = skipReason(matched, rep, facts);
    if (reason !== undefined && reason !== 'inactive' && !skipped.some((s) => s.user === rep.user))
      skipped.push({ user: rep.user, reason });
  }
  const picked = pickRep(matched, stateOf(matched), eligible(matched));
  if (picked) {
    counters[matched.id] = picked.nextState;
    facts.open[picked.rep.user] = (facts.open[picked.rep.user] ?? 0) + 1;
    return { team: matched, repUserId: picked.rep.user, rule: 'round_robin', skipped };
  }
  const rule = skipped.some((s) => s.reason === 'at_cap') ? 'capacity_fallback' : 'manager_fallback';
  return { team: matched, repUserId: matched.manager, rule, skipped };
}

const SKIP_TEXT: Record<SkipReason, string> = { away: 'was away', at_cap: 'at cap', inactive: 'inactive' };
const AS_TEXT = { owner_hint: 'CRM owner', account_owner: 'account owner' } as const;

// Events outlive the code that wrote them: what a stored decision says is read, never trusted.
const skippedRepSchema = z.object({
  user: z.string(),
  reason: z.enum(SKIP_REASONS),
  as: z.enum(['owner_hint', 'account_owner']).optional().catch(undefined),
});
const routingWhySchema = z.object({
  rule: z.enum(ROUTING_RULES),
  // A skipped rep this code cannot read is left out, not the whole decision.
  skipped: z
    .array(skippedRepSchema.nullable().catch(null))
    .catch([])
    .transform((list) => list.filter((s) => s !== null)),
  account: z
    .object({ domain: z.string().nullable(), source: z.enum(['crm', 'accepted']) })
    .optional()
    .catch(undefined),
});

/** A routing decision as an `assigned` event recorded it; undefined for events from before reasons were recorded. */
export function routingWhyOf(data: unknown): RoutingWhy | undefined {
  const parsed = routingWhySchema.safeParse(data);
  if (!parsed.success) return undefined;
  const { rule, skipped, account } = parsed.data;
  return { rule, skipped, ...(account ? { account } : {}) };
}

/** What an `assigned` event records (src/services/handoff.ts): the rep it went to, and why when that was recorded. */
export interface AssignedEventData {
  rep: string;
  why: RoutingWhy | undefined;
}

/** An event's data read as an assignment's: undefined for another type of event, or one that names no rep. */
export function assignedEventData(e: { type: string; data: unknown }): AssignedEventData | undefined {
  const { data } = e;
  if (e.type !== 'assigned' || typeof data !== 'object' || data === null || !('rep' in data)) return undefined;
  return typeof data.rep === 'string' ? { rep: data.rep, why: routingWhyOf(data) } : undefined;
}

/** "why this rep" in one short line: "account owner", "round-robin: Bo was away, Ana at cap". `nameOf` gives a rep's short name. */
export function describeRouting(why: RoutingWhy, nameOf: (user: string) => string): string {
  const skips = why.skipped.map((s) => `${nameOf(s.user)}${s.as ? ` (${AS_TEXT[s.as]})` : ''} ${SKIP_TEXT[s.reason]}`);
  const tail = skips.length > 0 ? `: ${skips.join(', ')}` : '';
  switch (why.rule) {
    case 'owner_hint':
      return 'CRM owner';
    case 'account_owner':
      return why.account?.source === 'crm'
        ? 'account owner (CRM)'
        : `account owner${why.account?.domain ? ` of ${why.account.domain}` : ''}`;
    case 'round_robin':
      return `round-robin${tail}`;
    case 'capacity_fallback':
      return `manager's queue, every rep away or at cap${tail}`;
    case 'manager_fallback':
      return `manager's queue, no rep available${tail}`;
  }
}

/** A rep's short name for "why" lines: the first word of their name in the policy, else their id (the line is shown escaped). */
export function shortRepName(policy: Policy, user: string): string {
  const rep = findRep(policy.teams, user)?.rep;
  return rep ? rep.name.split(/\s+/)[0]! : user;
}

/** Who owns a company after an accept: the rep who accepted, or the holder when their manager accepted for them. */
export function accountOwnerAfterAccept(policy: Policy, acceptedBy: string, holder: string): string {
  return policy.teams.some((t) => t.reps.some((r) => r.user === acceptedBy)) ? acceptedBy : holder;
}

export interface AccountClaim {
  domain: string;
  ownerUserId: string;
  teamId: string;
  leadId: string;
  since: Date;
}

/** The latest claim of each domain: the last accept of a company's leads decides who owns it. */
export function latestClaims(claims: readonly AccountClaim[]): AccountClaim[] {
  const latest = new Map<string, AccountClaim>();
  for (const c of claims) {
    const seen = latest.get(c.domain);
    if (!seen || seen.since < c.since) latest.set(c.domain, c);
  }
  return [...latest.values()];
}

/**
 * A company's domain from a `domain` or `website` field ("https://www.Acme.io/about" → acme.io),
 * else the work e-mail's; undefined when it is a free-mail or disposable one, or none is given.
 */
export function accountDomainOf(
  fields: { email?: string | undefined; domain?: string | undefined; website?: string | undefined },
  personalDomains: ReadonlySet<string>,
): string | undefined {
  const fromSite = (s: string | undefined): string | undefined => {
    if (s === undefined || s.trim() === '') return undefined;
    const host = s
      .trim()
      .toLowerCase()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
      .split(/[/?#:]/)[0]!;
    return host.replace(/^www\./, '').replace(/\.$/, '');
  };
  const at = fields.email?.lastIndexOf('@') ?? -1;
  const domain =
    fromSite(fields.domain) ??
    fromSite(fields.website) ??
    (at >= 0 ? fields.email!.slice(at + 1).toLowerCase() : undefined);
  if (domain === undefined || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain) || personalDomains.has(domain))
    return undefined;
  return domain;
}
