import { leadDisplayName } from '../domain/lead.js';
import {
  acceptedAwaitingQualify,
  openHandoffs,
  recentHandoffs,
  type OpenHandoffRow,
  type WaitingForManager,
} from '../db/repo/queues.js';
import { decisionCounts } from '../db/repo/report-queries.js';
import { monthsAround } from '../domain/reports/periods.js';
import { awayUsers, currentOrNextAway } from '../db/repo/routing.js';
import type { ServiceContext } from './context.js';
import { userZone } from '../domain/teams.js';

export interface QueueItem {
  handoffId: string;
  name: string;
  company: string | null;
  score: number;
  repUserId: string;
  dueAt: Date;
  overdue: boolean;
  /**
   * The lead waits for its team's manager (docs/sla.md, "Steps"): nobody else could take it after
   * a breach, or no rep was available when it was routed. An acknowledged escalation still waits:
   * acknowledging decides nothing.
   */
  waitingFor: { manager: string; why: WaitingForManager } | undefined;
}

export interface HomeQueue {
  title: string;
  /** Those waiting for the manager first, then soonest due, so overdue ones lead; possibly fewer than `total`. */
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

/** What marketing sees: its recent handoffs and their state, this month's rejection reasons, the overdue ones. */
export interface MarketingHome {
  recent: (QueueItem & { status: 'pending' | 'accepted' | 'rejected'; stage: string; reason: string | null })[];
  rejections: { label: string; count: number }[];
  overdue: QueueItem[];
  overdueTotal: number;
}

export type HomeData =
  | { kind: 'outsider' }
  | {
      kind: 'member';
      zone: string;
      now: Date;
      queues: HomeQueue[];
      toQualify: QueueItem[];
      marketing: MarketingHome | undefined;
      away?: AwayPeriod | undefined;
    };

/** No Home can show more leads than this (100 blocks, two a lead): reading more would be waste. */
const QUEUE_READ_LIMIT = 50;

/** What the App Home shows someone: their open leads as a rep, their teams' queues as a manager, or nothing of Baton's. */
export async function homeFor(ctx: ServiceContext, userId: string): Promise<HomeData> {
  const repOf = ctx.policy.teams.filter((t) => t.reps.some((r) => r.user === userId));
  const managerOf = ctx.policy.teams.filter((t) => t.manager === userId);
  const marketer = ctx.policy.marketing.users.some((u) => u.user === userId);
  if (repOf.length === 0 && managerOf.length === 0 && !marketer) return { kind: 'outsider' };
  const now = ctx.now();
  const managerOfTeam = (teamId: string): string | undefined => ctx.policy.teams.find((t) => t.id === teamId)?.manager;
  const item = (r: OpenHandoffRow): QueueItem => {
    const manager = managerOfTeam(r.teamId);
    return {
      handoffId: r.handoffId,
      name: leadDisplayName(r),
      company: r.company,
      score: r.score,
      repUserId: r.repUserId,
      dueAt: r.dueAt,
      overdue: r.dueAt < now,
      waitingFor:
        r.waitingForManager !== null && manager !== undefined ? { manager, why: r.waitingForManager } : undefined,
    };
  };
  const queues: HomeQueue[] = [];
  const away = repOf.length > 0 ? await currentOrNextAway(ctx.db, ctx.workspaceId, userId, now) : undefined;
  if (repOf.length > 0) {
    const mine = await openHandoffs(ctx.db, ctx.workspaceId, { reps: [userId] }, QUEUE_READ_LIMIT);
    queues.push({
      title: 'Your open leads',
      items: mine.rows.map(item),
      total: mine.total,
      forManager: false,
      away: [],
    });
  }
  for (const team of managerOf) {
    const queue = await openHandoffs(ctx.db, ctx.workspaceId, { teams: [team.id] }, QUEUE_READ_LIMIT);
    const away = await awayUsers(
      ctx.db,
      ctx.workspaceId,
      now,
      team.reps.map((r) => r.user),
    );
    queues.push({
      title: `${team.name} queue`,
      items: queue.rows.map(item),
      total: queue.total,
      forManager: true,
      away: team.reps.filter((r) => away.has(r.user)).map((r) => r.user),
    });
  }
  const toQualify =
    repOf.length > 0 ? (await acceptedAwaitingQualify(ctx.db, ctx.workspaceId, userId, MARKETING_LIST)).map(item) : [];
  const marketing = marketer ? await marketingHome(ctx, now, item) : undefined;
  return { kind: 'member', zone: userZone(ctx.policy, userId), now, queues, toQualify, marketing, away };
}

const MARKETING_LIST = 10;

async function marketingHome(
  ctx: ServiceContext,
  now: Date,
  item: (r: OpenHandoffRow) => QueueItem,
): Promise<MarketingHome> {
  const { policy, db, workspaceId } = ctx;
  const month = monthsAround(now, policy.reportingTimeZone).current;
  const label = (id: string | null): string =>
    id === null ? 'No reason given' : (policy.rejectionReasons.find((r) => r.id === id)?.label ?? id);
  const [recent, decided, open] = await Promise.all([
    recentHandoffs(db, workspaceId, MARKETING_LIST),
    decisionCounts(db, workspaceId, month),
    openHandoffs(db, workspaceId, { teams: policy.teams.map((t) => t.id) }, QUEUE_READ_LIMIT),
  ]);
  const overdue = open.rows.map(item).filter((i) => i.overdue);
  return {
    recent: recent.map((r) => ({
      ...item(r),
      overdue: r.status === 'pending' && r.dueAt < now,
      status: r.status,
      stage: r.stage,
      reason: r.rejectReason === null ? null : label(r.rejectReason),
    })),
    rejections: decided
      .filter((d) => d.status === 'rejected')
      .map((d) => ({ label: label(d.reason), count: d.count }))
      .sort((a, b) => b.count - a.count),
    overdue: overdue.slice(0, MARKETING_LIST),
    // Open handoffs are read those waiting for the manager first, then soonest due, so the overdue
    // ones come before the rest; beyond the read limit they are not counted.
    overdueTotal: overdue.length,
  };
}
