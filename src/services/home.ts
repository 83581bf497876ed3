import type { Policy } from '../config/policy.js';
import { leadDisplayName } from '../domain/lead.js';
import { openHandoffs } from '../db/repo/queues.js';
import { awayUsers, currentOrNextAway } from '../db/repo/routing.js';
import type { ServiceContext } from './context.js';
import { calendarForTeam } from './handoff.js';

export interface QueueItem {
  handoffId: string;
  name: string;
  company: string | null;
  score: number;
  repUserId: string;
  dueAt: Date;
  overdue: boolean;
}

export interface HomeQueue {
  title: string;
  /** Soonest due first, so overdue ones lead; possibly fewer than `total`. */
  items: QueueItem[];
  total: number;
  /** A manager's queue names each lead's rep and who is away; a rep's own does not. */
  forManager: boolean;
  away: string[];
}

/** A rep's own away period that has not ended: now (from null or past) or planned; until null means until `/baton back`. */
export interface AwayPeriod {
  from: Date | null;
  until: Date | null;
}

export type HomeData = { kind: 'outsider' } | { kind: 'member'; zone: string; now: Date; queues: HomeQueue[]; away?: AwayPeriod | undefined };

/** No Home can show more leads than this (100 blocks, two a lead): reading more would be waste. */
const QUEUE_READ_LIMIT = 50;

/** The zone a person reads times in: theirs in the policy when they are a rep, else their team's calendar, else the policy's. */
export function userZone(policy: Policy, userId: string): string {
  for (const team of policy.teams) {
    const rep = team.reps.find((r) => r.user === userId);
    if (rep?.timeZone) return rep.timeZone;
    if (rep || team.manager === userId) return calendarForTeam(policy, team).timeZone;
  }
  return policy.calendar.timeZone;
}

/** What the App Home shows someone: their open leads as a rep, their teams' queues as a manager, or nothing of Baton's. */
export async function homeFor(ctx: ServiceContext, userId: string): Promise<HomeData> {
  const repOf = ctx.policy.teams.filter((t) => t.reps.some((r) => r.user === userId));
  const managerOf = ctx.policy.teams.filter((t) => t.manager === userId);
  if (repOf.length === 0 && managerOf.length === 0) return { kind: 'outsider' };
  const now = ctx.now();
  const item = (r: Awaited<ReturnType<typeof openHandoffs>>['rows'][number]): QueueItem => ({ handoffId: r.handoffId, name: leadDisplayName(r), company: r.company, score: r.score, repUserId: r.repUserId, dueAt: r.dueAt, overdue: r.dueAt < now });
  const queues: HomeQueue[] = [];
  const away = repOf.length > 0 ? await currentOrNextAway(ctx.db, ctx.workspaceId, userId, now) : undefined;
  if (repOf.length > 0) {
    const mine = await openHandoffs(ctx.db, ctx.workspaceId, { reps: [userId] }, QUEUE_READ_LIMIT);
    queues.push({ title: 'Your open leads', items: mine.rows.map(item), total: mine.total, forManager: false, away: [] });
  }
  for (const team of managerOf) {
    const queue = await openHandoffs(ctx.db, ctx.workspaceId, { teams: [team.id] }, QUEUE_READ_LIMIT);
    const away = await awayUsers(ctx.db, ctx.workspaceId, now, team.reps.map((r) => r.user));
    queues.push({ title: `${team.name} queue`, items: queue.rows.map(item), total: queue.total, forManager: true, away: team.reps.filter((r) => away.has(r.user)).map((r) => r.user) });
  }
  return { kind: 'member', zone: userZone(ctx.policy, userId), now, queues, away };
}
