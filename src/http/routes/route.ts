import type { Policy } from '../../config/policy.js';
import type { RoutePreview } from '../../domain/preview.js';
import { describeRouting, shortRepName } from '../../domain/routing.js';
import { formatBreakdown } from '../../domain/scoring.js';
import type { ServiceContext } from '../../services/context.js';
import { dryRunRoute } from '../../services/route-preview.js';
import { requireBearer } from '../auth.js';
import { ONE_MEGABYTE, readJson } from '../body.js';
import { routeQuerySchema } from '../schemas/route.js';
import type { Route } from '../server.js';
import { parseOr400 } from '../validation.js';

/** A dry run as JSON: where the lead would go, why, and its score. */
export function previewJson(policy: Policy, p: RoutePreview): Record<string, unknown> {
  const { decision } = p;
  return {
    stored: false,
    team: { id: decision.team.id, name: decision.team.name, channel: decision.team.channel },
    tier: { id: p.tier.id, target: p.tier.target, clock: p.tier.clock },
    rep: decision.repUserId,
    rule: decision.rule,
    why: describeRouting(decision, (u) => shortRepName(policy, u)),
    skipped: decision.skipped,
    account: decision.account ?? null,
    score: p.score.score,
    mql: p.mql,
    breakdown: formatBreakdown(p.score.breakdown),
    missingFields: p.score.missingFields,
  };
}

/** POST /api/route: the dry run for RevOps (intake token): where a lead would go now, storing nothing. */
export function routePreviewRoutes(ctx: ServiceContext, intakeToken: string | undefined): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/route',
      async handle(req) {
        requireBearer(req, intakeToken, 'INTAKE_TOKEN');
        const lead = parseOr400(routeQuerySchema, await readJson(req, ONE_MEGABYTE), 'lead');
        return { status: 200, json: previewJson(ctx.policy, await dryRunRoute(ctx, lead)) };
      },
    },
  ];
}
