import type { Policy } from '../config/policy.js';
import { previewRoute } from '../domain/preview.js';
import { describeRouting, shortRepName, type RepTally, type RoutingFacts } from '../domain/routing.js';
import { routeQuerySchema } from '../http/schemas/route.js';
import { newLeadProfile } from './intake.js';

export interface CheckRow {
  /** 1-based line of the leads file. */
  line: number;
  lead: string;
  score: number | null;
  mql: boolean | null;
  team: string;
  tier: string;
  rep: string;
  why: string;
}

/**
 * Where each sample lead (NDJSON, one lead a line, as `POST /api/leads` takes it) would go under a
 * policy, in file order, from a fresh start: nobody away, no account owners yet, counters at zero,
 * every lead still open (so caps fill). Plain data in and out, so a change reviews as a diff.
 */
export function checkLeads(policy: Policy, ndjson: string, now: Date): CheckRow[] {
  const facts: RoutingFacts & { open: Record<string, number> } = {
    away: new Set(),
    open: {},
    accountOwners: new Map(),
  };
  const counters: Record<string, Record<string, RepTally>> = Object.fromEntries(policy.teams.map((t) => [t.id, {}]));
  const rows: CheckRow[] = [];
  ndjson.split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    const invalid = (why: string): void => {
      rows.push({
        line: i + 1,
        lead: '—',
        score: null,
        mql: null,
        team: '—',
        tier: '—',
        rep: '—',
        why: `invalid: ${why}`,
      });
    };
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      invalid('not JSON');
      return;
    }
    const parsed = routeQuerySchema.safeParse(raw);
    if (!parsed.success) {
      invalid(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(lead)'} ${issue.message}`).join('; '));
      return;
    }
    const { profile } = newLeadProfile(parsed.data, policy.accounts.personalDomains);
    const p = previewRoute(policy, profile, now, facts, counters, parsed.data.mql);
    const { team, repUserId } = p.decision;
    const rep =
      repUserId === team.manager ? `${team.managerName ?? team.manager} (manager)` : shortRepName(policy, repUserId);
    rows.push({
      line: i + 1,
      lead: parsed.data.email ?? parsed.data.externalId ?? '—',
      score: p.score.score,
      mql: p.mql,
      team: team.id,
      tier: p.tier.id,
      rep,
      why: describeRouting(p.decision, (u) => shortRepName(policy, u)),
    });
  });
  return rows;
}

/** The rows as a fixed-width text table, one lead a line. */
export function formatCheckTable(rows: readonly CheckRow[]): string {
  const head = ['line', 'lead', 'score', 'mql', 'team', 'tier', 'rep', 'why'];
  const cells = rows.map((r) => [
    String(r.line),
    r.lead,
    r.score === null ? '—' : String(r.score),
    r.mql === null ? '—' : r.mql ? 'yes' : 'no',
    r.team,
    r.tier,
    r.rep,
    r.why,
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const line = (row: readonly string[]): string =>
    row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ');
  return [line(head), ...cells.map(line)].join('\n');
}
