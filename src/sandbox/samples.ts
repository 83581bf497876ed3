import { randomUUID } from 'node:crypto';
import type { Policy } from '../config/policy.js';
import { prng } from './prng.js';

/*
 * Made-up leads for the sandbox: one live lead for "Send a sample lead", and a quarter of history
 * for "Load demo history" so /funnel and /velocity have figures. Data only; it goes through the
 * same public API (POST /api/leads, POST /api/leads/import) an integration would use.
 */

const FIRST = ['Alva', 'Noah', 'Elsa', 'Liam', 'Maja', 'Hugo', 'Saga', 'Oscar', 'Ebba', 'Leo', 'Wilma', 'Axel'];
const LAST = ['Lind', 'Holm', 'Ström', 'Berg', 'Dahl', 'Sjöberg', 'Wik', 'Nyberg', 'Ekström', 'Falk'];
const COMPANIES = [
  'Nordlys',
  'Fjällräv Data',
  'Kustbyrån',
  'Polaris Cloud',
  'Granit Finans',
  'Skärgård Labs',
  'Ljusa Systems',
  'Tundra AI',
];
// Demo companies: a name and a kind, so a quarter of leads reads like a market, not "Polaris Cloud 280".
const NAMES = [
  'Björkvik',
  'Alvik',
  'Saltsjö',
  'Vinga',
  'Ekhagen',
  'Norrsken',
  'Fjällräv',
  'Kustbyrån',
  'Granit',
  'Skärgård',
  'Ljusa',
  'Tundra',
  'Älvdal',
  'Hamnen',
  'Stenbro',
  'Lövön',
];
const KINDS = ['AB', 'Data', 'Labs', 'Systems', 'Finans', 'Logistik', 'Health', 'Group', 'Cloud', 'Energi'];

/** An address from a person and a company, letters only: å, ä and ö become a, a and o rather than vanish. */
const emailOf = (first: string, last: string, company: string): string => {
  const ascii = (t: string): string =>
    t
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
  return `${ascii(first)}.${ascii(last)}@${ascii(company).replace(/[^a-z]/g, '')}.example`;
};
const TITLES = ['VP Sales', 'Head of Marketing', 'Director of Operations', 'CTO', 'Sales Manager', 'Team Lead'];

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

/** A large Nordic company asking for a demo: an MQL for the first team whose criteria fit. */
export function sampleLead(now: Date): Record<string, unknown> {
  const random = prng(now.getTime());
  const first = pick(random, FIRST);
  const last = pick(random, LAST);
  const company = pick(random, COMPANIES);
  return {
    externalId: `sandbox-${randomUUID()}`,
    source: 'sandbox',
    email: emailOf(first, last, company),
    firstName: first,
    lastName: last,
    title: pick(random, TITLES.slice(0, 4)),
    company,
    employees: 1200 + Math.floor(random() * 3000),
    industry: 'software',
    country: 'SE',
    channel: 'organic_search',
    activities: [{ type: 'demo_request', at: new Date(now.getTime() - 5 * 60_000).toISOString() }],
  };
}

const HOUR = 3_600_000;

/**
 * `count` leads spread over the 90 days before `now`, shaped like a real quarter: most leads
 * never qualify; of the MQLs most are accepted, some rejected (a few of those recycled and
 * handed over again), some decided late against the SLA; few reach customer.
 */
export function demoHistory(policy: Policy, now: Date, count = 300): Record<string, unknown>[] {
  const random = prng(20261123);
  const reasons = policy.rejectionReasons.filter((r) => !r.noteRequired);
  const leads: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i += 1) {
    const team = pick(random, policy.teams);
    const owner = pick(
      random,
      team.reps.filter((r) => r.active),
    ).user;
    const created = new Date(now.getTime() - (1 + random() * 89) * 24 * HOUR);
    let at = created.getTime();
    const next = (maxHours: number): string => {
      at = Math.min(at + (0.2 + random() * maxHours) * HOUR, now.getTime() - 60_000);
      return new Date(at).toISOString();
    };
    // A decision: mostly within a working day, one in four days later (an SLA missed).
    const decide = (): string => next(random() < 0.25 ? 24 * 5 : 6);
    const qualifies = random() < 0.45;
    const history: Record<string, unknown>[] = [];
    if (qualifies) {
      history.push({ stage: 'mql', at: next(24 * 3), team: team.id, owner });
      // Only last week's leads may still wait for a decision, so "overdue now" stays believable.
      const roll = now.getTime() - at < 7 * 24 * HOUR ? random() : random() * 0.92;
      if (roll < 0.22 && reasons.length > 0) {
        const reason = pick(random, reasons);
        history.push({ stage: 'rejected', at: decide(), by: owner, reason: reason.id });
        // Recycled: marketing nurtures it and hands it over again, and this time sales takes it.
        if (reason.outcome === 'nurture' && random() < 0.4 && now.getTime() - at > 14 * 24 * HOUR) {
          history.push({ stage: 'mql', at: next(24 * 10), team: team.id, owner });
          history.push({ stage: 'sal', at: decide(), by: owner });
        }
      } else if (roll < 0.92) {
        history.push({ stage: 'sal', at: decide(), by: owner });
        if (random() < 0.5) {
          history.push({ stage: 'sql', at: next(24 * 7), by: owner });
          if (random() < 0.5) {
            history.push({ stage: 'opportunity', at: next(24 * 10), by: owner });
            const won = random() < 0.4 || policy.lostReasons.length === 0;
            if (random() < 0.7)
              history.push(
                won
                  ? { stage: 'customer', at: next(24 * 20), by: owner }
                  : { stage: 'lost', at: next(24 * 20), reason: pick(random, policy.lostReasons).id, by: owner },
              );
          }
        }
      }
    }
    const first = pick(random, FIRST);
    const last = pick(random, LAST);
    const company = `${pick(random, NAMES)} ${pick(random, KINDS)}`;
    leads.push({
      externalId: `sandbox-demo-${i}`,
      source: 'sandbox-demo',
      email: emailOf(first, last, company),
      firstName: first,
      lastName: last,
      title: pick(random, TITLES),
      company,
      employees: 50 + Math.floor(random() * 3000),
      country: pick(random, ['SE', 'NO', 'US', 'DE', 'CA']),
      channel: pick(random, ['organic_search', 'paid_search', 'referral']),
      // A qualified lead looks like one: it asked for a demo, so its score clears the threshold.
      ...(qualifies ? { mql: true, activities: [{ type: 'demo_request', at: created.toISOString() }] } : {}),
      createdAt: created.toISOString(),
      history,
    });
  }
  return leads;
}
