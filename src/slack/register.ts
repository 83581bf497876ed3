import type { App } from '@slack/bolt';
import type { Logger } from '../log.js';
import { registerBatonCommand } from './commands/baton.js';

/** Every Slack surface Baton listens on, registered in one place. */
export function registerListeners(app: App, logger: Logger): void {
  registerBatonCommand(app);
  app.error(async (err) => {
    logger.error({ err }, 'slack listener failed');
    return Promise.resolve();
  });
}
