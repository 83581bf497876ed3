import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { slackErrorText } from '../errors.js';
import { parseShareReport, SHARE_REPORT_ACTION_ID } from '../ids.js';
import { parseReportCommand, renderReport } from '../commands/report-command.js';
import { sharedBy } from '../views/report-messages.js';

/**
 * "Share in channel" under an ephemeral report: runs the same command again and posts it in the
 * channel through response_url, as the person who clicked (no extra scope needed). The post says
 * who shared it: Baton posts it, and a report nobody seems to have asked for gets ignored.
 */
export function registerShareReport(app: App, ctx: ServiceContext, logger: Logger): void {
  app.action(SHARE_REPORT_ACTION_ID, async ({ ack, action, body, respond }) => {
    await ack();
    const share = action.type === 'button' ? parseShareReport(action.value ?? '') : undefined;
    const parsed = share ? parseReportCommand(share) : undefined;
    if (!parsed?.ok) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'This report can no longer be shared; run the command again.',
      });
      return;
    }
    try {
      await respond({
        response_type: 'in_channel',
        replace_original: false,
        ...sharedBy(await renderReport(ctx, parsed.value), body.user.id),
      });
    } catch (err) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: slackErrorText(err, logger) });
    }
  });
}
