import cron from 'node-cron';
import type { Logger } from '../log.js';
import type { ServiceContext } from './context.js';
import { queueTeamDigest, sweepSla } from './escalation.js';
import { calendarForTeam } from './handoff.js';
import { queueWeeklyDigest } from './reports.js';
import { handOverStartedAways } from './reps.js';

/** A recurring task Baton runs in every replica; what it does must be safe to run in several at once. */
export interface CronJob {
  name: string;
  /** node-cron syntax; six fields for seconds. */
  cron: string;
  timeZone: string;
  run(firedAt: Date): Promise<void>;
}

/** Every recurring job, built from the policy. Each feature adds its entries here. */
export function scheduledJobs(ctx: ServiceContext): CronJob[] {
  const digest = ctx.policy.reports.digest;
  return [
    // Every 5 s: a step is performed within seconds of falling due, and one missed while Baton was
    // down is performed at the first sweep after start-up.
    { name: 'sla-sweep', cron: '*/5 * * * * *', timeZone: 'UTC', run: async () => { await sweepSla(ctx); } },
    // Every minute: a planned away period that has started hands the rep's open leads on.
    { name: 'away-handover', cron: '0 * * * * *', timeZone: 'UTC', run: async () => { await handOverStartedAways(ctx); } },
    ...ctx.policy.teams.flatMap((team) => (team.digest ? [{ name: `overdue-digest:${team.id}`, cron: team.digest.cron, timeZone: calendarForTeam(ctx.policy, team).timeZone, run: (firedAt: Date) => queueTeamDigest(ctx, team, firedAt) }] : [])),
    ...(digest ? [{ name: 'reports-digest', cron: digest.cron, timeZone: ctx.policy.reportingTimeZone, run: (firedAt: Date) => queueWeeklyDigest(ctx, firedAt) }] : []),
  ];
}

export interface CronRunner {
  stop(): Promise<void>;
}

/**
 * Starts the jobs. A run still going when the next tick comes is skipped rather than stacked
 * (noOverlap), and a failed run is logged: the next tick tries again, since every job reads its
 * work from Postgres.
 */
export function startCron(jobs: readonly CronJob[], ctx: Pick<ServiceContext, 'now'>, logger: Logger): CronRunner {
  const running = new Set<Promise<void>>();
  const tasks = jobs.map((job) =>
    cron.schedule(
      job.cron,
      () => {
        const run = job
          .run(ctx.now())
          .catch((err: unknown) => { logger.error({ err, job: job.name }, 'scheduled job failed'); })
          .finally(() => running.delete(run));
        running.add(run);
        return run;
      },
      { name: job.name, timezone: job.timeZone, noOverlap: true },
    ),
  );
  return {
    async stop() {
      for (const t of tasks) await t.destroy();
      await Promise.all(running);
    },
  };
}
