import type { KnownBlock, SectionBlock } from '@slack/types';
import { actions, button, context, header, LIMITS, section } from './blocks.js';
import { formatDue, formatElapsed } from './card.js';
import { escapeMrkdwn, field } from './escape.js';

/** One lead as an SLA message names it. */
export interface EscalatedLead {
  handoffId: string;
  name: string;
  company: string | null;
  repUserId: string;
  dueAt: Date;
  slaLabel: string;
}

type Rendered = { text: string; blocks: KnownBlock[] };

const leadLabel = (l: EscalatedLead): string => `*${field(l.name, 100)}*${l.company ? ` (${field(l.company, 100)})` : ''}`;

const decideButtons = (l: EscalatedLead) => actions(`decide:${l.handoffId}`, [button('Accept', { kind: 'accept', handoffId: l.handoffId }, 'primary'), button('Reject…', { kind: 'reject', handoffId: l.handoffId }, 'danger')]);

/** To the rep, partway through their clock. */
export function renderReminder(l: EscalatedLead, zone: string): Rendered {
  const text = `:alarm_clock: Reminder: ${leadLabel(l)} is waiting for your decision — decide by ${formatDue(l.dueAt, zone)} (${l.slaLabel} SLA).`;
  return { text, blocks: [section(text), decideButtons(l)] };
}

/** To the manager when the rep's time is up; repeats until someone acts. */
export function renderManagerNotice(l: EscalatedLead, zone: string, occurrence: number): Rendered {
  const again = occurrence > 1 ? ` (notice ${occurrence})` : '';
  const text = `:rotating_light: <@${l.repUserId}> has not decided ${leadLabel(l)}: the ${l.slaLabel} SLA ran out ${formatDue(l.dueAt, zone)}${again}.`;
  return {
    text,
    blocks: [
      section(text),
      actions(`escalation:${l.handoffId}`, [button('Acknowledge', { kind: 'ack_escalation', handoffId: l.handoffId }, 'primary'), button('Reassign', { kind: 'reassign', handoffId: l.handoffId })]),
      context('Acknowledge stops these notices; Reassign hands the lead to the next rep in the round robin now.'),
    ],
  };
}

/** In the lead's marketing thread: sales missed the SLA. */
export function renderBreachNote(l: EscalatedLead, zone: string, manager: string): Rendered {
  const text = `:warning: SLA breached: <@${l.repUserId}> has not decided within the ${l.slaLabel} SLA (due ${formatDue(l.dueAt, zone)}). <@${manager}> has been told.`;
  return { text, blocks: [section(text)] };
}

const REASON_TEXT = { breach: 'the SLA ran out', manager: 'their manager moved it', away: 'they are away' } as const;

/** To the rep who now holds a lead someone else had. */
export function renderReassigned(l: EscalatedLead, zone: string, from: string, reason: keyof typeof REASON_TEXT): Rendered {
  const text = `:baton: ${leadLabel(l)} was reassigned to you from <@${from}> (${REASON_TEXT[reason]}). Decide by ${formatDue(l.dueAt, zone)}.`;
  return { text, blocks: [section(text), decideButtons(l)] };
}

/** The manager's digest of everything overdue in a team, oldest first, each with its Reassign button. */
export function renderTeamDigest(teamName: string, leads: readonly EscalatedLead[], zone: string, now: Date): Rendered {
  const title = `Overdue in ${teamName}`;
  if (leads.length === 0) {
    const text = `${title}: nothing overdue. Every lead is within its SLA.`;
    return { text, blocks: [header(title), section(':white_check_mark: Nothing overdue: every lead is within its SLA.')] };
  }
  // Header, summary and "more" leave room for this many leads inside Slack's 50 blocks.
  const shown = leads.slice(0, LIMITS.blocks - 3);
  const item = (l: EscalatedLead): SectionBlock => ({
    ...section(`${leadLabel(l)} · <@${l.repUserId}> · due ${formatDue(l.dueAt, zone)} · overdue ${formatElapsed((now.getTime() - l.dueAt.getTime()) / 60_000)}`),
    accessory: button('Reassign', { kind: 'reassign', handoffId: l.handoffId }),
  });
  const more = leads.length - shown.length;
  const text = `${title}: ${leads.length} lead${leads.length === 1 ? '' : 's'} past due, oldest first.`;
  return { text, blocks: [header(title), section(escapeMrkdwn(text)), ...shown.map(item), ...(more > 0 ? [context(`…and ${more} more.`)] : [])] };
}
