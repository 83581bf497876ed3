import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';
import { loadPolicy } from '../config/policy.js';
import { checkLeads, formatCheckTable } from '../services/policy-check.js';

/**
 * `npm run policy:check -- policy.yml [leads.ndjson]`: validates a policy (one line per problem,
 * exit 1) and, given sample leads, prints where each would go under it. Exit 1 when a lead is invalid.
 */
function run(args: readonly string[]): number {
  const [policyPath, leadsPath] = args;
  if (policyPath === undefined) {
    process.stderr.write('usage: npm run policy:check -- policy.yml [leads.ndjson]\n');
    return 2;
  }
  const policy = loadPolicy(policyPath);
  const reps = policy.teams.reduce((n, t) => n + t.reps.length, 0);
  process.stdout.write(
    `${policyPath}: valid (${policy.teams.length} teams, ${reps} reps, ${policy.sla.tiers.length} SLA tiers)\n`,
  );
  if (leadsPath === undefined) return 0;
  const rows = checkLeads(policy, readFileSync(leadsPath, 'utf8'), new Date());
  process.stdout.write(`${formatCheckTable(rows)}\n`);
  return rows.some((r) => r.why.startsWith('invalid:')) ? 1 : 0;
}

try {
  process.exitCode = run(process.argv.slice(2));
} catch (err) {
  process.stderr.write(
    err instanceof ConfigError
      ? err.lines.map((l) => `policy error: ${l}\n`).join('')
      : `policy check failed: ${String(err)}\n`,
  );
  process.exitCode = 1;
}
