import type { SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { leadHistory } from '../../services/lead-history.js';
import { slackErrorText } from '../errors.js';
import { cardModel } from '../models.js';
import { renderLeadCard } from '../views/card.js';
import { escapeMrkdwn } from '../views/escape.js';
import { renderLeadHistory } from '../views/lead-history.js';
import { leadDisplayName } from '../../domain/lead.js';

/**
 * `/baton lead EMAIL`, privately: acknowledged first, then the lead's card (as its team channel
 * shows it, times in the asker's zone) and its history. The email is personal data: it is
 * echoed to the asker only, never logged.
 */
export async function answerLeadCommand(
  ctx: ServiceContext,
  logger: Logger,
  askerId: string,
  email: string,
  io: Pick<SlackCommandMiddlewareArgs, 'ack' | 'respond'>,
): Promise<void> {
  await io.ack();
  let reply: { text: string; blocks?: ReturnType<typeof renderLeadHistory>['blocks'] };
  try {
    const found = await leadHistory(ctx, askerId, email);
    reply = found
      ? renderLeadHistory({
          card: found.handoff
            ? renderLeadCard({ ...cardModel(found.handoff, ctx.policy), zone: found.zone })
            : undefined,
          name: leadDisplayName(found.lead),
          stage: found.lead.stage,
          score: found.lead.score,
          entries: found.entries,
          zone: found.zone,
        })
      : {
          text: `No lead in Baton has the email ${escapeMrkdwn(email)}. Check the spelling, or look the lead up in your CRM: Baton only knows leads marketing sent it.`,
        };
  } catch (err) {
    reply = { text: slackErrorText(err, logger) };
  }
  await io.respond({ response_type: 'ephemeral', ...reply });
}
