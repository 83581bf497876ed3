import type { KnownBlock } from '@slack/types';
import { DateTime } from 'luxon';
import { actions, button, context, divider, fields, header, section } from './blocks.js';
import { escapeMrkdwn, field, plain } from './escape.js';

/** What the MQL card shows; plain data, built from a handoff by the Slack adapter. */
export interface LeadCardModel {
  handoffId: string;
  name: string;
  title: string | null;
  company: string | null;
  employees: number | null;
  country: string | null;
  persona: string | null;
  channel: string | null;
  source: string;
  email: string | null;
  score: number;
  /** Already formatted: "+30 demo request", "−20 free-mail address". */
  breakdown: string[];
  /** Newest first. */
  activities: { type: string; at: Date }[];
  repUserId: string;
  /** The zone of the fallbacks and plain text (the team calendar's): in mrkdwn each reader sees their own. */
  zone: string;
  /** The rep's own deadline. */
  dueAt: Date;
  /** "2 d", "1 h": the SLA as the tier states it. */
  slaLabel: string;
  assignedVia: string | null;
  /** The latest change of hands, when the lead was moved. */
  reassignedFrom?: { rep: string; reason: 'breach' | 'manager' | 'away' } | undefined;
  /** The rep's deadline passed, undecided. */
  overdue: boolean;
  /** Nobody else in the team can take it: the team's manager decides. */
  waitingFor?: { manager: string } | undefined;
  /** Why this rep, in one short line ("round-robin: Bo was away, Ana at cap"); none for imported history. */
  why: string | null;
  state: CardState;
}

/**
 * An accepted lead that changed hands: the decider's own time (from when it reached them) is told
 * apart from the handoff's, and the SLA is laid at the door of who missed it, not the decider.
 */
export interface HandedOn {
  ownElapsedLabel: string;
  missedBy: string[];
}

/** The latest step after acceptance: who moved the lead where, and why when it was lost. */
export interface Progress {
  stage: string;
  by: string;
  reasonLabel?: string | undefined;
}

export type CardState =
  | { kind: 'pending' }
  | {
      kind: 'accepted';
      by: string;
      at: Date;
      elapsedLabel: string;
      withinSla: boolean;
      stage: string;
      progress?: Progress | undefined;
      handedOn?: HandedOn | undefined;
    }
  | {
      kind: 'rejected';
      by: string;
      at: Date;
      reasonLabel: string;
      note: string | null;
      outcome: 'nurture' | 'disqualify';
    };

export interface MarketingNoteModel {
  handoffId: string;
  name: string;
  company: string | null;
  score: number;
  teamName: string;
  repUserId: string;
  slaLabel: string;
  dueAt: Date;
  zone: string;
}

const SHOWN_ACTIVITIES = 5;

/** The lead as a line of mrkdwn: name (company). */
const leadLabel = (m: { name: string; company: string | null }): string =>
  `${field(m.name, 100)}${m.company ? ` (${field(m.company, 100)})` : ''}`;

/** "Tue 14:00 CET" in the reader's zone. */
/** Locales whose short zone names cover the common zones (CET, EST, JST, IST, AEDT …); en-US alone says "GMT+1". */
const ZONE_NAME_LOCALES = ['en-US', 'en-GB', 'ja-JP', 'en-IN', 'en-AU', 'ko-KR', 'en-NZ', 'en-SG'];

// Building a formatter costs a hundred times using one, and every card and reminder names a zone.
const zoneNameFormats = new Map<string, Intl.DateTimeFormat>();
function zoneNameFormat(locale: string, zone: string): Intl.DateTimeFormat {
  const key = `${locale} ${zone}`;
  let format = zoneNameFormats.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' });
    zoneNameFormats.set(key, format);
  }
  return format;
}

/** The zone's common abbreviation at that instant (CET in winter, CEST in summer), else its offset. */
export function zoneAbbreviation(at: Date, zone: string): string {
  let offset = '';
  for (const locale of ZONE_NAME_LOCALES) {
    const name =
      zoneNameFormat(locale, zone)
        .formatToParts(at)
        .find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (/^[A-Z]{2,5}$/.test(name)) return name;
    offset ||= name;
  }
  return offset || zone;
}

/** "Tue 1 Dec 14:00 CET": an instant in a zone named as people name it. For plain_text and fallbacks. */
export function formatDue(at: Date, zone: string): string {
  return `${DateTime.fromJSDate(at, { zone }).toFormat('ccc d LLL HH:mm')} ${zoneAbbreviation(at, zone)}`;
}

/**
 * An instant in mrkdwn as Slack's date token: each reader sees it in their own zone; clients that
 * cannot render it show the fallback, in `zone` (the policy's).
 */
export function slackDate(at: Date, zone: string): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${formatDue(at, zone)}>`;
}

/** "45 min", "1 h 12 min", "2 d 3 h", with `d` as days of `hoursPerDay`. */
export function formatElapsed(minutes: number, hoursPerDay = 24): string {
  const m = Math.max(0, Math.round(minutes));
  const dayMinutes = hoursPerDay * 60;
  const d = Math.floor(m / dayMinutes);
  const h = Math.floor((m % dayMinutes) / 60);
  const min = m % 60;
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return min > 0 ? `${h} h ${min} min` : `${h} h`;
  return `${min} min`;
}

function activityLine(a: { type: string; at: Date }, zone: string): string {
  return `${field(a.type.replace(/_/g, ' '), 60)} · ${DateTime.fromJSDate(a.at, { zone }).toFormat('d LLL HH:mm')}`;
}

const MOVED_WHY = { breach: 'SLA missed', manager: "manager's call", away: 'away' } as const;

function headline(m: LeadCardModel): string {
  if (m.state.kind !== 'pending') return 'New MQL';
  if (m.waitingFor) return 'Overdue MQL, waiting for the manager';
  if (m.overdue) return 'Overdue MQL';
  return m.reassignedFrom ? 'Reassigned MQL' : 'New MQL';
}

/** The card a rep decides on: who, why it is an MQL, by when, and the two buttons; later, its story. */
export function renderLeadCard(m: LeadCardModel): { text: string; blocks: KnownBlock[] } {
  const who = plain(m.name, 100);
  const heading = m.company ? `${who} — ${plain(m.company, 40)}` : who;
  const shown = m.activities.slice(0, SHOWN_ACTIVITIES);
  const more = m.activities.length - shown.length;
  const blocks: KnownBlock[] = [
    header(`${headline(m)}: ${heading}`),
    fields([
      ['Title', field(m.title)],
      ['Company', field(m.company)],
      ['Size', m.employees === null ? '—' : `${m.employees.toLocaleString('en-US')} employees`],
      ['Country', field(m.country, 10)],
      ['Persona', field(m.persona, 60)],
      ['Channel / source', `${field(m.channel, 60)} / ${field(m.source, 60)}`],
      ['Email', field(m.email, 320)],
    ]),
    section(
      `*Score ${m.score}* — why this is an MQL:\n${m.breakdown.length > 0 ? m.breakdown.map((l) => escapeMrkdwn(l)).join('\n') : '_marked MQL by marketing automation_'}`,
    ),
  ];
  if (shown.length > 0)
    blocks.push(
      context(
        `*Recent activity:* ${shown.map((a) => activityLine(a, m.zone)).join('  ·  ')}${more > 0 ? `  ·  and ${more} more` : ''}`,
      ),
    );
  blocks.push(divider(), ...stateBlocks(m));
  return {
    text: `${headline(m)} for <@${m.repUserId}>: ${field(m.name, 100)}${m.company ? ` (${field(m.company, 100)})` : ''}, score ${m.score}, decide by ${slackDate(m.dueAt, m.zone)}`,
    blocks,
  };
}

function pendingLine(m: LeadCardModel): string {
  const from = m.reassignedFrom
    ? ` · reassigned from <@${m.reassignedFrom.rep}>, ${MOVED_WHY[m.reassignedFrom.reason]}`
    : '';
  const assigned = `Assigned to <@${m.repUserId}>${m.assignedVia === 'manager_fallback' || m.assignedVia === 'capacity_fallback' ? ' (no rep was available)' : ''}${from}`;
  const due = slackDate(m.dueAt, m.zone);
  if (m.waitingFor)
    return `:hourglass: *Overdue — waiting for the manager* <@${m.waitingFor.manager}> to decide: nobody else in the team can take it. ${assigned} · time ran out at ${due} (${m.slaLabel} SLA)`;
  if (m.overdue) return `:red_circle: *Overdue* since ${due} (${m.slaLabel} SLA) · ${assigned}`;
  return `${assigned} · *decide by ${due}* (${m.slaLabel} SLA)`;
}

function stateBlocks(m: LeadCardModel): KnownBlock[] {
  switch (m.state.kind) {
    case 'pending':
      return [
        section(pendingLine(m)),
        ...(m.why !== null ? [context(`Why this rep: ${escapeMrkdwn(m.why)}`)] : []),
        actions(`card:${m.handoffId}`, [
          button('Accept', { kind: 'accept', handoffId: m.handoffId }, 'primary'),
          button('Reject…', { kind: 'reject', handoffId: m.handoffId }, 'danger'),
        ]),
      ];
    case 'accepted': {
      const lines = [`:white_check_mark: ${acceptedLine(m.state, m.slaLabel)} · ${slackDate(m.state.at, m.zone)}`];
      if (m.state.progress) lines.push(progressLine(m.state.progress));
      const next = NEXT_STEPS[m.state.stage] ?? [];
      const buttons = next.map(([label, kind]) =>
        button(label, { kind, handoffId: m.handoffId }, kind === 'won' ? 'primary' : undefined),
      );
      return [section(lines.join('\n')), ...(buttons.length > 0 ? [actions(`next:${m.handoffId}`, buttons)] : [])];
    }
    case 'rejected':
      return [section(`:no_entry_sign: ${rejectedLine(m.state)} · ${slackDate(m.state.at, m.zone)}`)];
  }
}

/** What a rep can do next, by the lead's stage after acceptance (docs/lifecycle.md). */
const NEXT_STEPS: Record<string, [string, 'qualify' | 'opportunity' | 'won' | 'lost' | 'return'][]> = {
  sal: [
    ['Qualify…', 'qualify'],
    ['Return to marketing', 'return'],
    ['Lost…', 'lost'],
  ],
  sql: [
    ['Opportunity', 'opportunity'],
    ['Lost…', 'lost'],
  ],
  opportunity: [
    ['Won', 'won'],
    ['Lost…', 'lost'],
  ],
};

const PROGRESS_TEXT: Record<string, string> = {
  sql: ':chart_with_upwards_trend: Qualified (SQL)',
  opportunity: ':briefcase: Opportunity opened',
  customer: ':trophy: Won',
  lost: ':x: Lost',
  nurture: ':leftwards_arrow_with_hook: Returned to marketing',
};

function progressLine(p: Progress): string {
  return `${PROGRESS_TEXT[p.stage] ?? p.stage} by <@${p.by}>${p.reasonLabel ? `: *${escapeMrkdwn(p.reasonLabel)}*` : ''}`;
}

function rejectedLine(s: {
  by: string;
  reasonLabel: string;
  note: string | null;
  outcome: 'nurture' | 'disqualify';
}): string {
  const then = s.outcome === 'disqualify' ? 'disqualified' : 'back to marketing (nurture)';
  return `Rejected by <@${s.by}>: *${escapeMrkdwn(s.reasonLabel)}* — ${then}${s.note ? `\n> ${field(s.note, 2000)}` : ''}`;
}

function acceptedLine(
  s: { by: string; elapsedLabel: string; withinSla: boolean; handedOn?: HandedOn | undefined },
  slaLabel: string,
): string {
  if (!s.handedOn)
    return `Accepted by <@${s.by}> in ${s.elapsedLabel} — ${s.withinSla ? 'within' : 'outside'} the ${slaLabel} SLA`;
  const missed =
    s.handedOn.missedBy.length > 0 ? `, missed by ${s.handedOn.missedBy.map((u) => `<@${u}>`).join(', ')}` : '';
  return `Accepted by <@${s.by}> ${s.handedOn.ownElapsedLabel} after it reached them — the handoff took ${s.elapsedLabel}, ${s.withinSla ? 'within' : 'outside'} the ${slaLabel} SLA${missed}`;
}

export type ThreadEvent =
  | {
      kind: 'accepted';
      by: string;
      elapsedLabel: string;
      withinSla: boolean;
      slaLabel: string;
      handedOn?: HandedOn | undefined;
    }
  | { kind: 'rejected'; by: string; reasonLabel: string; note: string | null; outcome: 'nurture' | 'disqualify' }
  | { kind: 'progress'; progress: Progress };

/** A reply under the lead's marketing note: what sales did with it, and why. */
export function renderThreadReply(event: ThreadEvent): { text: string; blocks: KnownBlock[] } {
  const text =
    event.kind === 'accepted'
      ? `:white_check_mark: ${acceptedLine(event, event.slaLabel)}.`
      : event.kind === 'rejected'
        ? `:no_entry_sign: ${rejectedLine(event)}`
        : progressLine(event.progress);
  return { text, blocks: [section(text)] };
}

/**
 * A thread reply posted in the channel because the thread's parent (the handoff note) was
 * deleted: without the thread, the reply must say which lead it is about.
 */
export function renderUnthreaded(
  lead: { name: string; company: string | null },
  reply: { text: string; blocks: KnownBlock[] },
): { text: string; blocks: KnownBlock[] } {
  const label = leadLabel(lead);
  return {
    text: `*${label}*: ${reply.text}`,
    blocks: [context(`About *${label}* (its handoff note was deleted, so not in a thread)`), ...reply.blocks],
  };
}

/** The handoff note in the marketing channel: the thread every later decision and breach replies under. */
export function renderMarketingNote(m: MarketingNoteModel): { text: string; blocks: KnownBlock[] } {
  const lead = `${field(m.name, 100)}${m.company ? ` (${field(m.company, 100)})` : ''}`;
  const text = `Handed to sales: *${lead}*, score ${m.score} → ${escapeMrkdwn(m.teamName)}, <@${m.repUserId}> · ${m.slaLabel} SLA, due ${slackDate(m.dueAt, m.zone)}`;
  return {
    text,
    blocks: [
      section(text),
      context('Decisions, rejection reasons and SLA breaches for this lead are posted in this thread.'),
    ],
  };
}

/** What a clicker is told when someone else decided first. */
export function alreadyDecidedText(result: { status: string; by: string; at: Date }, zone: string): string {
  return `Already ${result.status} by <@${result.by}> on ${DateTime.fromJSDate(result.at, { zone }).toFormat('ccc d LLL HH:mm')}.`;
}
