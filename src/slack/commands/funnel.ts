import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { reportCommandListener } from './report-command.js';

/** `/funnel` (docs/reports.md): see USAGE in report-command.ts. */
export function registerFunnelCommand(app: App, ctx: ServiceContext, logger: Logger): void {
  app.command('/funnel', reportCommandListener(ctx, logger, '/funnel'));
}
