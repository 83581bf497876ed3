import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { sendReportChart } from '../charts.js';
import { parseReportCommand } from '../commands/report-command.js';
import { slackErrorText } from '../errors.js';
import { parseShareReport, SHOW_CHART_ACTION_ID } from '../ids.js';

/** "Show chart" under a funnel or velocity report: the same report, drawn, in the clicker's DM with Baton. */
export function registerShowChart(app: App, ctx: ServiceContext, logger: Logger): void {
  app.action(SHOW_CHART_ACTION_ID, async ({ ack, action, body, client, respond }) => {
    await ack();
    const share = action.type === 'button' ? parseShareReport(action.value ?? '') : undefined;
    const parsed = share ? parseReportCommand(share) : undefined;
    const req = parsed?.ok ? parsed.value : undefined;
    if (req?.command !== '/funnel' && req?.command !== '/velocity') {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'This report has no chart; run `/funnel` or `/velocity` again.',
      });
      return;
    }
    try {
      const text = await sendReportChart(ctx, client, body.user.id, {
        report: req.command === '/funnel' ? 'funnel' : 'velocity',
        period: req.period,
      });
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    } catch (err) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: slackErrorText(err, logger) });
    }
  });
}
