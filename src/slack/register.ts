import type { App } from '@slack/bolt';
import type { Logger } from '../log.js';
import type { ServiceContext } from '../services/context.js';
import { registerCardButtons } from './actions/card-buttons.js';
import { registerShareReport } from './actions/share-report.js';
import { registerShowChart } from './actions/show-chart.js';
import { registerRejectReason } from './actions/reject-reason.js';
import { registerBatonCommand } from './commands/baton.js';
import { registerFunnelCommand } from './commands/funnel.js';
import { registerLeadGoalCommand } from './commands/leadgoal.js';
import { registerVelocityCommand } from './commands/velocity.js';
import { registerAppHomeOpened } from './events/app-home-opened.js';
import { registerProgressSubmissions } from './submissions/progress.js';
import { registerRejectSubmission } from './submissions/reject.js';

/** Every Slack surface Baton listens on, registered in one place. */
export function registerListeners(app: App, ctx: ServiceContext, logger: Logger): void {
  registerBatonCommand(app, ctx, logger);
  registerCardButtons(app, ctx, logger);
  registerRejectSubmission(app, ctx, logger);
  registerProgressSubmissions(app, ctx, logger);
  registerFunnelCommand(app, ctx, logger);
  registerVelocityCommand(app, ctx, logger);
  registerLeadGoalCommand(app, ctx, logger);
  registerShareReport(app, ctx, logger);
  registerShowChart(app, ctx, logger);
  registerRejectReason(app, ctx, logger);
  registerAppHomeOpened(app, ctx, logger);
  app.error(async (err) => {
    logger.error({ err }, 'slack listener failed');
    return Promise.resolve();
  });
}
