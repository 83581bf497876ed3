import type postgres from 'postgres';
import { freezeTier } from '../../src/domain/sla.js';
import { examplePolicy } from './app.js';

/**
 * Open handoffs straight into the database, shaped as live intake leaves them (lead in `mql`,
 * handoff pending with the demo tier frozen on it, its card and note already posted), each with
 * one SLA step: `due` of them a rep reminder falling due in [dueFrom, dueFrom + dueSpreadMs), the
 * rest a reminder far in the future. The first `escalated` of them (default none) fall due with all
 * their tier's steps at once — reminder, manager, marketing, reassignment — as after downtime, the
 * rep's deadline being that instant. For tests and benchmarks of the sweep at scale.
 */
export async function seedOpenHandoffs(
  sql: postgres.Sql,
  opts: { total: number; due: number; dueFrom: Date; dueSpreadMs: number; escalated?: number; workspaceId?: string },
): Promise<void> {
  const policy = examplePolicy();
  const plan = freezeTier(
    policy.sla.tiers.find((t) => t.id === 'demo')!,
    policy.calendar.hoursPerBusinessDay,
  );
  const ws = opts.workspaceId ?? 'T0BATON';
  const reps = ['U0EVA', 'U0FILIP'];
  const from = opts.dueFrom.toISOString();
  await sql.begin(async (tx) => {
    await tx`create temporary table seed on commit drop as
      select i, gen_random_uuid() as lead_id, gen_random_uuid() as handoff_id, (${reps} :: text[])[1 + i % 2] as rep,
        case when i <= ${opts.due} then ${from}::timestamptz + (i % 1000) * (${opts.dueSpreadMs}::float8 / 1000) * interval '1 millisecond'
             else ${from}::timestamptz + interval '30 days' end as due_at
      from generate_series(1, ${opts.total}) as i`;
    await tx`insert into leads (id, workspace_id, source, external_id, email, first_name, last_name, title, stage, score, created_at)
      select lead_id, ${ws}, 'seed', 'seed-' || i, 'seed' || i || '@acme.io', 'Seed', 'Lead ' || i, 'VP Sales', 'mql', 60, now() - interval '1 day' from seed`;
    // The plan goes in as text, then jsonb: bound as jsonb, postgres.js would encode the string once more (a JSON string, not the plan).
    await tx`insert into handoffs (id, workspace_id, lead_id, seq, status, team_id, rep_user_id, assigned_via, started_at, first_assigned_at, assigned_at, sla_tier_id, sla_plan, sla_target_minutes, sla_clock, due_at)
      select handoff_id, ${ws}, lead_id, 1, 'pending', 'smb', rep, 'round_robin', now() - interval '1 day', now() - interval '1 day', now() - interval '1 day', ${plan.tierId}, ${JSON.stringify(plan)}::text::jsonb, ${plan.targetMinutes}, ${plan.clock}, due_at from seed`;
    await tx`insert into events (workspace_id, lead_id, handoff_id, type, to_stage, at, actor, data)
      select ${ws}, lead_id, handoff_id, 'assigned', null, now() - interval '1 day', 'baton', jsonb_build_object('team', 'smb', 'rep', rep, 'via', 'round_robin') from seed`;
    await tx`insert into slack_messages (workspace_id, handoff_id, kind, channel, ts)
      select ${ws}, handoff_id, k.kind, case k.kind when 'card' then 'C0SMB' else 'C0MARKETING' end, '1700000000.' || lpad(i::text, 6, '0') from seed, (values ('card'), ('marketing_note')) as k(kind)`;
    await tx`insert into sla_steps (workspace_id, handoff_id, step_index, occurrence, action, rep_user_id, due_at)
      select ${ws}, handoff_id, 0, 1, 'remind_rep', rep, due_at from seed`;
    const later = plan.steps.filter((s) => s.action !== 'remind_rep');
    await tx`insert into sla_steps (workspace_id, handoff_id, step_index, occurrence, action, rep_user_id, due_at)
      select ${ws}, handoff_id, step.index, 1, step.action, rep, due_at from seed, unnest(${later.map((s) => s.index)}::int[], ${later.map((s) => s.action)}::text[]) as step(index, action)
      where i <= ${opts.escalated ?? 0}`;
  });
}
