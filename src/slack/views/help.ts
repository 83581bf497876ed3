import type { KnownBlock } from '@slack/types';

// Grows with each command as it ships: help never advertises what does not work yet.
const USAGE = [
  '`/baton help` — this help',
  '`/baton away [from 2026-12-01] [until 2026-12-05]` — no new leads for you in that time, back on the morning of the `until` day (a manager can add `@rep`)',
  '`/baton back` — take leads again (a manager can add `@rep`)',
  "`/baton pace` — this month's MQLs against the monthly goal",
  '`/funnel [week|month|quarter|…] [by channel|persona|source|team|rep]`, `/velocity [period] [by rep|team]`, `/leadgoal revenue=… deal=… close=…% sql=…%` — reports, only for you until you share them',
  "`/baton lead EMAIL` — a lead's card and its whole history, only for you",
  '`/baton route email=… country=… employees=… channel=… [activity=demo_request]` — a dry run: which team, SLA tier and rep a lead would get now and why, and its score; nothing is stored',
];

/** Help for `/baton`; `unknown` is what the user typed that we did not understand. */
export function renderBatonHelp(unknown?: string): { text: string; blocks: KnownBlock[] } {
  const intro =
    unknown === undefined
      ? "*Baton* hands marketing's leads to sales and keeps the clock."
      : `Baton does not know \`${unknown.replace(/[`<>&]/g, '')}\`. Here is what it understands:`;
  const text = [intro, ...USAGE].join('\n');
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
