import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/policy.js';
import { rowsOf } from '../../src/db/client.js';
import { NOTICE_WINDOW_MS } from '../../src/services/escalation.js';
import { minuteTierPolicyText, useBatonWithSlack } from '../helpers/app.js';
import { postMql } from '../helpers/flows.js';
import { dmChannelFor } from '../helpers/slack-standin.js';

/*
 * The real clock and the real 5-second sweep: a one-minute business tier on a calendar that is
 * always open, with a reminder at 25 %, the manager at 50 % and a reassignment at 75 %. The
 * manager's notice joins the batch of its window and goes out at the window's end.
 */
const policy = parsePolicy(
  minuteTierPolicyText([
    { at: '25%', action: 'remind_rep' },
    { at: '50%', action: 'notify_manager' },
    { at: '75%', action: 'reassign' },
  ]),
);

const env = useBatonWithSlack({
  baton: { policy, outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50, maxBackoffMs: 300 } },
});

describe('SLA steps on the real clock', () => {
  // How soon after due a step is performed is `npm run bench:sla`'s figure; here: order and counts.
  it(
    'reminder, manager notice and reassignment happen in order, each once, never before due',
    async () => {
      const handoffId = await postMql(env);
      const { rep, assignedAt } = rowsOf<{ rep: string; assignedAt: string }>(
        await env.baton.database.db.execute(
          sql`select rep_user_id as rep, assigned_at::text as "assignedAt" from handoffs where id = ${handoffId}`,
        ),
      )[0]!;
      const start = new Date(assignedAt).getTime();
      const manager = policy.teams.find((t) => t.id === 'smb')!.manager;

      const [reminder] = await env.slack.waitFor(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.body.channel === dmChannelFor(rep) &&
          String(c.body.text).includes('Reminder'),
        { timeoutMs: 60_000 },
      );
      const [notice] = await env.slack.waitFor(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.body.channel === dmChannelFor(manager) &&
          String(c.body.text).includes('missed the SLA'),
        { timeoutMs: NOTICE_WINDOW_MS + 60_000 },
      );
      const [told] = await env.slack.waitFor(
        (c) => c.method === 'chat.postMessage' && String(c.body.text).includes('reassigned to you'),
        { timeoutMs: 60_000 },
      );
      await env.baton.outbox.idle();

      const lag = (at: Date, share: number) => at.getTime() - (start + share * 60_000);
      expect(lag(reminder!.at, 0.25)).toBeGreaterThanOrEqual(0);
      expect(lag(notice!.at, 0.5)).toBeGreaterThanOrEqual(0);
      // It names the rep who missed, though the lead has moved on by the time it goes out.
      expect(String(notice!.body.text) + JSON.stringify(notice!.body.blocks)).toContain(
        `<@${rep}> missed the 1 min SLA`,
      );
      const moved = rowsOf<{ at: string; to: string }>(
        await env.baton.database.db.execute(
          sql`select at::text, data->>'to' as to from events where handoff_id = ${handoffId} and type = 'reassigned'`,
        ),
      );
      expect(moved).toHaveLength(1);
      expect(lag(new Date(moved[0]!.at), 0.75)).toBeGreaterThanOrEqual(0);
      expect(told!.body.channel).toBe(dmChannelFor(moved[0]!.to));
      expect(reminder!.at.getTime()).toBeLessThan(notice!.at.getTime());

      // Each of the first rep's steps once: the sweep kept running all along (the new rep's clock runs on, with steps of its own).
      const types = rowsOf<{ type: string; n: number }>(
        await env.baton.database.db.execute(
          sql`select type, count(*)::int as n from events where handoff_id = ${handoffId} and type in ('sla_reminder', 'sla_escalated', 'reassigned') and coalesce(data->>'rep', data->>'from') = ${rep} group by type order by type`,
        ),
      );
      expect(types).toEqual([
        { type: 'reassigned', n: 1 },
        { type: 'sla_escalated', n: 1 },
        { type: 'sla_reminder', n: 1 },
      ]);
      expect(
        env.slack.calls.filter(
          (c) =>
            c.method === 'chat.postMessage' &&
            c.body.channel === dmChannelFor(rep) &&
            String(c.body.text).includes('Reminder'),
        ),
      ).toHaveLength(1);
    },
    NOTICE_WINDOW_MS + 120_000,
  );
});
