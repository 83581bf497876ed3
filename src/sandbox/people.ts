import type { Policy } from '../config/policy.js';
import { dmChannelFor } from './slack-methods.js';

export type Role = 'rep' | 'manager' | 'marketer';

export interface SandboxPerson {
  id: string;
  name: string;
  role: Role;
  /** The team's name for reps and managers. */
  team?: string;
  timeZone: string;
  dm: string;
}

export interface SandboxChannel {
  id: string;
  name: string;
  kind: 'team' | 'marketing' | 'reports' | 'dm';
  /** For a DM: whose it is. */
  user?: string;
}

/** Everyone the policy names, once each, in the order the page lists them. */
export function policyPeople(policy: Policy): SandboxPerson[] {
  const people = new Map<string, SandboxPerson>();
  const add = (p: Omit<SandboxPerson, 'dm'>): void => {
    if (!people.has(p.id)) people.set(p.id, { ...p, dm: dmChannelFor(p.id) });
  };
  for (const team of policy.teams) {
    const teamZone =
      (team.calendar !== undefined ? policy.calendars[team.calendar]?.timeZone : undefined) ?? policy.calendar.timeZone;
    add({
      id: team.manager,
      name: team.managerName ?? team.manager,
      role: 'manager',
      team: team.name,
      timeZone: teamZone,
    });
    for (const rep of team.reps)
      add({ id: rep.user, name: rep.name, role: 'rep', team: team.name, timeZone: rep.timeZone ?? teamZone });
  }
  for (const m of policy.marketing.users)
    add({ id: m.user, name: m.name, role: 'marketer', timeZone: policy.calendar.timeZone });
  return [...people.values()];
}

const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export function policyChannels(policy: Policy, people: readonly SandboxPerson[]): SandboxChannel[] {
  return [
    ...policy.teams.map((t): SandboxChannel => ({ id: t.channel, name: `sales-${slug(t.name)}`, kind: 'team' })),
    { id: policy.marketing.channel, name: 'marketing', kind: 'marketing' },
    { id: policy.reports.channel, name: 'reports', kind: 'reports' },
    ...people.map((p): SandboxChannel => ({ id: p.dm, name: p.name, kind: 'dm', user: p.id })),
  ];
}
