import { DateTime } from 'luxon';
import { DomainError, refuse } from '../domain/errors.js';
import { awayRepsHoldingLeads, setAway } from '../db/repo/routing.js';
import type { Policy } from '../config/policy.js';
import type { ServiceContext } from './context.js';
import { reassignAwayRep } from './escalation.js';

/** An away period as typed: days (YYYY-MM-DD) read in the rep's zone; either end may be open. */
export interface AwayDays {
  from?: string | undefined;
  until?: string | undefined;
}

/**
 * The rep a typed name means (`/baton away @Ana`, where Slack sent no mention): the full name or
 * the first name in the policy, any case; it must name exactly one rep.
 */
export function repByName(policy: Policy, typed: string): string {
  const t = typed.trim().toLowerCase();
  const reps = policy.teams.flatMap((team) => team.reps);
  const full = reps.filter((r) => r.name.toLowerCase() === t);
  const matches =
    full.length > 0
      ? full
      : reps.filter((r) => r.name.toLowerCase().split(/\s+/)[0] === t || r.user.toLowerCase() === t);
  const unique = [...new Set(matches.map((r) => r.user))];
  if (unique.length === 1) return unique[0]!;
  if (unique.length === 0)
    throw new DomainError(
      'not_found',
      `Baton knows no rep called "${typed}". Mention them (@ and pick from the list) or use their name as in the policy.`,
    );
  throw new DomainError(
    'validation_failed',
    `"${typed}" could be ${matches.map((r) => r.name).join(' or ')}: use the full name, or mention them.`,
  );
}

/**
 * Marks a rep away (from a day, until a day, both read in their zone) or back; only they or their
 * manager may. Going away now hands the rep's undecided leads to teammates, so none waits on a
 * holiday; for a period that starts later, the hand-over job does it when it starts.
 */
export async function setRepAway(
  ctx: ServiceContext,
  actor: string,
  target: string,
  away: boolean,
  days: AwayDays,
): Promise<{ from: Date | null; until: Date | null; reassigned: number }> {
  const team = ctx.policy.teams.find((t) => t.reps.some((r) => r.user === target));
  const rep = team?.reps.find((r) => r.user === target);
  if (!team || !rep) throw refuse({ code: 'not_found', about: 'not_a_rep', user: target });
  if (actor !== target && actor !== team.manager)
    throw refuse({ code: 'not_allowed', about: 'away_for_someone_else', user: target, manager: team.manager });
  const zone = rep.timeZone ?? ctx.policy.calendar.timeZone;
  // "from 1 Dec until 5 Dec" means away from the start of 1 Dec and back on the morning of 5 Dec, in the rep's own zone.
  const startOf = (text: string | undefined): Date | null => {
    if (!away || text === undefined) return null;
    const day = DateTime.fromISO(text, { zone });
    if (!day.isValid) throw new DomainError('validation_failed', `"${text}" is not a date; use YYYY-MM-DD.`);
    return day.startOf('day').toJSDate();
  };
  const now = ctx.now();
  const until = startOf(days.until);
  let from = startOf(days.from);
  if (until && until <= now) throw new DomainError('validation_failed', `${days.until} is not in the future.`);
  if (from && until && from >= until)
    throw new DomainError(
      'validation_failed',
      `The away period must end after it starts (${days.from} is not before ${days.until}).`,
    );
  // A period that has already started is simply away from now.
  if (from && from <= now) from = null;
  await setAway(ctx.db, {
    workspaceId: ctx.workspaceId,
    userId: target,
    away,
    awayFrom: from,
    awayUntil: until,
    setBy: actor,
  });
  const reassigned = away && from === null ? await reassignAwayRep(ctx, target, actor) : 0;
  return { from, until, reassigned };
}

/** Reps whose planned away period has started hand their undecided leads on, as if they had just gone away. */
export async function handOverStartedAways(ctx: ServiceContext): Promise<number> {
  let moved = 0;
  for (const user of await awayRepsHoldingLeads(ctx.db, ctx.workspaceId, ctx.now()))
    moved += await reassignAwayRep(ctx, user, 'baton');
  return moved;
}
