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
const COMPANIES = ['Nordlys', 'Fjällräv Data', 'Kustbyrån', 'Polaris Cloud', 'Granit Finans', 'Skärgård Labs', 'Ljusa Systems', 'Tundra AI'];
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
    email: `${first}.${last}@${company.replace(/[^A-Za-z]/g, '').toLowerCase()}.example`.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, ''),
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

/** `count` leads spread over the 90 days before `now`, each with a plausible stage history. */
export function demoHistory(policy: Policy, now: Date, count = 300): Record<string, unknown>[] {
  const random = prng(20261123);
  const reasons = policy.rejectionReasons.filter((r) => !r.noteRequired);
  const leads: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i += 1) {
    const team = pick(random, policy.teams);
    const owner = pick(random, team.reps.filter((r) => r.active)).user;
    const created = new Date(now.getTime() - (1 + random() * 89) * 24 * HOUR);
    let at = created.getTime();
    const next = (maxHours: number): string => {
      at = Math.min(at + (0.2 + random() * maxHours) * HOUR, now.getTime() - 60_000);
      return new Date(at).toISOString();
    };
    const history: Record<string, unknown>[] = [{ stage: 'mql', at: created.toISOString(), team: team.id, owner }];
    // Only last week's leads may still wait for a decision, so "overdue now" stays believable.
    const roll = now.getTime() - created.getTime() < 7 * 24 * HOUR ? random() : random() * 0.9;
    if (roll < 0.2 && reasons.length > 0) {
      history.push({ stage: 'rejected', at: next(30), by: owner, reason: pick(random, reasons).id });
    } else if (roll < 0.9) {
      history.push({ stage: 'sal', at: next(20), by: owner });
      if (random() < 0.6) {
        history.push({ stage: 'sql', at: next(24 * 7), by: owner });
        if (random() < 0.6) {
          history.push({ stage: 'opportunity', at: next(24 * 10), by: owner });
          const won = random() < 0.45 || policy.lostReasons.length === 0;
          if (random() < 0.7) history.push(won ? { stage: 'customer', at: next(24 * 20), by: owner } : { stage: 'lost', at: next(24 * 20), reason: pick(random, policy.lostReasons).id, by: owner });
        }
      }
    }
    const first = pick(random, FIRST);
    const last = pick(random, LAST);
    leads.push({
      externalId: `sandbox-demo-${i}`,
      source: 'sandbox-demo',
      firstName: first,
      lastName: last,
      title: pick(random, TITLES),
      company: `${pick(random, COMPANIES)} ${i}`,
      employees: 50 + Math.floor(random() * 3000),
      country: pick(random, ['SE', 'NO', 'US', 'DE', 'CA']),
      channel: pick(random, ['organic_search', 'paid_search', 'referral']),
      mql: true,
      createdAt: created.toISOString(),
      history,
    });
  }
  return leads;
}
