import type { CalendarPolicy, Policy, StepPolicy, TeamPolicy, TierPolicy } from '../config/policy.js';
import { addBusinessMinutes, businessMinutesBetween, durationToMinutes, nextOpening } from './calendar.js';
import { matchesCriteria } from './criteria.js';
import type { LeadProfile } from './lead.js';
import { calendarForTeam } from './teams.js';

const MINUTE = 60_000;

export interface SlaStep {
  /** Position in the tier's list: with the handoff, what makes a step fire exactly once. */
  readonly index: number;
  /** Share of the target, 0.5 for "50%". */
  readonly at: number;
  readonly action: StepPolicy['action'];
  readonly repeatEveryMinutes?: number;
}

/**
 * A tier frozen onto a handoff when it starts, in plain JSON: later policy edits apply to new
 * handoffs only. Minutes are on the plan's clock, with "d" already resolved.
 */
export interface SlaPlan {
  readonly tierId: string;
  readonly clock: TierPolicy['clock'];
  readonly targetMinutes: number;
  readonly steps: readonly SlaStep[];
}

/** Tiers in policy order, first match wins; the last is the default. */
export function selectTier(
  tiers: readonly TierPolicy[],
  lead: LeadProfile,
  regions: Readonly<Record<string, readonly string[]>>,
  score: number,
): TierPolicy {
  const last = tiers[tiers.length - 1];
  if (last === undefined) throw new RangeError('The policy has no SLA tiers');
  return tiers.find((t) => matchesCriteria(t.match, lead, regions, score)) ?? last;
}

export function freezeTier(tier: TierPolicy, hoursPerBusinessDay: number): SlaPlan {
  return {
    tierId: tier.id,
    clock: tier.clock,
    targetMinutes: durationToMinutes(tier.target, tier.clock, hoursPerBusinessDay),
    steps: tier.steps.map((s, index) => ({
      index,
      at: s.at,
      action: s.action,
      ...(s.repeatEvery
        ? { repeatEveryMinutes: durationToMinutes(s.repeatEvery, tier.clock, hoursPerBusinessDay) }
        : {}),
    })),
  };
}

/** `minutes` on the plan's clock after `start`: business time skips nights, weekends and holidays. */
function advance(plan: Pick<SlaPlan, 'clock'>, cal: CalendarPolicy, start: Date, minutes: number): Date {
  return plan.clock === 'wall'
    ? new Date(start.getTime() + Math.round(minutes * MINUTE))
    : addBusinessMinutes(cal, start, minutes);
}

/** The deadline; on a business clock a start outside hours waits for the next opening. */
export function dueAt(plan: SlaPlan, cal: CalendarPolicy, clockStart: Date): Date {
  return advance(plan, cal, clockStart, plan.targetMinutes);
}

export function stepDueAt(plan: SlaPlan, step: SlaStep, cal: CalendarPolicy, clockStart: Date): Date {
  return advance(plan, cal, clockStart, step.at * plan.targetMinutes);
}

/**
 * When a message that fell due at `due` may reach a person: at once on a wall-clock tier (the
 * tier exists to wake people), else at the next opening of their hours — the calendar's weekly
 * hours read in their own zone when they have one.
 */
export function deliveryTime(
  plan: Pick<SlaPlan, 'clock'>,
  cal: CalendarPolicy,
  due: Date,
  recipientZone?: string,
): Date {
  return plan.clock === 'wall' ? due : nextOpening(cal, due, recipientZone);
}

/** When a repeating step (a manager notice) is due again after the notice that fell due at `after`. */
export function nextRepeat(
  plan: Pick<SlaPlan, 'clock'>,
  step: SlaStep,
  cal: CalendarPolicy,
  after: Date,
): Date | undefined {
  return step.repeatEveryMinutes === undefined ? undefined : advance(plan, cal, after, step.repeatEveryMinutes);
}

/**
 * Minutes elapsed on the plan's own clock: business minutes on a business tier, real minutes on
 * a wall-clock tier (a hot lead left overnight did wait all night).
 */
export function elapsedOnClock(plan: Pick<SlaPlan, 'clock'>, cal: CalendarPolicy, from: Date, to: Date): number {
  return plan.clock === 'wall'
    ? Math.max(0, (to.getTime() - from.getTime()) / MINUTE)
    : businessMinutesBetween(cal, from, to);
}

/** SLA compliance of a decision: time from the handoff's first assignment, within the target. */
export function isWithinSla(
  plan: Pick<SlaPlan, 'clock' | 'targetMinutes'>,
  cal: CalendarPolicy,
  firstAssignedAt: Date,
  decidedAt: Date,
): boolean {
  return elapsedOnClock(plan, cal, firstAssignedAt, decidedAt) <= plan.targetMinutes;
}

/** A step due on one rep's clock: what the sweep will perform, once, at `dueAt`. */
export interface ScheduledStep {
  stepIndex: number;
  occurrence: number;
  action: SlaStep['action'];
  repUserId: string;
  dueAt: Date;
}

/** Whose hours a step's message waits for; a reassignment is no message and happens when due. */
export interface StepRecipients {
  repZone: string;
  managerZone: string;
  marketingZone: string;
}

function recipientZone(action: SlaStep['action'], zones: StepRecipients): string | undefined {
  switch (action) {
    case 'remind_rep':
      return zones.repZone;
    case 'notify_manager':
      return zones.managerZone;
    case 'notify_marketing':
      return zones.marketingZone;
    case 'reassign':
      return undefined;
  }
}

/** When a step that falls due at `due` is performed: a message waits for its reader's hours. */
export function performAt(
  plan: Pick<SlaPlan, 'clock'>,
  cal: CalendarPolicy,
  action: SlaStep['action'],
  due: Date,
  zones: StepRecipients,
): Date {
  const zone = recipientZone(action, zones);
  return zone === undefined ? due : deliveryTime(plan, cal, due, zone);
}

/**
 * A rep's steps, from the moment their clock started (docs/sla.md). Marketing hears of a breach once
 * per handoff, on its own clock, so a reassigned rep's schedule leaves that step out.
 */
export function scheduleSteps(
  plan: SlaPlan,
  cal: CalendarPolicy,
  clockStart: Date,
  repUserId: string,
  zones: StepRecipients,
  opts: { firstRep: boolean },
): ScheduledStep[] {
  return plan.steps
    .filter((s) => opts.firstRep || s.action !== 'notify_marketing')
    .map((s) => ({
      stepIndex: s.index,
      occurrence: 1,
      action: s.action,
      repUserId,
      dueAt: performAt(plan, cal, s.action, stepDueAt(plan, s, cal, clockStart), zones),
    }));
}

/**
 * What happened on a handoff, as a message tells it: each fact frozen when its step fell due, so
 * a message sent late (downtime, a Slack outage) still names the rep who missed and their own
 * deadline, not whoever holds the lead when it is finally sent. Plain JSON (ISO instants).
 */
export type SlaFact =
  | { kind: 'missed'; rep: string; deadline: string }
  | {
      kind: 'moved';
      from: string;
      to: string;
      at: string;
      deadline: string;
      reason: 'breach' | 'manager' | 'away';
      holder: number;
    }
  | { kind: 'stuck'; rep: string; at: string };

/**
 * The batch a notice joins: notices to one person falling due in the same window go out as one
 * message at the window's end. Windows are fixed slices of time, so every replica agrees.
 */
export function noticeWindow(performedAt: Date, windowMs: number): { key: string; sendAt: Date } {
  const start = Math.floor(performedAt.getTime() / windowMs) * windowMs;
  return { key: new Date(start).toISOString(), sendAt: new Date(start + windowMs) };
}

/** Whose hours each kind of SLA message waits for, on this team. */
export function stepRecipients(policy: Policy, team: TeamPolicy, repUserId: string): StepRecipients {
  const calendar = calendarForTeam(policy, team);
  return {
    repZone: team.reps.find((r) => r.user === repUserId)?.timeZone ?? calendar.timeZone,
    managerZone: calendar.timeZone,
    marketingZone: policy.calendar.timeZone,
  };
}
