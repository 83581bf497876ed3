import { prng } from '../../src/sandbox/prng.js';
import { INTAKE_TOKEN, type BatonWithSlack } from './app.js';

const TEAMS: Record<string, string[]> = {
  enterprise: ['U0ANA', 'U0BO'],
  'north-america': ['U0CARL', 'U0DANA'],
  smb: ['U0EVA', 'U0FILIP'],
};
const REJECT = ['not-icp', 'no-budget', 'bad-timing', 'wrong-contact', 'bad-data', 'duplicate', 'existing-customer'];
const LOST = ['price', 'competitor', 'no-decision'];
const CHANNELS = ['paid_search', 'referral', 'webinar', 'organic', 'events'];
const HOUR = 3600_000;

export interface ImportLineOptions {
  /** Leads are created evenly over [from, to). */
  from: Date;
  to: Date;
  seed?: number;
  prefix?: string;
}

/**
 * Import lines with realistic histories, the mix of bench:reports: 40 % become MQLs, 70 % of
 * decisions accept, some rejected leads come back for a second handoff, accepted ones go on to
 * SQL, opportunity, customer or lost. Deterministic for a seed; steps are hours to days apart,
 * so a span across March/October/November and December crosses DST changes and holidays.
 */
export function* importLines(count: number, opts: ImportLineOptions): Generator<Record<string, unknown>> {
  const rand = prng(opts.seed ?? 17);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const span = opts.to.getTime() - opts.from.getTime();
  const prefix = opts.prefix ?? 'gen';
  for (let i = 0; i < count; i++) {
    let t = opts.from.getTime() + Math.floor((span * i) / count);
    const createdAt = new Date(t).toISOString();
    const next = (maxHours: number): string => {
      t += Math.floor(HOUR / 4 + rand() * maxHours * HOUR);
      return new Date(t).toISOString();
    };
    const history: Record<string, unknown>[] = [];
    const handoff = (): 'accepted' | 'nurture' | 'disqualified' => {
      const team = pick(Object.keys(TEAMS));
      const owner = pick(TEAMS[team]!);
      history.push({ stage: 'mql', at: next(48), team, owner });
      if (rand() < 0.7) {
        history.push({ stage: 'sal', at: next(30), by: owner });
        return 'accepted';
      }
      const reason = pick(REJECT);
      history.push({
        stage: 'rejected',
        at: next(30),
        by: owner,
        reason,
        note: reason === 'bad-timing' ? 'call again next quarter' : undefined,
      });
      return ['not-icp', 'bad-data', 'duplicate', 'existing-customer'].includes(reason) ? 'disqualified' : 'nurture';
    };
    if (rand() < 0.4) {
      let outcome = handoff();
      if (outcome === 'nurture' && rand() < 0.3) outcome = handoff();
      if (outcome === 'accepted' && rand() < 0.6) {
        history.push({ stage: 'sql', at: next(200) });
        if (rand() < 0.5) {
          history.push({ stage: 'opportunity', at: next(300) });
          history.push(
            rand() < 0.5 ? { stage: 'customer', at: next(700) } : { stage: 'lost', at: next(700), reason: pick(LOST) },
          );
        }
      }
    }
    yield {
      externalId: `${prefix}-${i}`,
      source: 'crm',
      email: `${prefix}-${i}@example.com`,
      firstName: 'Lee',
      lastName: `Gen${i}`,
      title: pick(['VP Sales', 'Head of Marketing', 'Engineer', 'CEO']),
      company: `Company ${i % 997}`,
      employees: Math.floor(rand() * 5000),
      country: pick(['SE', 'US', 'DE', 'GB']),
      channel: pick(CHANNELS),
      createdAt,
      history,
    };
  }
}

/** An import line for a lead at acme.io named after its id, created at `createdAt` with this history. */
export const historyLead = (
  id: string,
  createdAt: string,
  history: unknown[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  externalId: id,
  source: 'crm',
  email: `${id}@acme.io`,
  firstName: 'Rep',
  lastName: id,
  title: 'VP Sales',
  createdAt,
  history,
  ...extra,
});

/** Sends these lines to the app's import API as NDJSON; resolves with its answer. */
export async function importHistory(env: BatonWithSlack, lines: readonly unknown[]): Promise<unknown> {
  const res = await fetch(`${env.baton.url}/api/leads/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/x-ndjson' },
    body: lines.map((l) => JSON.stringify(l)).join('\n'),
  });
  return res.json();
}
