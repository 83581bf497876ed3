import type { KnownBlock } from '@slack/types';
import { DateTime } from 'luxon';
import type { HistoryEntry } from '../../services/lead-history.js';
import { context, divider, header, section } from './blocks.js';
import { escapeMrkdwn, field, plain } from './escape.js';

/** Slack allows 50 blocks in a message; the card takes at most 8 of them. */
const HISTORY_SECTIONS = 30;
const SECTION_CHARS = 2900;

export interface LeadHistoryModel {
  /** The lead's card exactly as the team channel shows it, when it ever was an MQL. */
  card: { text: string; blocks: KnownBlock[] } | undefined;
  name: string;
  stage: string;
  score: number;
  entries: HistoryEntry[];
  zone: string;
}

/*
 * The history is read by people, so every internal id becomes words: event types, stages, the
 * automatic actors and the reasons Baton records (rejection and lost reasons arrive as the
 * policy's labels already). An id this list does not know is shown with its underscores as spaces.
 */
const EVENT_WORDS: Record<string, string> = {
  created: 'Lead created',
  handoff_started: 'Handed to sales',
  assigned: 'Assigned',
  reassigned: 'Reassigned',
  accepted: 'Accepted',
  rejected: 'Rejected',
  qualified: 'Qualified (SQL)',
  opportunity: 'Opportunity opened',
  won: 'Won',
  nurtured: 'Back to marketing nurture',
  disqualified: 'Disqualified',
  lost: 'Lost',
  sla_reminder: 'SLA reminder sent to the rep',
  sla_escalated: 'SLA escalated to the manager',
  sla_breached: 'SLA breached',
  reassign_skipped: 'Could not reassign',
  escalation_acknowledged: 'Escalation acknowledged',
};
const STAGE_WORDS: Record<string, string> = {
  lead: 'lead',
  mql: 'MQL',
  sal: 'accepted',
  sql: 'SQL',
  opportunity: 'opportunity',
  customer: 'customer',
  rejected: 'rejected',
  nurture: 'nurture',
  disqualified: 'disqualified',
  lost: 'lost',
};
const ACTOR_WORDS: Record<string, string> = { baton: 'Baton, automatically', import: 'the history import' };
const REASON_WORDS: Record<string, string> = {
  score_threshold: 'the score reached the MQL threshold',
  mql_from_sender: 'marketing automation marked it an MQL',
  import: 'imported history',
  breach: 'the rep did not decide within the SLA',
  away: 'the rep is away',
  manager: 'the manager moved it',
};
const words = (table: Record<string, string>, id: string): string => table[id] ?? id.replace(/_/g, ' ');

function entryLine(e: HistoryEntry, zone: string): string {
  const stage = (s: string): string => field(words(STAGE_WORDS, s), 40);
  const move =
    e.fromStage !== null && e.toStage !== null && e.fromStage !== e.toStage
      ? ` ${stage(e.fromStage)} → ${stage(e.toStage)}`
      : e.toStage !== null && e.fromStage === null
        ? ` → ${stage(e.toStage)}`
        : '';
  const actor =
    e.actor !== null && /^[UW][A-Z0-9]+$/.test(e.actor)
      ? ` by <@${e.actor}>`
      : e.actor !== null
        ? ` by ${field(words(ACTOR_WORDS, e.actor), 60)}`
        : '';
  const reason = e.reason !== null ? `: _${escapeMrkdwn(words(REASON_WORDS, e.reason))}_` : '';
  const detail = e.detail ? ` → ${field(e.detail, 300)}` : '';
  return `\`${DateTime.fromJSDate(e.at, { zone }).toFormat('yyyy-LL-dd HH:mm')}\` *${field(words(EVENT_WORDS, e.type), 40)}*${move}${actor}${reason}${detail}`;
}

/** Lines packed into as few sections as fit, newest kept when they do not all fit. */
function packLines(lines: readonly string[]): { sections: string[]; dropped: number } {
  const sections: string[] = [];
  let current = '';
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (current !== '' && current.length + line.length + 1 > SECTION_CHARS) {
      sections.unshift(current);
      if (sections.length >= HISTORY_SECTIONS) return { sections, dropped: i + 1 };
      current = '';
    }
    current = current === '' ? line : `${line}\n${current}`;
  }
  if (current !== '') sections.unshift(current);
  return { sections, dropped: 0 };
}

/** `/baton lead`: the card, then every event of the lead in order, in the reader's zone. */
export function renderLeadHistory(m: LeadHistoryModel): { text: string; blocks: KnownBlock[] } {
  const top: KnownBlock[] = m.card
    ? m.card.blocks
    : [
        header(`Lead: ${plain(m.name, 100)}`),
        section(`Stage *${field(m.stage, 40)}* · score ${m.score} · never handed to sales`),
      ];
  const { sections, dropped } = packLines(m.entries.map((e) => entryLine(e, m.zone)));
  const history: KnownBlock[] = [
    divider(),
    section(`*History* (${m.entries.length} event${m.entries.length === 1 ? '' : 's'}, times in ${m.zone})`),
    ...(dropped > 0 ? [context(`${dropped} earlier events not shown`)] : []),
    ...sections.map((s) => section(s)),
  ];
  return {
    text: `${m.card?.text ?? `Lead ${field(m.name, 100)}: stage ${m.stage}, score ${m.score}`} — ${m.entries.length} events`,
    blocks: [...top, ...history],
  };
}
