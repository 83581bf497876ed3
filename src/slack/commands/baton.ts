import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { repByName, setRepAway } from '../../services/reps.js';
import { slackErrorText } from '../errors.js';
import { answerReportCommand } from './report-command.js';
import { answerLeadCommand } from './baton-lead.js';
import { answerRouteCommand } from './baton-route.js';
import { renderBatonHelp } from '../views/help.js';

/** Whom away/back is for: a mention (a Slack id), or a name as typed (`@Ana`, `Ana Andersson`). */
export type RepTarget = { user: string } | { name: string };

export type BatonCommand =
  | { kind: 'help' }
  | { kind: 'away'; target: RepTarget | undefined; from: string | undefined; until: string | undefined }
  | { kind: 'back'; target: RepTarget | undefined }
  | { kind: 'pace' }
  | { kind: 'lead'; email: string }
  | { kind: 'route'; fields: Record<string, string> }
  | { kind: 'unknown'; input: string };

const MENTION = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/;

/** The words naming a rep: a mention as Slack escapes it, else a name with or without `@`. */
function repTarget(words: readonly string[]): RepTarget | undefined {
  if (words.length === 0) return undefined;
  const id = words.length === 1 ? MENTION.exec(words[0]!)?.[1] : undefined;
  if (id !== undefined) return { user: id };
  const name = words.join(' ').replace(/^@/, '').trim();
  return name === '' || /[<>]/.test(name) ? undefined : { name };
}

/** Total parser for `/baton …` text (mentions arrive escaped as `<@U123|name>`, or as typed without escaping). */
export function parseBatonCommand(text: string): BatonCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const sub = words[0]?.toLowerCase();
  if (sub === undefined || sub === 'help') return { kind: 'help' };
  const rest = words.slice(1);
  // The rep's words end where the away period's first keyword starts.
  const periodAt = rest.findIndex((w) => ['from', 'until'].includes(w.toLowerCase()));
  const who = periodAt === -1 ? rest : rest.slice(0, periodAt);
  const afterTarget = periodAt === -1 ? [] : rest.slice(periodAt);
  const target = repTarget(who);
  const understood = who.length === 0 || target !== undefined;
  if (sub === 'back' && understood && periodAt === -1) return { kind: 'back', target };
  if (sub === 'pace' && rest.length === 0) return { kind: 'pace' };
  // With should_escape Slack sends an email as <mailto:a@b.io|a@b.io>.
  const email = rest.length === 1 ? (/^<mailto:([^|>]+)(\|[^>]*)?>$/.exec(rest[0]!)?.[1] ?? rest[0]!) : undefined;
  if (sub === 'lead' && email !== undefined && /^[^\s@<>|]+@[^\s@<>|]+$/.test(email)) return { kind: 'lead', email };
  if (sub === 'route' && rest.length > 0) {
    // key=value pairs; an email arrives escaped as <mailto:a@b.io|a@b.io>, a URL as <https://…>.
    const pairs = rest.map((w) => /^([A-Za-z]+)=(.+)$/.exec(w));
    if (pairs.every((p) => p !== null))
      return {
        kind: 'route',
        fields: Object.fromEntries(
          pairs.map((p) => [p[1]!, p[2]!.replace(/^<(?:mailto:)?([^|>]+)(\|[^>]*)?>$/, '$1')]),
        ),
      };
  }
  if (sub === 'away' && understood) {
    // [from DAY] [until DAY], in that order.
    const days: Record<string, string> = {};
    let i = 0;
    for (const word of ['from', 'until']) {
      if (afterTarget[i]?.toLowerCase() === word && /^\d{4}-\d{2}-\d{2}$/.test(afterTarget[i + 1] ?? '')) {
        days[word] = afterTarget[i + 1]!;
        i += 2;
      }
    }
    if (i === afterTarget.length) return { kind: 'away', target, from: days.from, until: days.until };
  }
  return { kind: 'unknown', input: text.trim() };
}

/** `/baton`: help, and away/back for a rep (themselves, or a manager for one of their reps). */
export function registerBatonCommand(app: App, ctx: ServiceContext, logger: Logger): void {
  app.command('/baton', async ({ ack, command, respond }) => {
    const parsed = parseBatonCommand(command.text);
    switch (parsed.kind) {
      case 'help':
        await ack({ response_type: 'ephemeral', ...renderBatonHelp() });
        return;
      case 'unknown':
        await ack({ response_type: 'ephemeral', ...renderBatonHelp(parsed.input) });
        return;
      case 'pace':
        await answerReportCommand(ctx, logger, { command: '/baton', text: 'pace' }, { ack, respond });
        return;
      case 'lead':
        await answerLeadCommand(ctx, logger, command.user_id, parsed.email, { ack, respond });
        return;
      case 'route':
        await answerRouteCommand(ctx, logger, parsed.fields, { ack, respond });
        return;
      case 'away':
      case 'back': {
        let text: string;
        try {
          const target =
            parsed.target === undefined
              ? command.user_id
              : 'user' in parsed.target
                ? parsed.target.user
                : repByName(ctx.policy, parsed.target.name);
          const days = parsed.kind === 'away' ? { from: parsed.from, until: parsed.until } : {};
          const { from, until, reassigned } = await setRepAway(
            ctx,
            command.user_id,
            target,
            parsed.kind === 'away',
            days,
          );
          const who = target === command.user_id ? 'You are' : `<@${target}> is`;
          const later = target === command.user_id ? 'your' : 'their';
          text =
            parsed.kind === 'back'
              ? `${who} back: new leads will be assigned again.`
              : from && until
                ? `${who} away from ${days.from} until ${days.until}: no new leads in that time, and ${later} undecided leads go to teammates when it starts.`
                : from
                  ? `${who} away from ${days.from}: no new leads from then until \`/baton back\`, and ${later} undecided leads go to teammates when it starts.`
                  : until
                    ? `${who} away until ${days.until}: no new leads before then.`
                    : `${who} away: no new leads until \`/baton back\`.`;
          if (reassigned > 0)
            text += ` ${reassigned} undecided lead${reassigned === 1 ? ' was' : 's were'} handed to teammates.`;
        } catch (err) {
          text = slackErrorText(err, logger);
        }
        await ack({ response_type: 'ephemeral', text });
        return;
      }
    }
  });
}
