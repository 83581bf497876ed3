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

function entryLine(e: HistoryEntry, zone: string): string {
  const move = e.fromStage !== null && e.toStage !== null && e.fromStage !== e.toStage ? ` ${e.fromStage} → ${e.toStage}` : e.toStage !== null && e.fromStage === null ? ` → ${e.toStage}` : '';
  const actor = e.actor !== null && /^[UW][A-Z0-9]+$/.test(e.actor) ? ` by <@${e.actor}>` : e.actor !== null ? ` by ${field(e.actor, 60)}` : '';
  const reason = e.reason !== null ? `: _${escapeMrkdwn(e.reason)}_` : '';
  const detail = e.detail ? ` → ${field(e.detail, 300)}` : '';
  return `\`${DateTime.fromJSDate(e.at, { zone }).toFormat('yyyy-LL-dd HH:mm')}\` *${field(e.type.replace(/_/g, ' '), 40)}*${move}${actor}${reason}${detail}`;
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
  const top: KnownBlock[] = m.card ? m.card.blocks : [header(`Lead: ${plain(m.name, 100)}`), section(`Stage *${field(m.stage, 40)}* · score ${m.score} · never handed to sales`)];
  const { sections, dropped } = packLines(m.entries.map((e) => entryLine(e, m.zone)));
  const history: KnownBlock[] = [
    divider(),
    section(`*History* (${m.entries.length} event${m.entries.length === 1 ? '' : 's'}, times in ${m.zone})`),
    ...(dropped > 0 ? [context(`${dropped} earlier events not shown`)] : []),
    ...sections.map((s) => section(s)),
  ];
  return { text: `${m.card?.text ?? `Lead ${field(m.name, 100)}: stage ${m.stage}, score ${m.score}`} — ${m.entries.length} events`, blocks: [...top, ...history] };
}
