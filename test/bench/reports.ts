/*
 * bench:reports — funnel and velocity over a week, a month and a quarter, on a million leads with
 * realistic histories, on the Postgres server. The rows are generated in SQL (generate_series)
 * shaped exactly like what POST /api/leads/import writes (leads, handoffs with frozen SLA fields,
 * the same event types), since importing a million leads over HTTP takes far too long here:
 * two years of leads, 40 % become MQLs, 70 % of decisions accept, some rejected leads are
 * recycled into a second handoff, and accepted ones go on to SQL, opportunity, customer or lost.
 * The data is kept in its own database and reused by the next run (BENCH_REGENERATE=1 rebuilds).
 *
 * Then: p50/p95 of funnelReport and velocityReport per period (service level, the code the API
 * and Slack share), and the whole /funnel quarter slash-command round trip through the real app
 * (signed request in, ephemeral report out on response_url).
 *
 * BENCH_LEADS (default 1,000,000), BENCH_ITERATIONS (default 20), TEST_DATABASE_URL (server).
 */
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { openDatabase } from '../../src/db/client.js';
import { createLogger } from '../../src/log.js';
import { funnelReport, velocityReport } from '../../src/services/reports.js';
import type { ServiceContext } from '../../src/services/context.js';
import { examplePolicy, SIGNING_SECRET, startTestBaton } from '../helpers/app.js';
import { sendSlashCommand } from '../helpers/slack-sign.js';
import { startSlackStandIn } from '../helpers/slack-standin.js';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const LEADS = Number(process.env.BENCH_LEADS ?? 1_000_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20);
const WORKSPACE = 'T0BATON';
/** A fixed "now", so a reused database answers the same periods. */
const NOW = new Date('2026-11-25T13:00:00Z');
const DB_NAME = `baton_bench_reports_${LEADS}`;

const GENERATE = (n: number, now: string) => `
select setseed(0.4242);
create unlogged table bench_plan as
select i,
  gen_random_uuid() as lead_id, gen_random_uuid() as h1, gen_random_uuid() as h2,
  '${now}'::timestamptz - random() * interval '730 days' as created,
  random() as r1, random() as r2, random() as r3, random() as r4, random() as r5, random() as r6,
  (array['smb', 'enterprise', 'north-america'])[1 + i % 3] as team,
  (array['U0EVA', 'U0FILIP', 'U0ANA', 'U0BO', 'U0CARL', 'U0DANA'])[1 + (i % 3) * 2 + (i / 3) % 2] as rep,
  (array['not-icp', 'no-budget', 'bad-timing', 'wrong-contact', 'bad-data'])[1 + i % 5] as reason
from generate_series(1, ${n}) as i;

alter table bench_plan add column mql_at timestamptz, add column decided_at timestamptz, add column accepted boolean,
  add column sql_at timestamptz, add column opp_at timestamptz, add column won_at timestamptz, add column lost_at timestamptz,
  add column mql2_at timestamptz, add column decided2_at timestamptz;
update bench_plan set mql_at = created + r2 * interval '6 hours' where r1 < 0.4;
-- Decisions skew fast (most within hours, a tail over days); recent ones may still be pending.
update bench_plan set decided_at = mql_at + (r3 * r3) * interval '60 hours', accepted = r4 < 0.7 where mql_at is not null;
update bench_plan set decided_at = null, accepted = null where decided_at >= '${now}';
update bench_plan set sql_at = decided_at + r5 * interval '10 days' where accepted and r5 < 0.45;
update bench_plan set opp_at = sql_at + interval '5 days' where sql_at is not null and r5 < 0.25;
update bench_plan set won_at = opp_at + interval '20 days' where opp_at is not null and r5 < 0.08;
update bench_plan set lost_at = opp_at + interval '15 days' where opp_at is not null and r5 >= 0.08;
update bench_plan set sql_at = null where sql_at >= '${now}';
update bench_plan set opp_at = null where sql_at is null or opp_at >= '${now}';
update bench_plan set won_at = null where opp_at is null or won_at >= '${now}';
update bench_plan set lost_at = null where opp_at is null or lost_at >= '${now}';
-- A third of leads rejected back to nurture come back as MQLs two months later.
update bench_plan set mql2_at = decided_at + interval '60 days' where accepted = false and reason in ('no-budget', 'bad-timing', 'wrong-contact') and r6 < 0.3;
update bench_plan set mql2_at = null where mql2_at >= '${now}';
update bench_plan set decided2_at = mql2_at + r6 * interval '20 hours' where mql2_at is not null;
update bench_plan set decided2_at = null where decided2_at >= '${now}';

insert into leads (id, workspace_id, source, external_id, email, first_name, last_name, title, persona, channel, origin, stage, imported, created_at, updated_at)
select lead_id, '${WORKSPACE}', 'gen', 'g' || i, 'g' || i || '@example.com', 'Gen', 'Lead ' || i, 'VP Sales',
  (array['cfo', 'sales-leader', 'it', 'marketing'])[1 + i % 4],
  (array['paid_search', 'organic_search', 'referral', 'webinar', 'event', 'outbound'])[1 + (i / 7) % 6],
  case when i % 10 = 0 then 'sales' else 'marketing' end,
  case when won_at is not null then 'customer' when lost_at is not null then 'lost' when opp_at is not null then 'opportunity'
       when sql_at is not null then 'sql' when mql2_at is not null and decided2_at is null then 'mql' when mql2_at is not null then 'sal'
       when accepted then 'sal' when accepted = false then (case when reason in ('not-icp', 'bad-data') then 'disqualified' else 'nurture' end)
       when mql_at is not null then 'mql' else 'lead' end,
  true, created, created
from bench_plan order by created;

insert into handoffs (id, workspace_id, lead_id, seq, status, team_id, rep_user_id, assigned_via, started_at, first_assigned_at, assigned_at, sla_tier_id, sla_plan, sla_target_minutes, sla_clock, due_at, decided_at, decided_by, reject_reason, outcome)
select h1, '${WORKSPACE}', lead_id, 1, case when accepted then 'accepted' when accepted = false then 'rejected' else 'pending' end, team, rep, 'import', mql_at, mql_at, mql_at,
  'standard', '{"tierId":"standard","clock":"business","targetMinutes":960,"steps":[]}'::jsonb, 960, 'business', mql_at + interval '2 days', decided_at, case when decided_at is not null then rep end,
  case when accepted = false then reason end, case when accepted = false then (case when reason in ('not-icp', 'bad-data') then 'disqualify' else 'nurture' end) end
from bench_plan where mql_at is not null
union all
select h2, '${WORKSPACE}', lead_id, 2, case when decided2_at is null then 'pending' when r6 < 0.2 then 'accepted' else 'rejected' end, team, rep, 'import', mql2_at, mql2_at, mql2_at,
  'standard', '{"tierId":"standard","clock":"business","targetMinutes":960,"steps":[]}'::jsonb, 960, 'business', mql2_at + interval '2 days', decided2_at, case when decided2_at is not null then rep end,
  case when decided2_at is not null and r6 >= 0.2 then 'no-budget' end, case when decided2_at is not null and r6 >= 0.2 then 'nurture' end
from bench_plan where mql2_at is not null
order by 9;

insert into events (workspace_id, lead_id, handoff_id, type, from_stage, to_stage, at, actor, reason)
select * from (select '${WORKSPACE}', lead_id, null::uuid, 'created', null, 'lead', created, 'import', null from bench_plan
union all select '${WORKSPACE}', lead_id, h1, 'handoff_started', 'lead', 'mql', mql_at, 'import', null from bench_plan where mql_at is not null
union all select '${WORKSPACE}', lead_id, h1, 'assigned', null, null, mql_at, 'import', null from bench_plan where mql_at is not null
union all select '${WORKSPACE}', lead_id, h1, 'accepted', 'mql', 'sal', decided_at, rep, null from bench_plan where accepted
union all select '${WORKSPACE}', lead_id, h1, 'rejected', 'mql', case when reason in ('not-icp', 'bad-data') then 'disqualified' else 'nurture' end, decided_at, rep, reason from bench_plan where accepted = false
union all select '${WORKSPACE}', lead_id, null, 'qualified', 'sal', 'sql', sql_at, rep, null from bench_plan where sql_at is not null
union all select '${WORKSPACE}', lead_id, null, 'opportunity', 'sql', 'opportunity', opp_at, rep, null from bench_plan where opp_at is not null
union all select '${WORKSPACE}', lead_id, null, 'won', 'opportunity', 'customer', won_at, rep, null from bench_plan where won_at is not null
union all select '${WORKSPACE}', lead_id, null, 'lost', 'opportunity', 'lost', lost_at, rep, 'price' from bench_plan where lost_at is not null
union all select '${WORKSPACE}', lead_id, h2, 'handoff_started', 'nurture', 'mql', mql2_at, 'import', null from bench_plan where mql2_at is not null
union all select '${WORKSPACE}', lead_id, h2, 'assigned', null, null, mql2_at, 'import', null from bench_plan where mql2_at is not null
union all select '${WORKSPACE}', lead_id, h2, case when r6 < 0.2 then 'accepted' else 'rejected' end, 'mql', case when r6 < 0.2 then 'sal' else 'nurture' end, decided2_at, rep, case when r6 >= 0.2 then 'no-budget' end from bench_plan where decided2_at is not null) as e
order by 7;

drop table bench_plan;
`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

async function timed(n: number, run: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await run(); // warm-up: plans and caches, as on a live server
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await run();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95) };
}

async function main(): Promise<void> {
  const admin = postgres(SERVER, { max: 1, onnotice: () => undefined });
  const exists = (await admin`select 1 from pg_database where datname = ${DB_NAME}`).length > 0;
  if (exists && process.env.BENCH_REGENERATE) await admin.unsafe(`drop database ${DB_NAME}`);
  if (!exists || process.env.BENCH_REGENERATE) await admin.unsafe(`create database ${DB_NAME}`);
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = `/${DB_NAME}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString() });
  await database.migrate();
  const raw = postgres(url.toString(), { max: 1, onnotice: () => undefined });
  const [{ n }] = await raw<[{ n: number }]>`select count(*)::int as n from leads`;
  if (n !== LEADS) {
    if (n > 0) throw new Error(`${DB_NAME} holds ${n} leads, not ${LEADS}: run with BENCH_REGENERATE=1`);
    const t = performance.now();
    await raw.unsafe(GENERATE(LEADS, NOW.toISOString()));
    console.log(`generated ${LEADS.toLocaleString('en-US')} leads in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  // What autovacuum does on a live server (insert-only tables included): statistics, and the
  // visibility map that lets the report indexes answer without reading the tables.
  await raw.unsafe('vacuum (analyze) leads, handoffs, events');
  const [counts] = await raw<
    [{ handoffs: number; events: number }]
  >`select (select count(*)::int from handoffs) as handoffs, (select count(*)::int from events) as events`;
  console.log(
    `data: ${LEADS.toLocaleString('en-US')} leads, ${counts.handoffs.toLocaleString('en-US')} handoffs, ${counts.events.toLocaleString('en-US')} events`,
  );
  await raw.end();

  const ctx: ServiceContext = {
    db: database.db,
    policy: examplePolicy(),
    workspaceId: WORKSPACE,
    now: () => NOW,
    logger: createLogger('warn'),
  };
  const lines: string[] = [];
  for (const kind of ['week', 'month', 'quarter'] as const) {
    const f = await timed(ITERATIONS, () => funnelReport(ctx, { kind }));
    const v = await timed(ITERATIONS, () => velocityReport(ctx, { kind }));
    lines.push(
      `${kind.padEnd(8)} funnel p50 ${f.p50.toFixed(0)} ms p95 ${f.p95.toFixed(0)} ms · velocity p50 ${v.p50.toFixed(0)} ms p95 ${v.p95.toFixed(0)} ms`,
    );
  }
  const byRep = await timed(ITERATIONS, () => funnelReport(ctx, { kind: 'quarter' }, 'rep'));
  lines.push(`quarter  funnel by rep p50 ${byRep.p50.toFixed(0)} ms p95 ${byRep.p95.toFixed(0)} ms`);

  // The whole round trip through the real app: signed /funnel quarter in, the report out on response_url.
  const slack = await startSlackStandIn();
  const baton = await startTestBaton({
    slackApiUrl: slack.url,
    db: { ...database, url: url.toString(), dispose: () => database.close() },
    now: () => NOW,
  });
  const trips: number[] = [];
  try {
    for (let i = 0; i < Math.min(ITERATIONS, 10); i++) {
      const before = slack.callsTo('response_url').length;
      const t = performance.now();
      await sendSlashCommand(baton.url, SIGNING_SECRET, {
        command: '/funnel',
        text: 'quarter by channel',
        user_id: 'U0SMBMGR',
        channel_id: 'C0SMB',
        team_id: WORKSPACE,
        response_url: `${slack.responseUrl}/bench`,
      });
      await slack.waitFor('response_url', { count: before + 1, timeoutMs: 30_000 });
      trips.push(performance.now() - t);
    }
  } finally {
    await baton.close();
    await slack.close();
    await database.close();
  }
  trips.sort((a, b) => a - b);
  lines.push(
    `/funnel quarter by channel round trip p50 ${percentile(trips, 0.5).toFixed(0)} ms p95 ${percentile(trips, 0.95).toFixed(0)} ms (target < 3,000 ms)`,
  );
  for (const l of lines) console.log(l);
}

await main();
