import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLeads, formatCheckTable } from '../../src/services/policy-check.js';
import { examplePolicy, REPO_ROOT } from '../helpers/app.js';

const NOW = new Date('2026-11-30T09:00:00Z');
const sample = readFileSync(path.join(REPO_ROOT, 'docs/sample-leads.ndjson'), 'utf8');

describe('npm run policy:check', () => {
  it('puts each sample lead where the intake would, in file order, and reports a bad line by its number', () => {
    const rows = checkLeads(examplePolicy(), sample, NOW);
    expect(rows.map((r) => [r.line, r.lead, r.score, r.mql, r.team, r.tier, r.rep, r.why])).toEqual([
      [1, 'ana@bigbank.se', 70, true, 'enterprise', 'demo', 'Ana', 'round-robin'],
      [2, 'bo@shop.de', 35, false, 'smb', 'standard', 'Eva', 'round-robin'],
      [3, 'cy@gmail.com', -20, true, 'north-america', 'standard', 'Carl', 'round-robin'],
      [4, 'di@smallco.io', 20, true, 'smb', 'standard', 'Filip', 'CRM owner'],
      [5, 'ed@smallco.io', 0, true, 'enterprise', 'standard', 'Ana', 'account owner (CRM)'],
      [
        6,
        '—',
        null,
        null,
        '—',
        '—',
        '—',
        'invalid: employees must be a number of employees, like 250 (a JSON number, not "250" or a range such as "50-200")',
      ],
    ]);
  });

  it('caps fill as the file goes: with every lead still open, the overflow goes to the manager', () => {
    const policy = examplePolicy();
    policy.teams.find((t) => t.id === 'north-america')!.maxOpenPerRep = 1;
    const us = Array.from({ length: 3 }, (_, i) =>
      JSON.stringify({ email: `u${i}@us${i}.com`, country: 'US', mql: true }),
    ).join('\n');
    expect(checkLeads(policy, us, NOW).map((r) => `${r.rep}: ${r.why}`)).toEqual([
      'Carl: round-robin',
      'Dana: round-robin: Carl at cap',
      "Nina Northam (manager): manager's queue, every rep away or at cap: Carl at cap, Dana at cap",
    ]);
  });

  it('prints a table that reviews as a diff: one lead a line, columns aligned', () => {
    const table = formatCheckTable(checkLeads(examplePolicy(), sample, NOW).slice(0, 2)).split('\n');
    expect(table).toEqual([
      'line  lead            score  mql  team        tier      rep  why',
      '1     ana@bigbank.se  70     yes  enterprise  demo      Ana  round-robin',
      '2     bo@shop.de      35     no   smb         standard  Eva  round-robin',
    ]);
  });
});
