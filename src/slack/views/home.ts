import type { HomeView, KnownBlock } from '@slack/types';
import { DateTime } from 'luxon';
import type { AwayPeriod, HomeData, HomeQueue, MarketingHome, QueueItem } from '../../services/home.js';
import { actions, button, context, divider, header, section } from './blocks.js';
import { formatDue } from './card.js';
import { field } from './escape.js';

/** Slack's limit for a Home tab (docs/slack-facts.md, "Block Kit limits"). */
export const HOME_BLOCK_LIMIT = 100;

/** Blocks a queue needs besides its leads: title, who is away (managers), "nothing waiting" or "and N more", divider. */
const queueOverhead = (q: HomeQueue): number => 3 + (q.forManager ? 1 : 0);

/**
 * How many leads of each queue fit: one lead at a time to each queue in turn, two blocks a lead,
 * so a long queue never crowds the others out and the total stays within Slack's limit.
 */
function allocate(queues: readonly HomeQueue[], budget: number): number[] {
  const shown = queues.map(() => 0);
  let left = budget - queues.reduce((n, q) => n + queueOverhead(q), 0);
  for (let progressed = true; progressed && left >= 2;) {
    progressed = false;
    queues.forEach((q, i) => {
      if (left >= 2 && shown[i]! < q.items.length) {
        shown[i]! += 1;
        left -= 2;
        progressed = true;
      }
    });
  }
  return shown;
}

const WHY_WAITING: Record<NonNullable<QueueItem['waitingFor']>['why'], string> = {
  nobody_left: 'nobody else in the team can take it',
  no_rep_available: 'no rep was available',
};

/**
 * When a lead must be decided, and whether it waits for the manager — "you" on the manager's own
 * queue, the manager named elsewhere — as its card says it.
 */
function dueText(item: QueueItem, zone: string, viewerIsManager: boolean): string {
  const due = formatDue(item.dueAt, zone);
  if (item.waitingFor === undefined) return `${item.overdue ? ':red_circle: *overdue* since' : 'decide by'} ${due}`;
  const whom = viewerIsManager ? 'you' : `the manager <@${item.waitingFor.manager}>`;
  return `:hourglass: *${item.overdue ? 'Overdue — w' : 'W'}aiting for ${whom}*: ${WHY_WAITING[item.waitingFor.why]} · ${item.overdue ? 'since' : 'decide by'} ${due}`;
}

function itemBlocks(item: QueueItem, q: HomeQueue, zone: string): KnownBlock[] {
  const who = `*${field(item.name, 100)}*${item.company ? ` — ${field(item.company, 60)}` : ''} · score ${item.score}`;
  const due = dueText(item, zone, q.forManager);
  return [
    section(`${who}\n${due}${q.forManager ? ` · <@${item.repUserId}>` : ''}`),
    actions(`home:${item.handoffId}`, [
      button('Accept', { kind: 'accept', handoffId: item.handoffId }, 'primary'),
      button('Reject…', { kind: 'reject', handoffId: item.handoffId }, 'danger'),
    ]),
  ];
}

function queueBlocks(q: HomeQueue, shown: number, zone: string): KnownBlock[] {
  const blocks: KnownBlock[] = [header(`${q.title} (${q.total})`)];
  if (q.forManager)
    blocks.push(
      context(
        q.away.length > 0
          ? `:palm_tree: Away: ${q.away.map((u) => `<@${u}>`).join(', ')}`
          : 'Nobody in the team is away.',
      ),
    );
  if (q.total === 0)
    blocks.push(
      section(
        q.forManager
          ? 'Nothing waiting for a decision.'
          : 'Nothing waiting for you. New leads land in your team channel and here.',
      ),
    );
  blocks.push(...q.items.slice(0, shown).flatMap((item) => itemBlocks(item, q, zone)));
  const more = q.total - shown;
  if (q.total > 0 && more > 0) blocks.push(context(`and ${more} more`));
  blocks.push(divider());
  return blocks;
}

const STATUS: Record<MarketingHome['recent'][number]['status'], string> = {
  pending: 'waiting for a decision',
  accepted: 'accepted',
  rejected: 'rejected',
};
const lead = (i: QueueItem): string => `*${field(i.name, 100)}*${i.company ? ` — ${field(i.company, 60)}` : ''}`;

/** Marketing's part: recent handoffs and their state, this month's rejection reasons, the overdue ones. Four blocks at most. */
function marketingBlocks(m: MarketingHome, zone: string): KnownBlock[] {
  const recent = m.recent.map((r) => {
    const state =
      r.status === 'pending' && r.waitingFor
        ? `:hourglass: *${r.overdue ? 'overdue, ' : ''}waiting for the manager*`
        : r.status === 'pending' && r.overdue
          ? ':red_circle: *overdue*'
          : r.status === 'accepted' && r.stage !== 'sal'
            ? `accepted, now ${field(r.stage, 20)}`
            : STATUS[r.status];
    return `${lead(r)} → <@${r.repUserId}> · ${state}${r.reason !== null ? `: _${field(r.reason, 80)}_` : ''}`;
  });
  const reasons = m.rejections.map((r) => `${field(r.label, 80)}: ${r.count}`);
  const overdue = m.overdue.map(
    (o) =>
      `${o.waitingFor ? ':hourglass: *waiting for the manager* · ' : ''}${lead(o)} · <@${o.repUserId}> · due ${formatDue(o.dueAt, zone)}`,
  );
  return [
    header('Your leads in sales'),
    section(
      recent.length > 0
        ? `*Recent handoffs*\n${recent.join('\n')}`
        : '*Recent handoffs*\nNone yet: MQLs you send appear here with what sales did with them.',
    ),
    section(`*Rejection reasons this month*\n${reasons.length > 0 ? reasons.join('\n') : 'No rejections this month.'}`),
    section(
      `*Overdue now (${m.overdueTotal})*\n${overdue.length > 0 ? overdue.join('\n') : 'Nothing overdue: sales decided every lead in time so far.'}`,
    ),
  ];
}

/** A rep's accepted leads that still wait for Qualify (or Lost) on their card. Two blocks. */
function qualifyBlocks(items: readonly QueueItem[]): KnownBlock[] {
  if (items.length === 0) return [];
  return [
    header(`Accepted, waiting for Qualify (${items.length})`),
    section(items.map((i) => `${lead(i)} · score ${i.score}`).join('\n')),
  ];
}

const day = (at: Date, zone: string): string => DateTime.fromJSDate(at, { zone }).toFormat('ccc d LLL');

/** A rep's own away period, now or next: the days as they typed them (`until` is the day they are back). */
export function awayLine(away: AwayPeriod, now: Date, zone: string): string {
  const back = away.until ? `back on ${day(away.until, zone)}` : 'back when you type `/baton back`';
  if (away.from === null || away.from <= now)
    return `:palm_tree: You are away, ${back}: no new leads for you until then.`;
  return `:palm_tree: Next away: from ${day(away.from, zone)}, ${back}. Your undecided leads go to teammates when it starts.`;
}

const ABOUT =
  "*Baton* hands marketing's qualified leads (MQLs) to sales: each lands in a team channel as a card with *Accept* and *Reject*, " +
  "with a deadline in business hours. Leads nobody decides in time are escalated to the team's manager, and every rejection reason goes back to marketing.";

/** The App Home: marketing's handoffs, a rep's open and accepted leads, a manager's team queues (those waiting for the manager first, then overdue), or what Baton is. */
export function renderHome(data: HomeData): HomeView {
  if (data.kind === 'outsider') {
    return {
      type: 'home',
      blocks: [
        header('Baton'),
        section(ABOUT),
        context(
          "You are not a rep, a manager or a marketer in Baton's policy, so nothing here waits for you. Ask your RevOps admin to add you, or type `/baton help`.",
        ),
      ],
    };
  }
  const head: KnownBlock[] = [
    header('Baton'),
    context(`Times in ${data.zone} · as of ${formatDue(data.now, data.zone)}`),
    ...(data.away ? [context(awayLine(data.away, data.now, data.zone))] : []),
    ...(data.marketing ? marketingBlocks(data.marketing, data.zone) : []),
    ...qualifyBlocks(data.toQualify),
  ];
  // A manager of very many teams: whole queues that do not fit even empty are counted, not cut.
  // One block is kept for that count.
  const fitting: HomeQueue[] = [];
  let used = head.length + 1;
  for (const q of data.queues) {
    if (used + queueOverhead(q) > HOME_BLOCK_LIMIT) break;
    fitting.push(q);
    used += queueOverhead(q);
  }
  const left = data.queues.slice(fitting.length);
  const tail =
    left.length > 0
      ? [
          context(
            `and ${left.length} more team queue${left.length === 1 ? '' : 's'}: ${left.map((q) => `${field(q.title, 60)} (${q.total})`).join(', ')}`,
          ),
        ]
      : [];
  const shown = allocate(fitting, HOME_BLOCK_LIMIT - head.length - 1);
  return {
    type: 'home',
    blocks: [...head, ...fitting.flatMap((q, i) => queueBlocks(q, shown[i]!, data.zone)), ...tail],
  };
}
