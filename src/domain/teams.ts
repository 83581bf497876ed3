import type { CalendarPolicy, Policy, TeamPolicy } from '../config/policy.js';
import type { Dimension } from './reports/funnel.js';

/* Look-ups in the policy that the use cases and the Slack surfaces share: plain data in, plain data out. */

export function teamById(policy: Policy, teamId: string): TeamPolicy | undefined {
  return policy.teams.find((t) => t.id === teamId);
}

/** The team's own calendar when it names one, else the policy's. */
export function calendarForTeam(policy: Policy, team: TeamPolicy): CalendarPolicy {
  return team.calendar !== undefined ? (policy.calendars[team.calendar] ?? policy.calendar) : policy.calendar;
}

/** The zone a person reads times in: theirs in the policy when they are a rep, else their team's calendar, else the policy's. */
export function userZone(policy: Policy, userId: string): string {
  for (const team of policy.teams) {
    const rep = team.reps.find((r) => r.user === userId);
    if (rep?.timeZone) return rep.timeZone;
    if (rep || team.manager === userId) return calendarForTeam(policy, team).timeZone;
  }
  return policy.calendar.timeZone;
}

/** A readable name for a group key: reps and teams by their policy names. */
export function groupName(policy: Policy, by: Dimension | undefined, key: string): string {
  if (by === 'team') return teamById(policy, key)?.name ?? key;
  if (by === 'rep') return policy.teams.flatMap((t) => t.reps).find((r) => r.user === key)?.name ?? key;
  return key;
}
