import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { reportCommandListener } from './report-command.js';

/** `/leadgoal` (docs/reports.md): see USAGE in report-command.ts. */
export function registerLeadGoalCommand(app: App, ctx: ServiceContext, logger: Logger): void {
  app.command('/leadgoal', reportCommandListener(ctx, logger, '/leadgoal'));
}
