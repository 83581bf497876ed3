import type { ScoringPolicy } from '../config/policy.js';
import type { LeadFields, LeadProfile } from './lead.js';

export interface BreakdownLine {
  family: 'profile' | 'channel' | 'actions' | 'negatives';
  label: string;
  points: number;
  /** How many occurrences an action rule counted (shown as "×2"). */
  count?: number;
}

export interface ScoreResult {
  score: number;
  breakdown: BreakdownLine[];
  missingFields: string[];
  /** Score reached the threshold and every required field is present. */
  isMql: boolean;
}

const DAY_MS = 86_400_000;

function text(lead: LeadFields, field: string): string | undefined {
  const v = (lead as Record<string, unknown>)[field];
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** The policy's patterns, compiled once each rather than once per lead (a bulk import scores a million). */
const compiled = new Map<string, RegExp>();
function patternOf(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re === undefined) compiled.set(pattern, (re = new RegExp(pattern, 'i')));
  return re;
}
const matchesPattern = (value: string | undefined, pattern: string): boolean =>
  value !== undefined && patternOf(pattern).test(value);
const inList = (value: string | undefined, list: readonly string[]): boolean =>
  value !== undefined && list.some((v) => v.toLowerCase() === value.toLowerCase());

function emailDomain(email: string | undefined): string | undefined {
  const at = email?.lastIndexOf('@') ?? -1;
  return at >= 0 ? email!.slice(at + 1).toLowerCase() : undefined;
}

/** Weight of one occurrence of an action of age `ageDays` under the policy's decay. */
function decayWeight(decay: ScoringPolicy['decay'], ageDays: number): number {
  if (decay === undefined) return 1;
  if ('halfLifeDays' in decay) return 0.5 ** (ageDays / decay.halfLifeDays);
  return ageDays <= decay.windowDays ? 1 : 0;
}

/**
 * Scores a lead against the policy (docs/scoring-and-routing.md) and explains the score line by line. Action points
 * decay with age, so last year's burst does not make an MQL today; each rule's total is rounded
 * to a whole point, and rules that end at zero are left out of the breakdown.
 */
/** `personalDomains`: free-mail and disposable domains (policy.accounts.personalDomains), for `freeMail` rules. */
export function scoreLead(
  policy: ScoringPolicy,
  lead: LeadProfile,
  now: Date,
  personalDomains: ReadonlySet<string>,
): ScoreResult {
  const breakdown: BreakdownLine[] = [];
  const add = (line: BreakdownLine): void => {
    if (line.points !== 0) breakdown.push(line);
  };

  for (const rule of policy.profile) {
    const value = text(lead, rule.field);
    const hit =
      (rule.pattern === undefined || matchesPattern(value, rule.pattern)) &&
      (rule.in === undefined || inList(value, rule.in)) &&
      (rule.employees === undefined ||
        (lead.employees !== undefined &&
          lead.employees >= (rule.employees.min ?? 0) &&
          lead.employees <= (rule.employees.max ?? Infinity))) &&
      value !== undefined;
    if (hit) add({ family: 'profile', label: rule.label, points: rule.points });
  }

  for (const rule of policy.channel) {
    if (inList(lead.channel, [rule.channel])) add({ family: 'channel', label: rule.label, points: rule.points });
  }

  for (const rule of policy.actions) {
    const occurrences = lead.activities
      .filter((a) => a.type.toLowerCase() === rule.type.toLowerCase())
      .map((a) => decayWeight(policy.decay, Math.max(0, (now.getTime() - a.at.getTime()) / DAY_MS)))
      .filter((w) => w > 0)
      // The freshest occurrences are the ones that count when `max` caps them.
      .sort((x, y) => y - x)
      .slice(0, rule.max ?? Infinity);
    const points = Math.round(occurrences.reduce((sum, w) => sum + w * rule.points, 0));
    if (occurrences.length > 0)
      add({
        family: 'actions',
        label: rule.label,
        points,
        ...(occurrences.length > 1 ? { count: occurrences.length } : {}),
      });
  }

  const domain = emailDomain(lead.email);
  for (const rule of policy.negatives) {
    const freeMail =
      rule.freeMail === true &&
      domain !== undefined &&
      (personalDomains.has(domain) || (rule.domains ?? []).some((d) => d.toLowerCase() === domain));
    const listed =
      rule.freeMail !== true &&
      rule.domains !== undefined &&
      domain !== undefined &&
      rule.domains.some((d) => d.toLowerCase() === domain);
    const patterned =
      rule.field !== undefined && rule.pattern !== undefined && matchesPattern(text(lead, rule.field), rule.pattern);
    if (freeMail || listed || patterned) add({ family: 'negatives', label: rule.label, points: rule.points });
  }

  const score = breakdown.reduce((sum, l) => sum + l.points, 0);
  const missingFields = policy.requiredFields.filter((f) => text(lead, f) === undefined);
  return { score, breakdown, missingFields, isMql: score >= policy.threshold && missingFields.length === 0 };
}

/** docs/scoring-and-routing.md: the marketing-automation system's own "mql: true" decides, whatever the score. */
export function decideMql(result: ScoreResult, intakeSaysMql: boolean | undefined): boolean {
  return intakeSaysMql === true || result.isMql;
}

/** "+30 demo request", "+20 pricing page ×2", "−20 free-mail address" (a real minus sign). */
export function formatBreakdown(breakdown: readonly BreakdownLine[]): string[] {
  return breakdown.map(
    (l) =>
      `${l.points < 0 ? '\u2212' : '+'}${Math.abs(l.points)} ${l.label}${l.count !== undefined ? ` \u00d7${l.count}` : ''}`,
  );
}
