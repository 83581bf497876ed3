import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { reportCommandListener } from './report-command.js';

/** `/velocity` (docs/reports.md): see USAGE in report-command.ts. */
export function registerVelocityCommand(app: App, ctx: ServiceContext, logger: Logger): void {
  app.command('/velocity', reportCommandListener(ctx, logger, '/velocity'));
}
