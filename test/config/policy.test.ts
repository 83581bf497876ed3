import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ConfigError } from '../../src/config/errors.js';
import { parsePolicy } from '../../src/config/policy.js';

const EXAMPLE = readFileSync(path.resolve(import.meta.dirname, '../../policy.example.yml'), 'utf8');

function problems(mutate: (p: Record<string, unknown>) => void): string[] {
  const raw = parse(EXAMPLE) as Record<string, unknown>;
  mutate(raw);
  try {
    parsePolicy(stringify(raw), 'policy.yml');
  } catch (err) {
    if (err instanceof ConfigError) return err.lines;
    throw err;
  }
  return [];
}

type Obj = Record<string, unknown>;
const at = (o: Obj, ...keys: (string | number)[]): Obj =>
  keys.reduce<Obj>((acc, k) => (acc as Record<string | number, Obj>)[k]!, o);

describe('policy file', () => {
  it('the committed example exercises every feature and is valid', () => {
    const p = parsePolicy(EXAMPLE);
    expect(p.reportingTimeZone).toBe('Europe/Stockholm');
    expect(p.calendar.week.mon).toEqual([
      { start: 8 * 60, end: 12 * 60 },
      { start: 13 * 60, end: 17 * 60 },
    ]);
    expect(p.calendar.holidays.length).toBeGreaterThan(0);
    expect(Object.keys(p.calendars)).toContain('us-east');
    expect(p.teams.filter((t) => t.default)).toHaveLength(1);
    expect(p.teams.some((t) => t.calendar !== undefined)).toBe(true);
    expect(p.teams.flatMap((t) => t.reps).some((r) => !r.active)).toBe(true);
    expect(p.scoring.decay).toEqual({ halfLifeDays: 30 });
    expect(p.scoring.negatives.some((n) => n.freeMail)).toBe(true);
    expect(p.sla.tiers.some((t) => t.clock === 'wall')).toBe(true);
    expect(p.sla.tiers[1]!.target).toEqual({ days: 0, hours: 4, minutes: 0 });
    expect(p.sla.tiers[1]!.steps[1]).toEqual({
      at: 1,
      action: 'notify_manager',
      repeatEvery: { days: 0, hours: 2, minutes: 0 },
    });
    expect(new Set(p.rejectionReasons.map((r) => r.outcome))).toEqual(new Set(['nurture', 'disqualify']));
    expect(p.rejectionReasons.some((r) => r.noteRequired)).toBe(true);
    expect(p.sqlChecklist.some((c) => c.required)).toBe(true);
    expect(p.goals.monthlyMqls).toBe(400);
    expect(p.reports.digest?.cron).toBe('0 8 * * 1');
    expect(p.teams[0]!.reps[0]!.email).toBe('ana@example.com');
    expect(p.hubspot).toMatchObject({
      mqlStage: 'marketingqualifiedlead',
      mqlWhen: [{ property: 'lead_score_band', in: ['A'] }],
      nurture: { lifecycleStage: 'lead', leadStatus: 'BAD_TIMING' },
    });
    // A field the file leaves out keeps its default mapping.
    expect(p.hubspot.fields).toMatchObject({
      title: ['jobtitle'],
      employees: ['company.numberofemployees', 'numemployees'],
    });
  });

  it('gives the HubSpot connector a default for every key when the policy has no hubspot section', () => {
    const raw = parse(EXAMPLE) as Record<string, unknown>;
    delete raw.hubspot;
    expect(parsePolicy(stringify(raw)).hubspot).toMatchObject({
      mqlStage: 'marketingqualifiedlead',
      mqlWhen: [],
      fields: { email: ['email'], company: ['company.name', 'company'] },
      nurture: { lifecycleStage: 'lead' },
    });
  });

  it.each<[string, (p: Obj) => void, RegExp]>([
    [
      'unknown time zone',
      (p) => {
        p.reportingTimeZone = 'Mars/Olympus';
      },
      /^policy\.yml: reportingTimeZone: is not an IANA time zone/,
    ],
    [
      'malformed hours',
      (p) => {
        at(p, 'calendar', 'week').tue = ['9-17'];
      },
      /^policy\.yml: calendar\.week\.tue\[0\]: must look like "09:00-17:00"/,
    ],
    [
      'window ending before it starts',
      (p) => {
        at(p, 'calendar', 'week').wed = ['17:00-09:00'];
      },
      /calendar\.week\.wed\[0\]: "17:00-09:00" is not a window/,
    ],
    [
      'overlapping windows',
      (p) => {
        at(p, 'calendar', 'week').thu = ['08:00-12:00', '11:00-13:00'];
      },
      /calendar\.week\.thu: has overlapping windows/,
    ],
    [
      'bad holiday',
      (p) => {
        at(p, 'calendar').holidays = ['24/12/2026'];
      },
      /calendar\.holidays\[0\]: must be a date/,
    ],
    [
      'no default team',
      (p) => {
        at(p, 'teams', 2).default = false;
      },
      /^policy\.yml: teams: must have exactly one team with "default: true" \(found 0\)/,
    ],
    [
      'unknown calendar on a team',
      (p) => {
        at(p, 'teams', 0).calendar = 'apac';
      },
      /teams\[0\]\.calendar: names calendar "apac"/,
    ],
    [
      'unknown region on a team',
      (p) => {
        at(p, 'teams', 1, 'match').region = ['apac'];
      },
      /teams\[1\]\.match\.region: names region "apac"/,
    ],
    [
      'bad user id',
      (p) => {
        at(p, 'teams', 0, 'reps', 0).user = 'ana';
      },
      /teams\[0\]\.reps\[0\]\.user: must be a Slack user id/,
    ],
    [
      'bad channel id',
      (p) => {
        at(p, 'marketing').channel = '#marketing';
      },
      /marketing\.channel: must be a Slack channel id/,
    ],
    [
      'bad duration',
      (p) => {
        at(p, 'sla', 'tiers', 2).target = 'two days';
      },
      /sla\.tiers\[2\]\.target: must be a duration/,
    ],
    [
      'bad step percent',
      (p) => {
        (at(p, 'sla', 'tiers', 2).steps as Obj[])[0]!.at = 'half';
      },
      /sla\.tiers\[2\]\.steps\[0\]\.at: must be a percentage/,
    ],
    [
      'default tier with criteria',
      (p) => {
        at(p, 'sla', 'tiers', 2).match = { country: ['SE'] };
      },
      /sla\.tiers\[2\]\.match: the last tier is the default/,
    ],
    [
      'unknown outcome',
      (p) => {
        (p.rejectionReasons as Obj[])[0]!.outcome = 'delete';
      },
      /rejectionReasons\[0\]\.outcome:/,
    ],
    [
      'bad regex',
      (p) => {
        (at(p, 'scoring').negatives as Obj[])[1]!.pattern = '(unclosed';
      },
      /scoring\.negatives\[1\]\.pattern: pattern is not a valid regular expression/,
    ],
    [
      'unknown criteria key',
      (p) => {
        at(p, 'teams', 0).match = { size: 3 };
      },
      /teams\[0\]\.match: Unrecognized key/,
    ],
    [
      'missing scoring',
      (p) => {
        delete p.scoring;
      },
      /^policy\.yml: scoring: /,
    ],
    [
      'bad rep e-mail',
      (p) => {
        at(p, 'teams', 0, 'reps', 0).email = 'ana at example';
      },
      /teams\[0\]\.reps\[0\]\.email: must be an e-mail address/,
    ],
    [
      'HubSpot property that is not a name',
      (p) => {
        at(p, 'hubspot', 'fields').title = ['Job Title'];
      },
      /hubspot\.fields\.title\[0\]: must be a HubSpot property name/,
    ],
    [
      'unknown lead field in the HubSpot mapping',
      (p) => {
        at(p, 'hubspot', 'fields').budget = ['budget'];
      },
      /hubspot\.fields/,
    ],
  ])('%s stops start-up with one line naming the key', (_name, mutate, line) => {
    const lines = problems(mutate);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });

  it('names the line of a YAML syntax error', () => {
    expect(() => parsePolicy('teams: [\n  - id: x\n', 'policy.yml')).toThrow(
      /policy\.yml: is not valid YAML at line \d/,
    );
  });
});
