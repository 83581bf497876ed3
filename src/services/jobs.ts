import cron from 'node-cron';
import type { Logger } from '../log.js';
import type { ServiceContext } from './context.js';
import { queueTeamDigest, sweepSla } from './escalation.js';
import { calendarForTeam } from '../domain/teams.js';
import { queueWeeklyDigest } from './reports.js';
import { purgeExpired } from './retention.js';
import { handOverStartedAways } from './reps.js';

/** A recurring task Baton runs in every replica; what it does must be safe to run in several at once. */
export interface CronJob {
  name: string;
  /** node-cron syntax; six fields for seconds. */
  cron: string;
  timeZone: string;
  run(firedAt: Date): Promise<void>;
}

/** Every recurring job, built from the policy and the retention. Each feature adds its entries here. */
export function scheduledJobs(ctx: ServiceContext, opts: { retentionDays: number }): CronJob[] {
  const digest = ctx.policy.reports.digest;
  return [
    // Every 5 s: a step is performed within seconds of falling due, and one missed while Baton was
    // down is performed at the first sweep after start-up.
    {
      name: 'sla-sweep',
      cron: '*/5 * * * * *',
      timeZone: 'UTC',
      run: async () => {
        await sweepSla(ctx);
      },
    },
    // Every minute: a planned away period that has started hands the rep's open leads on.
    {
      name: 'away-handover',
      cron: '0 * * * * *',
      timeZone: 'UTC',
      run: async () => {
        await handOverStartedAways(ctx);
      },
    },
    ...ctx.policy.teams.flatMap((team) =>
      team.digest
        ? [
            {
              name: `overdue-digest:${team.id}`,
              cron: team.digest.cron,
              timeZone: calendarForTeam(ctx.policy, team).timeZone,
              run: (firedAt: Date) => queueTeamDigest(ctx, team, firedAt),
            },
          ]
        : [],
    ),
    // Hourly, off the hour: done deliveries and steps past the retention, in bounded batches.
    {
      name: 'retention-purge',
      cron: '17 * * * *',
      timeZone: 'UTC',
      run: async () => {
        const purged = await purgeExpired(ctx, opts.retentionDays);
        if (purged.deliveries + purged.slaSteps > 0)
          ctx.logger.info(
            { ...purged, retentionDays: opts.retentionDays },
            'purged done deliveries and SLA steps past the retention',
          );
      },
    },
    ...(digest
      ? [
          {
            name: 'reports-digest',
            cron: digest.cron,
            timeZone: ctx.policy.reportingTimeZone,
            run: (firedAt: Date) => queueWeeklyDigest(ctx, firedAt),
          },
        ]
      : []),
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
/**
 * node-cron writes its own warnings ("missed execution", "task still running") as coloured text
 * on the console; routed through our logger they are JSON lines like every other, with the job.
 */
export function cronLogger(logger: Logger, job: string): NonNullable<Parameters<typeof cron.schedule>[2]>['logger'] {
  const split = (message: string | Error, err?: Error): [Record<string, unknown>, string] =>
    message instanceof Error ? [{ err: message, job }, message.message] : [{ err, job }, message];
  return {
    info: (message) => {
      logger.info({ job }, `node-cron: ${message}`);
    },
    warn: (message) => {
      logger.warn({ job }, `node-cron: ${message}`);
    },
    error: (message, err) => {
      const [o, m] = split(message, err);
      logger.error(o, `node-cron: ${m}`);
    },
    debug: (message, err) => {
      const [o, m] = split(message, err);
      logger.debug(o, `node-cron: ${m}`);
    },
  };
}

export function startCron(jobs: readonly CronJob[], ctx: Pick<ServiceContext, 'now'>, logger: Logger): CronRunner {
  const running = new Set<Promise<void>>();
  const tasks = jobs.map((job) =>
    cron.schedule(
      job.cron,
      () => {
        const run = job
          .run(ctx.now())
          .catch((err: unknown) => {
            logger.error({ err, job: job.name }, 'scheduled job failed');
          })
          .finally(() => running.delete(run));
        running.add(run);
        return run;
      },
      { name: job.name, timezone: job.timeZone, noOverlap: true, logger: cronLogger(logger, job.name) },
    ),
  );
  return {
    async stop() {
      for (const t of tasks) await t.destroy();
      await Promise.all(running);
    },
  };
}
