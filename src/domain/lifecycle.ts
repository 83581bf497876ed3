import { DomainError } from './errors.js';

/** Main line of the funnel, in order, then the side exits. */
export const STAGES = [
  'lead',
  'mql',
  'sal',
  'sql',
  'opportunity',
  'customer',
  'rejected',
  'nurture',
  'disqualified',
  'lost',
] as const;
export type Stage = (typeof STAGES)[number];

/*
 * Legal moves. `rejected` is not a resting stage: a rejection lands the lead in nurture or
 * disqualified (the reason's policy says which), recorded as one event with decision data.
 */
const LEGAL: Record<Stage, readonly Stage[]> = {
  lead: ['mql', 'nurture', 'disqualified'],
  mql: ['sal', 'nurture', 'disqualified'],
  sal: ['sql', 'nurture', 'disqualified', 'lost'],
  sql: ['opportunity', 'nurture', 'disqualified', 'lost'],
  opportunity: ['customer', 'lost', 'nurture'],
  customer: [],
  rejected: ['nurture', 'disqualified'],
  nurture: ['mql', 'disqualified'],
  disqualified: ['nurture'],
  lost: ['nurture', 'mql'],
};

export function canTransition(from: Stage, to: Stage): boolean {
  return LEGAL[from].includes(to);
}

export function assertTransition(from: Stage, to: Stage): void {
  if (!canTransition(from, to)) {
    throw new DomainError('illegal_transition', `A lead in stage "${from}" cannot move to "${to}".`, { from, to });
  }
}

/** The event a move into `to` is recorded as; live decisions and imported history use the same names. */
export const EVENT_FOR_STAGE: Record<Exclude<Stage, 'lead' | 'rejected'>, string> = {
  mql: 'handoff_started',
  sal: 'accepted',
  sql: 'qualified',
  opportunity: 'opportunity',
  customer: 'won',
  nurture: 'nurtured',
  disqualified: 'disqualified',
  lost: 'lost',
};
