import type { CalendarPolicy, StepPolicy, TierPolicy } from '../config/policy.js';
import { addBusinessMinutes, businessMinutesBetween, durationToMinutes, nextOpening } from './calendar.js';
import { matchesCriteria } from './criteria.js';
import type { LeadProfile } from './lead.js';

/** A tier frozen onto a handoff when it starts: later policy edits apply to new handoffs only. */
export interface SlaPlan {
  tierId: string;
  clock: 'business' | 'wall';
  targetMinutes: number;
  steps: { index: number; at: number; action: StepPolicy['action']; repeatEveryMinutes?: number }[];
}

/** Tiers in policy order, first match wins; the schema guarantees the last matches everything. */
export function selectTier(tiers: readonly TierPolicy[], lead: LeadProfile, regions: Readonly<Record<string, readonly string[]>>, score: number): TierPolicy {
  return tiers.find((t) => matchesCriteria(t.match, lead, regions, score)) ?? tiers[tiers.length - 1]!;
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
      ...(s.repeatEvery ? { repeatEveryMinutes: durationToMinutes(s.repeatEvery, tier.clock, hoursPerBusinessDay) } : {}),
    })),
  };
}

/** `minutes` on the plan's clock after `start` (business time skips nights, weekends, holidays). */
function after(plan: SlaPlan, cal: CalendarPolicy, start: Date, minutes: number): Date {
  return plan.clock === 'wall' ? new Date(start.getTime() + minutes * 60_000) : addBusinessMinutes(cal, start, minutes);
}

export function dueAt(plan: SlaPlan, cal: CalendarPolicy, clockStart: Date): Date {
  return after(plan, cal, clockStart, plan.targetMinutes);
}

export function stepDueAt(plan: SlaPlan, step: SlaPlan['steps'][number], cal: CalendarPolicy, clockStart: Date): Date {
  return after(plan, cal, clockStart, Math.round(plan.targetMinutes * step.at));
}

/** Messages to people wait for the recipient's business hours, except on a wall-clock tier. */
export function deliveryTime(plan: SlaPlan, cal: CalendarPolicy, due: Date, recipientZone?: string): Date {
  return plan.clock === 'wall' ? due : nextOpening(cal, due, recipientZone);
}

/** Minutes elapsed on the plan's own clock: what SLA compliance compares with the target. */
export function elapsedOnClock(plan: Pick<SlaPlan, 'clock'>, cal: CalendarPolicy, from: Date, to: Date): number {
  return plan.clock === 'wall' ? Math.max(0, (to.getTime() - from.getTime()) / 60_000) : businessMinutesBetween(cal, from, to);
}
