import { readFileSync } from 'node:fs';
import path from 'node:path';
import { IANAZone } from 'luxon';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { PROFILE_LEAD_FIELDS } from '../domain/lead.js';
import { ConfigError, issuesToLines } from './errors.js';

/*
 * The policy is the RevOps admin's file: everything a sales team tunes without
 * a deploy. It is parsed once at start-up; the domain receives the typed result.
 */

const zone = z
  .string()
  .refine((s) => IANAZone.isValidZone(s), { message: 'is not an IANA time zone (e.g. Europe/Stockholm)' });

const clockTime = /^([01]\d|2[0-4]):([0-5]\d)$/;
/** "09:00-17:00": a window of business hours on one weekday, local time. */
const hoursWindow = z
  .string()
  .regex(/^\d\d:\d\d-\d\d:\d\d$/, 'must look like "09:00-17:00"')
  .transform((s, ctx) => {
    const [from, to] = s.split('-') as [string, string];
    const toMinutes = (t: string): number | undefined => {
      const m = clockTime.exec(t);
      if (!m) return undefined;
      const minutes = Number(m[1]) * 60 + Number(m[2]);
      return minutes <= 24 * 60 ? minutes : undefined;
    };
    const start = toMinutes(from);
    const end = toMinutes(to);
    if (start === undefined || end === undefined || start >= end) {
      ctx.addIssue({
        code: 'custom',
        message: `"${s}" is not a window that starts before it ends, within 00:00-24:00`,
      });
      return z.NEVER;
    }
    return { start, end };
  });

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-12-24');

const calendarSchema = z
  .object({
    timeZone: zone,
    hoursPerBusinessDay: z.number().positive().max(24).default(8),
    week: z.object(
      Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(hoursWindow).default([])])) as Record<
        Weekday,
        z.ZodDefault<z.ZodArray<typeof hoursWindow>>
      >,
    ),
    holidays: z.array(isoDate).default([]),
  })
  .superRefine((cal, ctx) => {
    for (const day of WEEKDAYS) {
      const windows = [...cal.week[day]].sort((a, b) => a.start - b.start);
      for (let i = 1; i < windows.length; i++) {
        if (windows[i]!.start < windows[i - 1]!.end) {
          ctx.addIssue({ code: 'custom', path: ['week', day], message: 'has overlapping windows' });
        }
      }
    }
    if (WEEKDAYS.every((d) => cal.week[d].length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['week'], message: 'has no business hours on any weekday' });
    }
  });
export type CalendarPolicy = z.output<typeof calendarSchema>;

/** "1h", "30m", "2d", "1d 4h": `d` means hoursPerBusinessDay on a business clock, 24 h on a wall clock. */
const durationSchema = z
  .string()
  .regex(/^\s*(\d+\s*[dhm]\s*)+$/, 'must be a duration like "30m", "4h", "2d" or "1d 4h"')
  .transform((s) => {
    const out = { days: 0, hours: 0, minutes: 0 };
    for (const m of s.matchAll(/(\d+)\s*([dhm])/g)) {
      const n = Number(m[1]);
      if (m[2] === 'd') out.days += n;
      else if (m[2] === 'h') out.hours += n;
      else out.minutes += n;
    }
    return out;
  })
  .refine((d) => d.days + d.hours + d.minutes > 0, 'must be longer than zero');
export type DurationPolicy = z.output<typeof durationSchema>;

const strings = z.array(z.string().min(1)).min(1);
const range = z
  .object({ min: z.number().int().nonnegative().optional(), max: z.number().int().nonnegative().optional() })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'min must not exceed max');

/** Criteria on lead fields; every key given must match (AND), any listed value matches (OR). */
const criteriaSchema = z
  .object({
    country: strings.optional(),
    region: strings.optional(),
    employees: range.optional(),
    industry: strings.optional(),
    persona: strings.optional(),
    source: strings.optional(),
    channel: strings.optional(),
    activity: strings.optional(),
    minScore: z.number().optional(),
  })
  .strict();
export type CriteriaPolicy = z.output<typeof criteriaSchema>;

const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id like U012ABCDEF');
const channelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a Slack channel id like C012ABCDEF');
const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be lower-case letters, digits, "_" or "-" (at most 40)');
const cronExpr = z.string().regex(/^(\S+\s+){4,5}\S+$/, 'must be a cron expression like "0 9 * * 1-5"');

/** At most this many open (undecided) handoffs at once; a rep at the cap is skipped like an away rep. */
const maxOpen = z.number().int().positive().max(10_000);

const repSchema = z.object({
  user: userId,
  name: z.string().min(1),
  weight: z.number().int().positive().max(100).default(1),
  timeZone: zone.optional(),
  active: z.boolean().default(true),
  maxOpen: maxOpen.optional(),
  /** The rep's e-mail, to match a CRM owner without asking Slack. */
  email: z.email({ error: 'must be an e-mail address' }).optional(),
});
export type RepPolicy = z.output<typeof repSchema>;

const teamSchema = z.object({
  id: slug,
  name: z.string().min(1),
  channel: channelId,
  manager: userId,
  managerName: z.string().min(1).optional(),
  calendar: slug.optional(),
  default: z.boolean().default(false),
  teamMayDecide: z.boolean().default(false),
  match: criteriaSchema.default({}),
  reps: z.array(repSchema).min(1),
  /** Every rep's cap unless the rep names their own. */
  maxOpenPerRep: maxOpen.optional(),
  /** Account matching for leads this team's criteria pick (README, "Routing"). */
  accounts: z
    .object({
      /** A lead of a company a rep already owns goes to that rep. */
      match: z.boolean().default(true),
      /** Such a lead counts as the owner's round-robin turn (false: it comes on top of their share). */
      countsAsTurn: z.boolean().default(true),
      /** The owner may be a rep of another team; the lead then goes to their team. */
      acrossTeams: z.boolean().default(false),
    })
    .default({ match: true, countsAsTurn: true, acrossTeams: false }),
  digest: z.object({ cron: cronExpr }).optional(),
});
export type TeamPolicy = z.output<typeof teamSchema>;

const pointsRule = z.object({ label: z.string().min(1), points: z.number().int() });

const profileRule = pointsRule.extend({
  field: z.enum(['title', 'industry', 'country', 'persona', 'employees', 'company', 'phone', 'source']),
  /** case-insensitive regular expression on a text field */
  pattern: z.string().optional(),
  in: strings.optional(),
  employees: range.optional(),
});

const negativeRule = pointsRule.extend({
  /** free-mail domains (gmail.com …) from the built-in list plus `domains` */
  freeMail: z.boolean().optional(),
  domains: z.array(z.string()).optional(),
  field: z.enum(['title', 'industry', 'company', 'email', 'country']).optional(),
  pattern: z.string().optional(),
});

const actionRule = pointsRule.extend({
  type: z.string().min(1),
  /** at most this many occurrences count (e.g. 3 pricing-page views) */
  max: z.number().int().positive().optional(),
});

const regexOk = (pattern: string | undefined): boolean => {
  if (pattern === undefined) return true;
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
};

// From the sources whether Baton runs from src/ or a dist/ build, so the build copies nothing.
const DOMAINS_FILE = path.resolve(import.meta.dirname, '../../src/config/data/personal-domains.txt');

/** Free-mail and disposable domains, kept as data (`src/config/data/personal-domains.txt`), read once. */
let builtInPersonalDomains: readonly string[] | undefined;
export function personalDomainList(): readonly string[] {
  builtInPersonalDomains ??= readFileSync(DOMAINS_FILE, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim().toLowerCase())
    .filter((line) => line !== '');
  return builtInPersonalDomains;
}

const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a domain like example.com');

const scoringSchema = z.object({
  threshold: z.number().int().positive(),
  requiredFields: z
    .array(z.enum(['firstName', 'lastName', 'title', 'company', 'email', 'phone', 'country', 'employees', 'industry']))
    .default(['firstName', 'lastName', 'title']),
  profile: z
    .array(
      profileRule.refine((r) => regexOk(r.pattern), {
        message: 'pattern is not a valid regular expression',
        path: ['pattern'],
      }),
    )
    .default([]),
  channel: z.array(pointsRule.extend({ channel: z.string().min(1) })).default([]),
  actions: z.array(actionRule).default([]),
  negatives: z
    .array(
      negativeRule.refine((r) => regexOk(r.pattern), {
        message: 'pattern is not a valid regular expression',
        path: ['pattern'],
      }),
    )
    .default([]),
  decay: z
    .union([
      z.object({ halfLifeDays: z.number().positive() }).strict(),
      z.object({ windowDays: z.number().positive() }).strict(),
    ])
    .optional(),
});
export type ScoringPolicy = z.output<typeof scoringSchema>;

const percent = z
  .string()
  .regex(/^\d{1,4}%$/, 'must be a percentage like "50%"')
  .transform((s) => Number(s.slice(0, -1)) / 100);

const stepSchema = z.object({
  at: percent,
  action: z.enum(['remind_rep', 'notify_manager', 'reassign', 'notify_marketing']),
  /** manager notices repeat until someone acts */
  repeatEvery: durationSchema.optional(),
});
export type StepPolicy = z.output<typeof stepSchema>;

const tierSchema = z.object({
  id: slug,
  match: criteriaSchema.default({}),
  target: durationSchema,
  clock: z.enum(['business', 'wall']).default('business'),
  steps: z.array(stepSchema).default([]),
});
export type TierPolicy = z.output<typeof tierSchema>;

const reasonSchema = z.object({
  id: slug,
  label: z.string().min(1).max(75),
  outcome: z.enum(['nurture', 'disqualify']),
  noteRequired: z.boolean().default(false),
});

/** A HubSpot contact property (`jobtitle`), or a property of its company (`company.name`). */
const hubspotSource = z
  .string()
  .regex(
    /^(company\.)?[a-z0-9_]{1,100}$/,
    'must be a HubSpot property name such as "jobtitle", or "company.name" for the associated company',
  );
const hubspotValue = z.string().min(1).max(100);

/** Baton's lead fields a HubSpot contact fills; each reads the first of its sources that has a value. */
export const HUBSPOT_FIELDS = PROFILE_LEAD_FIELDS;
export type HubspotField = (typeof HUBSPOT_FIELDS)[number];

export const DEFAULT_HUBSPOT_FIELDS: Record<HubspotField, string[]> = {
  email: ['email'],
  firstName: ['firstname'],
  lastName: ['lastname'],
  title: ['jobtitle'],
  company: ['company.name', 'company'],
  employees: ['company.numberofemployees', 'numemployees'],
  industry: ['company.industry', 'industry'],
  country: ['country', 'company.country'],
  phone: ['phone', 'mobilephone'],
  persona: ['hs_persona'],
  channel: ['hs_analytics_source'],
};

/** The HubSpot connector's rules (README, "Connecting HubSpot"); every key has a default. */
const hubspotPolicySchema = z
  .object({
    /** The lifecycle stage that means "marketing-qualified" (accounts may rename stages). */
    mqlStage: hubspotValue.default('marketingqualifiedlead'),
    /** More ways a contact becomes an MQL: any rule whose property holds one of its values. */
    mqlWhen: z
      .array(
        z
          .object({
            property: hubspotSource.refine((p) => !p.startsWith('company.'), 'must be a contact property'),
            in: z.array(hubspotValue).min(1),
          })
          .strict(),
      )
      .default([]),
    /** Lead field → HubSpot properties, first with a value wins; a field left out keeps its default. */
    fields: z
      .partialRecord(z.enum(HUBSPOT_FIELDS), z.array(hubspotSource).min(1))
      .default({})
      .transform((f) => ({ ...DEFAULT_HUBSPOT_FIELDS, ...f })),
    /** What HubSpot is told when a lead goes back to marketing (nurture). */
    nurture: z
      .object({ lifecycleStage: hubspotValue.default('lead'), leadStatus: hubspotValue.default('BAD_TIMING') })
      .strict()
      .default({ lifecycleStage: 'lead', leadStatus: 'BAD_TIMING' }),
  })
  .strict();
export type HubspotPolicy = z.output<typeof hubspotPolicySchema>;

export const policySchema = z
  .object({
    reportingTimeZone: zone,
    calendar: calendarSchema,
    calendars: z.record(slug, calendarSchema).default({}),
    regions: z.record(z.string().min(1), strings).default({}),
    marketing: z.object({
      channel: channelId,
      users: z.array(z.object({ user: userId, name: z.string().min(1) })).default([]),
    }),
    reports: z.object({ channel: channelId, digest: z.object({ cron: cronExpr }).optional() }),
    teams: z.array(teamSchema).min(1),
    scoring: scoringSchema,
    sla: z.object({ tiers: z.array(tierSchema).min(1) }),
    rejectionReasons: z.array(reasonSchema).min(1),
    lostReasons: z.array(z.object({ id: slug, label: z.string().min(1).max(75) })).default([]),
    sqlChecklist: z
      .array(z.object({ id: slug, label: z.string().min(1).max(75), required: z.boolean().default(false) }))
      .default([]),
    goals: z.object({ monthlyMqls: z.number().int().positive().optional() }).default({}),
    accounts: z
      .object({
        /** More domains that name a person, not a company, on top of the built-in list. */
        personalDomains: z.array(domainName).default([]),
      })
      .default({ personalDomains: [] })
      .transform((a) => ({ personalDomains: new Set([...personalDomainList(), ...a.personalDomains]) })),
    hubspot: hubspotPolicySchema.default(() => hubspotPolicySchema.parse({})),
  })
  .superRefine((p, ctx) => {
    const defaults = p.teams.filter((t) => t.default);
    if (defaults.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['teams'],
        message: `must have exactly one team with "default: true" (found ${defaults.length})`,
      });
    }
    const dup = <T>(items: readonly T[], key: (t: T) => string, path: (string | number)[], what: string): void => {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        const k = key(item);
        if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `repeats ${what} "${k}"` });
        seen.add(k);
      });
    };
    dup(p.teams, (t) => t.id, ['teams'], 'team id');
    dup(p.sla.tiers, (t) => t.id, ['sla', 'tiers'], 'tier id');
    dup(p.rejectionReasons, (r) => r.id, ['rejectionReasons'], 'reason id');
    p.teams.forEach((t, i) => {
      dup(t.reps, (r) => r.user, ['teams', i, 'reps'], 'rep');
      if (t.calendar !== undefined && !(t.calendar in p.calendars)) {
        ctx.addIssue({
          code: 'custom',
          path: ['teams', i, 'calendar'],
          message: `names calendar "${t.calendar}", which is not under "calendars"`,
        });
      }
      for (const r of t.match.region ?? []) {
        if (!(r in p.regions))
          ctx.addIssue({
            code: 'custom',
            path: ['teams', i, 'match', 'region'],
            message: `names region "${r}", which is not under "regions"`,
          });
      }
    });
    const last = p.sla.tiers[p.sla.tiers.length - 1];
    if (last && Object.keys(last.match).length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['sla', 'tiers', p.sla.tiers.length - 1, 'match'],
        message: 'the last tier is the default and must match every lead (no "match")',
      });
    }
  });

export type Policy = z.output<typeof policySchema>;

/** Reads and validates the policy file; every problem becomes one line of the ConfigError. */
export function loadPolicy(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`POLICY_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  return parsePolicy(text, path);
}

export function parsePolicy(text: string, origin = 'policy'): Policy {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    throw new ConfigError([
      `${origin}: is not valid YAML${where}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    ]);
  }
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(issuesToLines(parsed.error.issues, `${origin}: `));
  return parsed.data;
}
