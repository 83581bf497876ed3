import type { Policy } from '../config/policy.js';

/** Who may decide a handoff (docs/lifecycle.md): the assigned rep, the team's manager, and the team when the policy allows. */
export function mayDecide(policy: Policy, handoff: { teamId: string; repUserId: string }, userId: string): boolean {
  if (handoff.repUserId === userId) return true;
  const team = policy.teams.find((t) => t.id === handoff.teamId);
  if (!team) return false;
  if (team.manager === userId) return true;
  return team.teamMayDecide && team.reps.some((r) => r.user === userId && r.active);
}
