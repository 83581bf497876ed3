import type { SlackCommandMiddlewareArgs } from '@slack/bolt';
import { DomainError } from '../../domain/errors.js';
import { describeRouting, shortRepName } from '../../domain/routing.js';
import { formatBreakdown } from '../../domain/scoring.js';
import { routeQuerySchema } from '../../http/schemas/route.js';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { dryRunRoute } from '../../services/route-preview.js';
import { slackErrorText } from '../errors.js';
import { durationLabel, renderDryRun } from '../views/route.js';

/** `/baton route` keys and the lead field each sets; `activity` takes a comma-separated list of types, happening now. */
const KEYS: Record<string, string> = {
  email: 'email',
  firstname: 'firstName',
  lastname: 'lastName',
  title: 'title',
  company: 'company',
  employees: 'employees',
  industry: 'industry',
  country: 'country',
  persona: 'persona',
  channel: 'channel',
  source: 'source',
  owner: 'ownerHint',
  accountowner: 'accountOwner',
  domain: 'domain',
  website: 'website',
  activity: 'activities',
  mql: 'mql',
};

/** The typed pairs as the intake's lead, validated by the same schema as `POST /api/route`. */
function leadOf(fields: Record<string, string>, now: Date): ReturnType<typeof routeQuerySchema.parse> {
  const raw: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const field = KEYS[key.toLowerCase()];
    if (field === undefined) unknown.push(key);
    else if (field === 'employees') raw[field] = /^\d+$/.test(value) ? Number(value) : value;
    else if (field === 'mql') raw[field] = value === 'true' ? true : value === 'false' ? false : value;
    else if (field === 'activities') raw[field] = value.split(',').map((type) => ({ type, at: now.toISOString() }));
    else raw[field] = value;
  }
  if (unknown.length > 0)
    throw new DomainError(
      'validation_failed',
      `\`/baton route\` does not know ${unknown.map((k) => `\`${k.replace(/[`<>&]/g, '')}\``).join(', ')}. Keys: ${Object.keys(KEYS).join(', ')}.`,
    );
  const parsed = routeQuerySchema.safeParse(raw);
  if (!parsed.success)
    throw new DomainError(
      'validation_failed',
      `That lead has problems: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`,
    );
  return parsed.data;
}

/**
 * `/baton route email=… country=… employees=… channel=…`, privately: which team, SLA tier and rep
 * the lead would get now and why, and its score — the dry run a RevOps admin tries a policy with.
 */
export async function answerRouteCommand(
  ctx: ServiceContext,
  logger: Logger,
  fields: Record<string, string>,
  io: Pick<SlackCommandMiddlewareArgs, 'ack' | 'respond'>,
): Promise<void> {
  await io.ack();
  let reply: { text: string; blocks?: ReturnType<typeof renderDryRun>['blocks'] };
  try {
    const p = await dryRunRoute(ctx, leadOf(fields, ctx.now()));
    const { decision } = p;
    reply = renderDryRun({
      teamName: decision.team.name,
      teamChannel: decision.team.channel,
      tierId: p.tier.id,
      tierTarget: `${durationLabel(p.tier.target)}${p.tier.clock === 'wall' ? ', wall clock' : ''}`,
      rep: decision.repUserId,
      why: describeRouting(decision, (u) => shortRepName(ctx.policy, u)),
      score: p.score.score,
      mql: p.mql,
      threshold: ctx.policy.scoring.threshold,
      breakdown: formatBreakdown(p.score.breakdown),
      missingFields: p.score.missingFields,
    });
  } catch (err) {
    reply = { text: slackErrorText(err, logger) };
  }
  await io.respond({ response_type: 'ephemeral', ...reply });
}
