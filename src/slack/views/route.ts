import type { KnownBlock } from '@slack/types';
import { context, section } from './blocks.js';
import { escapeMrkdwn } from './escape.js';

/** What `/baton route` answers: plain data, built from a dry run. */
export interface DryRunModel {
  teamName: string;
  teamChannel: string;
  tierId: string;
  /** "4 h", "2 d" on the tier's clock. */
  tierTarget: string;
  rep: string;
  why: string;
  score: number;
  mql: boolean;
  threshold: number;
  breakdown: string[];
  missingFields: string[];
}

/** "1d 4h" as people say it: "1 d 4 h", "30 min". */
export function durationLabel(d: { days: number; hours: number; minutes: number }): string {
  return [d.days > 0 ? `${d.days} d` : '', d.hours > 0 ? `${d.hours} h` : '', d.minutes > 0 ? `${d.minutes} min` : '']
    .filter(Boolean)
    .join(' ');
}

/** The dry run's answer: team, tier, rep and why, and the score with its breakdown. Nothing was stored. */
export function renderDryRun(m: DryRunModel): { text: string; blocks: KnownBlock[] } {
  const where = `*${escapeMrkdwn(m.teamName)}* (<#${m.teamChannel}>) · SLA tier *${escapeMrkdwn(m.tierId)}* (${m.tierTarget}) · <@${m.rep}> — ${escapeMrkdwn(m.why)}`;
  const qualifies = m.mql
    ? 'an MQL: it would be handed to sales'
    : `not an MQL${m.score < m.threshold ? ` (below ${m.threshold})` : ''}${m.missingFields.length > 0 ? `, missing ${m.missingFields.join(', ')}` : ''}: it would be stored, not handed over`;
  const score = `*Score ${m.score}*, ${qualifies}${m.breakdown.length > 0 ? `\n${m.breakdown.map((l) => escapeMrkdwn(l)).join('\n')}` : ''}`;
  return {
    text: `Dry run: ${m.teamName}, ${m.tierId}, <@${m.rep}> (${m.why}), score ${m.score}`,
    blocks: [
      section(`*Dry run:* this lead would go to ${where}`),
      section(score),
      context('Nothing was stored. Change the policy and ask again to compare.'),
    ],
  };
}
