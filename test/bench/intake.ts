/*
 * bench:intake — POST /api/leads over HTTP against the Postgres server for at least 30 seconds.
 * Baton runs as its own process (as in production); autocannon drives it from this one. The mix
 * is realistic: about half the leads qualify (spread over the teams by size and country), the
 * rest are stored and scored only (BENCH_MQL_PERCENT changes the share). Prints sustained
 * leads/s, latency p50/p99 and Baton's peak RSS. BENCH_PROFILE=1 writes a CPU profile to /tmp/prof.
 */
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { scratchServerDatabase } from '../helpers/db.js';
import { batonEnv, freePort, spawnBaton, waitForStatus } from '../helpers/process.js';
import { cpuSecondsByName, cpuSecondsOf, cpuSecondsSince, rssOf } from './measure.js';
import { startSlackStandIn } from '../helpers/slack-standin.js';
import { INTAKE_TOKEN } from '../helpers/app.js';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

const COUNTRIES = ['SE', 'DE', 'US', 'CA', 'GB', 'FR', 'NO'];
function lead(i: number): string {
  const qualifies = i % 100 < Number(process.env.BENCH_MQL_PERCENT ?? 50);
  return JSON.stringify({
    externalId: `bench-${i}`,
    source: 'bench',
    email: `bench${i}@company${i % 997}.io`,
    firstName: 'Bench',
    lastName: `Lead ${i}`,
    title: qualifies ? 'VP Marketing' : 'Engineer',
    company: `Company ${i % 997}`,
    employees: [20, 150, 2500][i % 3],
    country: COUNTRIES[i % COUNTRIES.length],
    channel: 'referral',
    activities: qualifies
      ? [{ type: 'demo_request', at: new Date().toISOString() }]
      : [{ type: 'webinar', at: new Date().toISOString() }],
  });
}

async function main(): Promise<void> {
  const scratch = await scratchServerDatabase('baton_bench_intake', SERVER);
  const slack = await startSlackStandIn();
  const port = await freePort();
  const baton = spawnBaton(
    batonEnv(slack.url, port, { DATABASE_URL: scratch.url }),
    process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [],
  );
  try {
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 30_000);
    let i = 0;
    const cpuBefore = cpuSecondsOf(baton.child.pid!);
    const pgBefore = cpuSecondsByName('postgres');
    const selfBefore = process.cpuUsage();
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/api/leads`,
      method: 'POST',
      connections: CONNECTIONS,
      duration: DURATION_S,
      headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
      requests: [{ setupRequest: (req) => ({ ...req, body: lead(i++) }) }],
    });
    const rss = rssOf(baton.child.pid!);
    const cpu = (cpuSecondsOf(baton.child.pid!) - cpuBefore) / DURATION_S;
    const pg = cpuSecondsSince(pgBefore, 'postgres') / DURATION_S;
    const selfUsage = process.cpuUsage(selfBefore);
    const driver = (selfUsage.user + selfUsage.system) / 1e6 / DURATION_S;
    const perLead = (share: number): string =>
      ((share * 1000 * DURATION_S) / Math.max(1, result.requests.total)).toFixed(2);
    const non2xx = result.non2xx + result.errors + result.timeouts;
    console.log(
      `machine: ${process.env.BENCH_MACHINE ?? 'this machine'}, node ${process.version}, ${CONNECTIONS} connections, ${DURATION_S} s`,
    );
    console.log(`requests: ${result.requests.total} (non-2xx, errors or timeouts: ${non2xx})`);
    console.log(`rate: ${(result.requests.total / DURATION_S).toFixed(0)} leads/s sustained`);
    console.log(`latency: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
    console.log(
      `CPU (of the machine's ${availableParallelism()} cores): Baton ${(cpu * 100).toFixed(0)} % of a core (${perLead(cpu)} ms per lead), PostgreSQL ${(pg * 100).toFixed(0)} % (${perLead(pg)} ms per lead), load generator and Slack stand-in ${(driver * 100).toFixed(0)} %`,
    );
    console.log(`peak RSS (Baton): ${(rss / 1024 / 1024).toFixed(0)} MiB`);
  } finally {
    baton.child.kill('SIGTERM');
    await baton.exited;
    await slack.close();
    await scratch.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
