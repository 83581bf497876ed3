import { describe, expect, it } from 'vitest';
import { demoHistory, sampleLead } from '../../src/sandbox/samples.js';
import { examplePolicy } from '../helpers/app.js';

/* The sandbox's demo quarter has to look like a real one to someone meeting Baton. */
describe('demo history', () => {
  const now = new Date('2026-11-25T13:00:00Z');
  const leads = demoHistory(examplePolicy(), now) as {
    company: string;
    email: string;
    mql?: boolean;
    history: { stage: string }[];
  }[];
  const stages = (l: (typeof leads)[number]): string[] => l.history.map((h) => h.stage);

  it('most leads never qualify; of the MQLs some are rejected, some recycled and handed over again, few become customers', () => {
    const mqls = leads.filter((l) => stages(l).includes('mql'));
    expect(leads).toHaveLength(300);
    expect(mqls.length / leads.length).toBeGreaterThan(0.3);
    expect(mqls.length / leads.length).toBeLessThan(0.6);
    expect(mqls.filter((l) => stages(l).includes('rejected')).length).toBeGreaterThan(10);
    expect(mqls.filter((l) => stages(l).filter((s) => s === 'mql').length === 2).length).toBeGreaterThan(0);
    const customers = mqls.filter((l) => stages(l).includes('customer')).length;
    expect(customers).toBeGreaterThan(0);
    expect(customers).toBeLessThan(mqls.length / 4);
    expect(leads.filter((l) => l.mql === true)).toHaveLength(mqls.length);
  });

  it('companies have names, not numbers; addresses keep å, ä and ö as letters', () => {
    expect(leads.some((l) => /\d/.test(l.company))).toBe(false);
    expect(new Set(leads.map((l) => l.company)).size).toBeGreaterThan(50);
    const skargard = leads.find((l) => l.company.startsWith('Skärgård'));
    expect(skargard?.email).toMatch(/@skargard[a-z]+\.example$/);
    expect(String(sampleLead(now).email)).toMatch(/^[a-z]+\.[a-z]+@[a-z]+\.example$/);
  });
});
