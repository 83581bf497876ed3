import { describe, expect, it } from 'vitest';
import type { LeadProfile } from '../../src/domain/lead.js';
import { decideMql, formatBreakdown, scoreLead } from '../../src/domain/scoring.js';
import { examplePolicy } from '../helpers/app.js';

const { scoring, accounts } = examplePolicy();
const NOW = new Date('2026-11-22T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
const person = { firstName: 'Ana', lastName: 'Andersson', title: 'VP Sales', email: 'ana@acme.io' };
const lead = (over: Partial<LeadProfile>): LeadProfile => ({ ...person, activities: [], ...over });

describe('scoring', () => {
  it.each<[string, LeadProfile, number, boolean, string[]]>([
    // 20 senior title + 30 demo request (today) + 10 referral = 60 ≥ 50
    [
      'a fresh demo request from a VP is an MQL',
      lead({ channel: 'referral', activities: [{ type: 'demo_request', at: NOW }] }),
      60,
      true,
      ['+20 senior title', '+10 referral', '+30 demo request'],
    ],
    // 20 + 30 + 10×3 pricing views (capped at 3 of 4) − 20 free mail = 60
    [
      'pricing views are capped; free mail costs 20',
      lead({
        email: 'ana@gmail.com',
        activities: [{ type: 'demo_request', at: NOW }, ...[0, 0, 0, 0].map(() => ({ type: 'pricing_page', at: NOW }))],
      }),
      60,
      true,
      ['+20 senior title', '+30 demo request', '+30 pricing page ×3', '\u221220 free-mail address'],
    ],
    // 30 demo − 30 student − 20 free mail = −20
    [
      'a student on free mail is no MQL candidate, however active',
      lead({ title: 'Student', email: 'kid@hotmail.com', activities: [{ type: 'demo_request', at: NOW }] }),
      -20,
      false,
      ['+30 demo request', '\u221220 free-mail address', '\u221230 student or intern'],
    ],
    // halfLife 30 d: a demo 60 d ago is worth 30 × ¼ = 7.5 → 8; 20 + 8 = 28
    [
      'an old demo request has decayed',
      lead({ activities: [{ type: 'demo_request', at: daysAgo(60) }] }),
      28,
      false,
      ['+20 senior title', '+8 demo request'],
    ],
    // the freshest 3 pricing views count: 10 + 10×0.5^(30/30) + 10×0.5^(60/30) = 10 + 5 + 2.5 = 17.5 → 18
    [
      'the freshest occurrences count under a cap',
      lead({ title: 'Engineer', activities: [0, 30, 60, 90].map((d) => ({ type: 'pricing_page', at: daysAgo(d) })) }),
      18,
      false,
      ['+18 pricing page ×3'],
    ],
    [
      'future-dated activity counts as new',
      lead({ title: 'Engineer', activities: [{ type: 'webinar', at: daysAgo(-3) }] }),
      5,
      false,
      ['+5 webinar'],
    ],
    [
      'a competitor is sunk',
      lead({ email: 'spy@competitor.com', activities: [{ type: 'demo_request', at: NOW }] }),
      -50,
      false,
      ['+20 senior title', '+30 demo request', '\u2212100 competitor'],
    ],
    [
      'employees range and industry list',
      lead({ title: 'Engineer', employees: 500, industry: 'SaaS' }),
      20,
      false,
      ['+10 200+ employees', '+10 target industry'],
    ],
  ])('%s', (_name, l, score, isMql, lines) => {
    const r = scoreLead(scoring, l, NOW, accounts.personalDomains);
    expect(r.score).toBe(score);
    expect(r.isMql).toBe(isMql);
    expect(formatBreakdown(r.breakdown)).toEqual(lines);
  });

  it('a window decay counts nothing older than the window', () => {
    const r = scoreLead(
      { ...scoring, decay: { windowDays: 90 } },
      lead({
        title: 'Engineer',
        activities: [
          { type: 'demo_request', at: daysAgo(91) },
          { type: 'webinar', at: daysAgo(89) },
        ],
      }),
      NOW,
      accounts.personalDomains,
    );
    expect(formatBreakdown(r.breakdown)).toEqual(['+5 webinar']);
  });

  it('missing required fields block an MQL whatever the score', () => {
    const r = scoreLead(
      scoring,
      lead({
        lastName: undefined,
        title: '',
        activities: [
          { type: 'demo_request', at: NOW },
          { type: 'pricing_page', at: NOW },
        ],
      }),
      NOW,
      accounts.personalDomains,
    );
    expect(r.missingFields).toEqual(['lastName', 'title']);
    expect(r.isMql).toBe(false);
  });

  it('"mql": true from the sender decides, and false does not veto', () => {
    const low = scoreLead(scoring, lead({}), NOW, accounts.personalDomains);
    expect(decideMql(low, true)).toBe(true);
    expect(decideMql(low, undefined)).toBe(false);
    const high = scoreLead(
      scoring,
      lead({ activities: [{ type: 'demo_request', at: NOW }] }),
      NOW,
      accounts.personalDomains,
    );
    expect(decideMql(high, false)).toBe(true);
  });
});
