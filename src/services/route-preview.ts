import { previewRoute, type RoutePreview } from '../domain/preview.js';
import { scoreLead } from '../domain/scoring.js';
import type { ServiceContext } from './context.js';
import { lockRouting } from './handoff.js';
import { newLeadProfile, type IntakeInput } from './intake.js';

/**
 * A dry run (docs/scoring-and-routing.md): which team, SLA tier and rep a lead would get now, and why, with its score
 * — read from the live state (who is away, open leads against caps, account owners, the round
 * robin's counters) without locking or writing anything.
 */
export async function dryRunRoute(ctx: ServiceContext, input: IntakeInput): Promise<RoutePreview> {
  const now = ctx.now();
  const { profile } = newLeadProfile(input, ctx.policy.accounts.personalDomains);
  const score = scoreLead(ctx.policy.scoring, profile, now, ctx.policy.accounts.personalDomains).score;
  const state = await lockRouting(ctx, ctx.db, [{ profile, score }], now, { lock: false });
  const counters = Object.fromEntries(Object.entries(state.counters).map(([team, c]) => [team, { ...c }]));
  return previewRoute(ctx.policy, profile, now, { ...state.facts, open: { ...state.facts.open } }, counters, input.mql);
}
