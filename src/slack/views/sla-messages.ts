import type { KnownBlock, SectionBlock } from '@slack/types';
import type { SlaFact } from '../../domain/sla.js';
import { actions, button, context, header, LIMITS, section } from './blocks.js';
import { formatElapsed, slackDate } from './card.js';
import { escapeMrkdwn, field } from './escape.js';

/** One lead as an SLA message names it. */
export interface EscalatedLead {
  handoffId: string;
  name: string;
  company: string | null;
  slaLabel: string;
}

/** A lead in the overdue digest: who holds it now and since when it is late. */
export interface DigestLead extends EscalatedLead {
  repUserId: string;
  dueAt: Date;
  /** Nobody else can take it: it waits for the manager. */
  stuck: boolean;
}

/** What became of a lead listed in a notice, as the notice shows it when it is (re)rendered. */
export type NoticeOutcome =
  | { kind: 'open' }
  | { kind: 'waiting_for_manager' }
  | { kind: 'acknowledged'; by: string; at: Date }
  | { kind: 'accepted' | 'rejected'; by: string; at: Date }
  | { kind: 'moved'; to: string };

/** A lead in a grouped notice: its card, its story, and what became of it. */
export interface NoticeItem extends EscalatedLead {
  cardUrl: string | undefined;
  story: readonly SlaFact[];
  outcome: NoticeOutcome;
}

type Rendered = { text: string; blocks: KnownBlock[] };
type Moved = Extract<SlaFact, { kind: 'moved' }>;

const leadLabel = (l: EscalatedLead): string =>
  `*${field(l.name, 100)}*${l.company ? ` (${field(l.company, 100)})` : ''}`;

const decideButtons = (handoffId: string) =>
  actions(`decide:${handoffId}`, [
    button('Accept', { kind: 'accept', handoffId }, 'primary'),
    button('Reject…', { kind: 'reject', handoffId }, 'danger'),
  ]);

const ordinal = (n: number): string =>
  `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;

const MOVE_WHY = { breach: 'SLA missed', manager: "the manager's call", away: 'away' } as const;

function factText(f: SlaFact, previous: SlaFact | undefined, slaLabel: string, zone: string): string {
  switch (f.kind) {
    case 'missed':
      return `<@${f.rep}> missed the ${slaLabel} SLA at ${slackDate(new Date(f.deadline), zone)}`;
    case 'moved': {
      // Right after "X missed", the reason goes without saying.
      const why =
        f.reason === 'breach' && previous?.kind === 'missed' && previous.rep === f.from
          ? ''
          : ` (<@${f.from}>: ${MOVE_WHY[f.reason]})`;
      return `the lead moved from <@${f.from}> to <@${f.to}> at ${slackDate(new Date(f.at), zone)}${why}; <@${f.to}> (${ordinal(f.holder)} rep) decides by ${slackDate(new Date(f.deadline), zone)}`;
    }
    case 'stuck':
      return `nobody else in the team can take it (everyone has had it or is away): since ${slackDate(new Date(f.at), zone)} it waits for the manager to decide`;
  }
}

/** What happened, in one line: "@Ana missed the 1 h SLA at 10:00; the lead moved from @Ana to @Bo at 10:30; @Bo (2nd rep) decides by 11:30". */
export function storyLine(story: readonly SlaFact[], slaLabel: string, zone: string): string {
  return story.map((f, i) => factText(f, story[i - 1], slaLabel, zone)).join('; ');
}

/** To the rep, partway through their own clock. */
export function renderReminder(l: EscalatedLead, deadline: Date, zone: string): Rendered {
  const text = `:alarm_clock: Reminder: ${leadLabel(l)} is waiting for your decision — decide by ${slackDate(deadline, zone)} (${l.slaLabel} SLA).`;
  return { text, blocks: [section(text), decideButtons(l.handoffId)] };
}

const REASON_TEXT = { breach: 'the SLA ran out', manager: 'their manager moved it', away: 'they are away' } as const;

/** To the rep who now holds a lead someone else had. */
export function renderReassigned(l: EscalatedLead, moved: Moved, zone: string): Rendered {
  const text = `:baton: ${leadLabel(l)} was reassigned to you from <@${moved.from}> (${REASON_TEXT[moved.reason]}). Decide by ${slackDate(new Date(moved.deadline), zone)} (${l.slaLabel} SLA).`;
  return { text, blocks: [section(text), decideButtons(l.handoffId)] };
}

/** In the lead's marketing thread: sales missed the SLA (and what followed, when told late). No @-mention: the manager has a DM already. */
export function renderBreachNote(story: readonly SlaFact[], slaLabel: string, zone: string): Rendered {
  const text = `:warning: SLA breached: ${storyLine(story, slaLabel, zone)}. The team's manager has been told.`;
  return { text, blocks: [section(text)] };
}

/** In the lead's marketing thread: one line per reassignment. */
export function renderThreadLine(story: readonly SlaFact[], slaLabel: string, zone: string): Rendered {
  const line = storyLine(story, slaLabel, zone);
  const text = `:baton: ${line.charAt(0).toUpperCase()}${line.slice(1)}.`;
  return { text, blocks: [section(text)] };
}

function outcomeText(o: NoticeOutcome, viewer: string, zone: string): string {
  const who = (u: string): string => (u === viewer ? 'you' : `<@${u}>`);
  switch (o.kind) {
    case 'open':
      return '';
    case 'waiting_for_manager':
      return ':hourglass: *Waiting for your decision.*';
    case 'acknowledged':
      return `:ballot_box_with_check: Acknowledged by ${who(o.by)} at ${slackDate(o.at, zone)}; still waiting for a decision.`;
    case 'accepted':
      return `:white_check_mark: Accepted by ${who(o.by)} at ${slackDate(o.at, zone)}.`;
    case 'rejected':
      return `:no_entry_sign: Rejected by ${who(o.by)} at ${slackDate(o.at, zone)}.`;
    case 'moved':
      return `:baton: Now with <@${o.to}>.`;
  }
}

function itemButtons(item: NoticeItem): KnownBlock[] {
  const id = item.handoffId;
  if (item.outcome.kind === 'open')
    return [
      actions(`escalation:${id}`, [
        button('Acknowledge', { kind: 'ack_escalation', handoffId: id }, 'primary'),
        button('Reassign', { kind: 'reassign', handoffId: id }),
      ]),
    ];
  if (item.outcome.kind === 'waiting_for_manager') return [decideButtons(id)];
  return [];
}

/** Each lead takes a section and an actions block; header and footer take two more. */
const NOTICE_ITEMS = Math.floor((LIMITS.blocks - 3) / 2);

/**
 * The grouped notice to a manager: every lead that needed them in one window, each with its
 * card link, its story in a line and its own buttons — or, once acted on, the outcome instead.
 */
export function renderNotices(items: readonly NoticeItem[], viewer: string, zone: string): Rendered {
  const shown = items.slice(0, NOTICE_ITEMS);
  const open = items.filter((i) => i.outcome.kind === 'open' || i.outcome.kind === 'waiting_for_manager').length;
  const title = `${items.length} lead${items.length === 1 ? '' : 's'} missed the SLA`;
  const item = (i: NoticeItem): KnownBlock[] => {
    const card = i.cardUrl ? ` · <${i.cardUrl}|card>` : '';
    const outcome = outcomeText(i.outcome, viewer, zone);
    return [
      section(`${leadLabel(i)}${card}\n${storyLine(i.story, i.slaLabel, zone)}.${outcome ? `\n${outcome}` : ''}`),
      ...itemButtons(i),
    ];
  };
  const more = items.length - shown.length;
  const text = `:rotating_light: ${title}${open < items.length ? ` (${open} still open)` : ''}: ${items.map((i) => field(i.name, 60)).join(', ')}`;
  return {
    text,
    blocks: [
      header(`${title}${open < items.length ? ` · ${open} open` : ''}`),
      ...shown.flatMap(item),
      ...(more > 0 ? [section(`…and ${more} more: see your overdue digest.`)] : []),
      context(
        'Acknowledge stops the repeats for a lead; Reassign hands it to the next rep in the round robin now. This message is kept up to date.',
      ),
    ],
  };
}

/** The manager's digest of everything overdue in a team: leads waiting for the manager first, then oldest first, each with its Reassign button. */
export function renderTeamDigest(teamName: string, leads: readonly DigestLead[], zone: string, now: Date): Rendered {
  const title = `Overdue in ${teamName}`;
  if (leads.length === 0) {
    const text = `${title}: nothing overdue. Every lead is within its SLA.`;
    return {
      text,
      blocks: [header(title), section(':white_check_mark: Nothing overdue: every lead is within its SLA.')],
    };
  }
  const ordered = [...leads.filter((l) => l.stuck), ...leads.filter((l) => !l.stuck)];
  // Header, summary and "more" leave room for this many leads inside Slack's 50 blocks.
  const shown = ordered.slice(0, LIMITS.blocks - 3);
  const item = (l: DigestLead): SectionBlock => ({
    ...section(
      `${l.stuck ? ':hourglass: *waiting for you* · ' : ''}${leadLabel(l)} · <@${l.repUserId}> · due ${slackDate(l.dueAt, zone)} · overdue ${formatElapsed((now.getTime() - l.dueAt.getTime()) / 60_000)}`,
    ),
    accessory: l.stuck
      ? button('Accept', { kind: 'accept', handoffId: l.handoffId }, 'primary')
      : button('Reassign', { kind: 'reassign', handoffId: l.handoffId }),
  });
  const more = leads.length - shown.length;
  const text = `${title}: ${leads.length} lead${leads.length === 1 ? '' : 's'} past due, oldest first.`;
  return {
    text,
    blocks: [
      header(title),
      section(escapeMrkdwn(text)),
      ...shown.map(item),
      ...(more > 0 ? [context(`…and ${more} more.`)] : []),
    ],
  };
}
