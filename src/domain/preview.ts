import type { Policy, TierPolicy } from '../config/policy.js';
import type { LeadProfile } from './lead.js';
import { routeLead, type RepTally, type RoutingDecision, type RoutingFacts } from './routing.js';
import { decideMql, scoreLead, type ScoreResult } from './scoring.js';
import { selectTier } from './sla.js';

/** Where a lead would go under a policy, and why: a dry run's answer and a policy check's row. */
export interface RoutePreview {
  score: ScoreResult;
  /** Would be handed to sales now: the score and required fields, or the sender's `mql: true`. */
  mql: boolean;
  tier: TierPolicy;
  decision: RoutingDecision;
}

/**
 * Scores and routes a lead as the intake would, over the facts and counters given (advanced in
 * place, so a file of leads is previewed in order) — storing nothing. A lead that would not
 * qualify is still routed: the question is where it would go.
 */
export function previewRoute(
  policy: Policy,
  profile: LeadProfile,
  now: Date,
  facts: RoutingFacts & { open: Record<string, number> },
  counters: Record<string, Record<string, RepTally>>,
  senderMql?: boolean,
): RoutePreview {
  const score = scoreLead(policy.scoring, profile, now, policy.accounts.personalDomains);
  return {
    score,
    mql: decideMql(score, senderMql),
    tier: selectTier(policy.sla.tiers, profile, policy.regions, score.score),
    decision: routeLead(policy, { profile, score: score.score }, facts, counters),
  };
}
