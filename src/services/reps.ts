import { DateTime } from 'luxon';
import { DomainError } from '../domain/errors.js';
import { setAway } from '../db/repo/routing.js';
import type { Policy } from '../config/policy.js';
import type { ServiceContext } from './context.js';
import { reassignAwayRep } from './escalation.js';

/**
 * The rep a typed name means (`/baton away @Ana`, where Slack sent no mention): the full name or
 * the first name in the policy, any case; it must name exactly one rep.
 */
export function repByName(policy: Policy, typed: string): string {
  const t = typed.trim().toLowerCase();
  const reps = policy.teams.flatMap((team) => team.reps);
  const full = reps.filter((r) => r.name.toLowerCase() === t);
  const matches = full.length > 0 ? full : reps.filter((r) => r.name.toLowerCase().split(/\s+/)[0] === t || r.user.toLowerCase() === t);
  const unique = [...new Set(matches.map((r) => r.user))];
  if (unique.length === 1) return unique[0]!;
  if (unique.length === 0) throw new DomainError('not_found', `Baton knows no rep called "${typed}". Mention them (@ and pick from the list) or use their name as in the policy.`);
  throw new DomainError('validation_failed', `"${typed}" could be ${matches.map((r) => r.name).join(' or ')}: use the full name, or mention them.`);
}

/**
 * Marks a rep away (optionally until a date, read in their zone) or back; only they or their
 * manager may. Going away hands the rep's undecided leads to teammates, so none waits on a holiday.
 */
export async function setRepAway(ctx: ServiceContext, actor: string, target: string, away: boolean, untilDay: string | undefined): Promise<{ until: Date | null; reassigned: number }> {
  const team = ctx.policy.teams.find((t) => t.reps.some((r) => r.user === target));
  const rep = team?.reps.find((r) => r.user === target);
  if (!team || !rep) throw new DomainError('not_found', `<@${target}> is not a rep in Baton's policy.`);
  if (actor !== target && actor !== team.manager) throw new DomainError('not_allowed', `Only <@${target}> or their manager <@${team.manager}> can change that.`);
  let until: Date | null = null;
  if (away && untilDay !== undefined) {
    const day = DateTime.fromISO(untilDay, { zone: rep.timeZone ?? ctx.policy.calendar.timeZone });
    if (!day.isValid) throw new DomainError('validation_failed', `"${untilDay}" is not a date; use YYYY-MM-DD.`);
    // "away until 1 Dec" means back on the morning of 1 Dec, in the rep's own zone.
    until = day.startOf('day').toJSDate();
    if (until <= ctx.now()) throw new DomainError('validation_failed', `${untilDay} is not in the future.`);
  }
  await setAway(ctx.db, { workspaceId: ctx.workspaceId, userId: target, away, awayUntil: until, setBy: actor });
  const reassigned = away ? await reassignAwayRep(ctx, target, actor) : 0;
  return { until, reassigned };
}
