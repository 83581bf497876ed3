import type { App } from '@slack/bolt';
import { DateTime } from 'luxon';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { acceptHandoff } from '../../services/decisions.js';
import { slackErrorText } from '../errors.js';
import { ACTION_ID_PATTERN, parseAction } from '../ids.js';

/** Buttons on the MQL card: acknowledged at once, then decided in Postgres. */
export function registerCardButtons(app: App, ctx: ServiceContext, logger: Logger): void {
  app.action(ACTION_ID_PATTERN, async ({ ack, action, body, respond }) => {
    await ack();
    const say = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const parsed = 'action_id' in action ? parseAction(action.action_id) : undefined;
    if (!parsed) {
      await say('This button belongs to an older version of Baton and no longer works.');
      return;
    }
    try {
      switch (parsed.kind) {
        case 'accept': {
          const result = await acceptHandoff(ctx, parsed.handoffId, body.user.id);
          if (result.kind === 'already_decided') {
            const when = DateTime.fromJSDate(result.at, { zone: ctx.policy.calendar.timeZone }).toFormat('ccc d LLL HH:mm');
            await say(`Already ${result.status} by <@${result.by}> on ${when}.`);
          }
          return;
        }
        default:
          await say('Only Accept works in this version of Baton; Reject and the later steps are coming next.');
      }
    } catch (err) {
      await say(slackErrorText(err, logger));
    }
  });
}
